"""Load the centres of postcode districts, for the dashboard's distance bands.

A CSV with the columns outward_code, latitude, longitude (others are ignored), for example the
outward codes of the ONS Postcode Directory averaged by district. Every row is created or
updated, or, when any row is wrong, none: exit status 0 when loaded, 2 when refused.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from reporting.geography import load_bundled, load_postcode_districts


class Command(BaseCommand):
    help = (
        "Load postcode district centres (CSV: outward_code, latitude, longitude) for the distance "
        "bands; with no file, load the bundled list again. A file with any bad row loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the CSV file (default: the list bundled with Homeward)")

    def handle(self, *args, file: str | None = None, **options):
        if file is None:
            report = load_bundled()
        else:
            try:
                text = Path(file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                self.stderr.write(f"Cannot read {file}: {error}. Nothing was loaded.")
                raise SystemExit(2) from None
            report = load_postcode_districts(text)
        if report.refusal:
            self.stderr.write(f"Refused: {report.refusal}. Nothing was loaded.")
            for error in report.errors:
                self.stderr.write(str(error))
            raise SystemExit(2)
        self.stdout.write(report.summary())
