"""Count the dashboard figures kept for readers of many authorities again (Celery beat does this
every few minutes; after a bulk load, run it with --force)."""

from django.core.management.base import BaseCommand

from reporting.snapshot_services import dashboard_snapshots_refresh


class Command(BaseCommand):
    help = "Count the dashboard figures kept for readers of many local authorities again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Count every scope and period, even those with no change recorded."
        )

    def handle(self, *args, force=False, **options):
        counted = dashboard_snapshots_refresh(force=force)
        for snapshot in counted:
            self.stdout.write(f"{snapshot}: {snapshot.seconds:.1f} s")
        self.stdout.write(f"Counted {len(counted)} set(s) of figures.")
