# The opt-out list moves from the privacy app to intake; its table stays where it is.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("intake", "0003_phone_e164"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OptOut",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("source", models.CharField(max_length=50)),
                        ("created_at", models.DateTimeField()),
                        ("municipality", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="core.municipality")),
                        ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="opt_outs", to="intake.person")),
                    ],
                    options={
                        "db_table": "privacy_optout",
                        "constraints": [models.UniqueConstraint(fields=("municipality", "person"), name="optout_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
