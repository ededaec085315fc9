"""Leave a fifth of each page of the episodes table free, so that a re-grade (no indexed column
changes, unlike a return, which changes the state) is written as a heap-only tuple on the same page, without touching the
table's indexes (PostgreSQL only; docs/benchmarks.md)."""

from django.db import migrations


def _fillfactor(value):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE episodes_episode SET (fillfactor = {value})")

    return run


class Migration(migrations.Migration):
    dependencies = [("episodes", "0003_episode_created_index")]

    operations = [migrations.RunPython(_fillfactor(80), _fillfactor(100))]
