"""A safe-and-well clock breached before its check was recorded keeps the time the check was
recorded as when its work was done (deadlines/0003), so the daily tasking page lists only the
checks still outstanding."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

SAFE_AND_WELL = "episodes.safe_and_well_check"


def breached_clocks_done_when_their_check_was_recorded(apps, schema_editor):
    Deadline = apps.get_model("deadlines", "Deadline")
    Check = apps.get_model("episodes", "SafeAndWellCheck")
    ContentType = apps.get_model("contenttypes", "ContentType")
    episode_type = ContentType.objects.filter(app_label="episodes", model="episode").first()
    if episode_type is None:  # a new database: no clocks yet
        return
    recorded = Check.objects.filter(episode_id=OuterRef("subject_id")).values("recorded_at")[:1]
    Deadline.objects.filter(
        kind=SAFE_AND_WELL, subject_type=episode_type, state="breached", done_at__isnull=True
    ).update(done_at=Subquery(recorded))


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0004_episode_fillfactor"),
        ("deadlines", "0003_deadline_done_at"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(breached_clocks_done_when_their_check_was_recorded, migrations.RunPython.noop)]
