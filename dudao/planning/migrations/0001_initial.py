from django.db import migrations


class Migration(migrations.Migration):
    """The planning app's first migration: no tables yet (the births, known changes and plans follow)."""

    initial = True
    dependencies: list[tuple[str, str]] = []
    operations: list[migrations.operations.base.Operation] = []
