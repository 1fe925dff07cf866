# The opt-out list moves to intake (intake 0004 takes over the table as it is).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("privacy", "0001_initial"),
        ("intake", "0004_optout"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OptOut")],
            database_operations=[],
        ),
    ]
