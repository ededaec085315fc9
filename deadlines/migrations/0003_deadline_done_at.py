"""When the work a clock asked for was done: a met clock's is when it was met. The apps fill
in their own clocks breached and done late (episodes/0005 for safe-and-well checks)."""

from django.db import migrations, models


def met_clocks_were_done_when_met(apps, schema_editor):
    Deadline = apps.get_model("deadlines", "Deadline")
    Deadline.objects.filter(state="met").update(done_at=models.F("closed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="done_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicaldeadline",
            name="done_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(met_clocks_were_done_when_met, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("done_at__isnull", True), ("state__in", ["open", "breached"])),
                fields=["kind", "due_at"],
                name="deadline_outstanding_idx",
            ),
        ),
    ]
