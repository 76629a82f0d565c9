"""The school's own index is dropped: the unique constraint
census_record_unique (school, year, level) leads with the school and serves
every look-up by school. Only the index (the foreign key is not dropped and re-validated, which Django's
AlterField would do: a scan of the whole table under lock)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("census", "0006_stored_summaries"),
        ("orgs", "0003_school_index_in_the_unique_constraint"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="censusrecord",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="census_records",
                        to="orgs.school",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "census_censusrecord_school_id_e90ae482"',
                    reverse_sql=(
                        'CREATE INDEX "census_censusrecord_school_id_e90ae482" ON "census_censusrecord" ("school_id")'
                    ),
                ),
            ],
        ),
    ]
