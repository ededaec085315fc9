"""Write the SSDA903 return's Missing and Header tables for a collection year as CSV files."""

from django.core.management.base import BaseCommand, CommandError

from reporting.export_services import ssda903_export
from reporting.ssda903 import CollectionYear

from ._exports import add_common_arguments, authorities, out_folder


class Command(BaseCommand):
    help = (
        "Write Missing.csv and Header.csv of the SSDA903 return for the collection year starting on "
        "1 April of --year (2026: 1 April 2026 to 31 March 2027, the DfE's '2026 to 2027')."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="the year the collection starts in, e.g. 2026")
        add_common_arguments(parser)

    def handle(self, *args, year, out, local_authorities=None, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("--year is the year the collection starts in, like 2026.")
        collection = CollectionYear(year)
        folder = out_folder(out)
        files = ssda903_export(
            user=None,
            authorities=authorities(local_authorities),
            year=collection,
            made_by="manage.py export_ssda903",
        )
        (folder / "Missing.csv").write_text(files.missing_csv, encoding="utf-8")
        (folder / "Header.csv").write_text(files.header_csv, encoding="utf-8")
        for child, reason in files.export.left_out:
            self.stderr.write(f"Left out child {child.pk}: {reason}")
        self.stdout.write(
            f"SSDA903 {collection.label}: {files.log.rows} missing or away periods of "
            f"{files.log.children} children written to {folder}/Missing.csv and {folder}/Header.csv"
        )
