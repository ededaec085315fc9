"""Import a police feed file (shared/spec/police-feed.md) from the command line.

Prints the same report as the upload page; exits 0 when every row was accepted, 1 when some
rows were rejected, 2 when the file was refused whole (or could not be opened).
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from episodes.imports import import_feed
from episodes.models import Source
from episodes.services import IntakeSource


class Command(BaseCommand):
    help = (
        "Import a police missing-person feed file (CSV). Prints 'created N, updated N, unchanged N, "
        "rejected N, held for matching N', then each rejected row. Exit status 0: all rows accepted; "
        "1: some rows rejected; 2: the file was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file to import")
        parser.add_argument("--dry-run", action="store_true", help="check and report, but save nothing")

    def handle(self, *args, file: str, dry_run: bool = False, **options):
        path = Path(file)
        source = IntakeSource(Source.FEED, f"Police feed file {path.name}", None)
        try:
            # Binary: the feed reader checks the encoding itself, and streams the file.
            stream = path.open("rb")
        except OSError as error:
            self.stderr.write(f"Cannot open {file}: {error.strerror or error}. Nothing was imported.")
            raise SystemExit(2) from None
        with stream:
            report = import_feed(stream, source=source, dry_run=dry_run)

        if report.refusal:
            nothing = "" if "Nothing was imported" in report.refusal else " Nothing was imported."
            self.stderr.write(f"Refused {path.name}: {report.refusal}{nothing}")
        else:
            self.stdout.write(report.summary())
            for error in report.errors:
                self.stdout.write(str(error))
            for note in report.notes():
                self.stdout.write(note)
            if dry_run:
                self.stdout.write("Dry run: nothing was saved.")
        # SystemExit rather than CommandError, so the report above is all that is printed.
        if report.exit_status:
            raise SystemExit(report.exit_status)
