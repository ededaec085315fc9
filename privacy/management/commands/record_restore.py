"""Record a restore of this database from a backup in its access log (scripts/restore runs it
against the database it has just restored)."""

from django.core.management.base import BaseCommand, CommandError

from privacy.services import RestoreNotRecorded, restore_record


class Command(BaseCommand):
    help = "Record in the access log that this database was restored from a backup, and by whom."

    def add_arguments(self, parser):
        parser.add_argument("--backup", required=True, help="the backup file restored")
        parser.add_argument("--by", required=True, help="email of the administrator who restored it")
        parser.add_argument(
            "--verified",
            required=True,
            choices=["yes", "no"],
            help="whether every table matched the backup's manifest",
        )

    def handle(self, *args, backup: str, by: str, verified: str, **options):
        try:
            entry = restore_record(backup=backup, by_email=by, verified=verified == "yes")
        except RestoreNotRecorded as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(f"Recorded in the access log: {entry.what}, by {entry.user} (entry {entry.pk}).")
