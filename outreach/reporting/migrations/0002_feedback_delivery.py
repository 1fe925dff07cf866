"""Feedback delivered to partners: change numbers, the municipality on each record, the sweep's
row and the partners' cursors. Existing records keep their order: change = id."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def number_existing(apps, schema_editor):
    feedback = apps.get_model("reporting", "PartnerFeedback")
    signal = apps.get_model("intake", "Signal")
    feedback.objects.update(
        change=F("id"),
        changed_at=F("created_at"),
        municipality_id=Subquery(
            signal.objects.filter(pk=OuterRef("signal_id")).values("municipality_id")[:1]
        ),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('intake', '0001_initial'),
        ('reporting', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedbackSweep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_change', models.BigIntegerField(default=0)),
                ('due_before', models.DateTimeField(blank=True, null=True)),
                ('checkpoints', models.JSONField(default=list)),
            ],
        ),
        migrations.CreateModel(
            name='PartnerCursor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.BigIntegerField(default=0)),
                ('moved_at', models.DateTimeField(blank=True, null=True)),
                ('partner', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='intake.signalpartner')),
            ],
        ),
        migrations.RemoveIndex(
            model_name='partnerfeedback',
            name='reporting_p_partner_df5563_idx',
        ),
        migrations.RemoveField(
            model_name='partnerfeedback',
            name='partner_ref',
        ),
        migrations.AddField(
            model_name='partnerfeedback',
            name='change',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='partnerfeedback',
            name='changed_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='partnerfeedback',
            name='municipality',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='core.municipality'),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='partnerfeedback',
            name='change',
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name='partnerfeedback',
            name='changed_at',
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name='partnerfeedback',
            name='municipality',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, to='core.municipality'),
        ),
        migrations.AlterField(
            model_name='partnerfeedback',
            name='outcome',
            field=models.CharField(choices=[('helped', 'wil hulp'), ('not_reached', 'niet bereikt of geen hulp gewenst'), ('not_picked_up', 'niet opgepakt'), ('already_known', 'al bekend')], max_length=16),
        ),
        migrations.AddIndex(
            model_name='partnerfeedback',
            index=models.Index(fields=['partner', 'change'], name='feedback_partner_change'),
        ),
        migrations.AddIndex(
            model_name='partnerfeedback',
            index=models.Index(fields=['municipality', 'partner'], name='feedback_municipality'),
        ),
    ]
