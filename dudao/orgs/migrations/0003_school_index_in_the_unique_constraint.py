"""The school's own index is dropped: the unique constraint
school_year_unique (school, year) leads with the school and serves
every look-up by school. Only the index (the foreign key is not dropped and re-validated, which Django's
AlterField would do: a scan of the whole table under lock)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_administration"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="schoolyear",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="years",
                        to="orgs.school",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orgs_schoolyear_school_id_b854d7e5"',
                    reverse_sql='CREATE INDEX "orgs_schoolyear_school_id_b854d7e5" ON "orgs_schoolyear" ("school_id")',
                ),
            ],
        ),
    ]
