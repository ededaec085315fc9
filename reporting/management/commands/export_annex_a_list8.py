"""Write Ofsted Annex A List 8's missing and away columns for each looked-after child as CSV."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from reporting.export_services import annex_a_list8_export

from ._exports import add_common_arguments, authorities, out_folder


class Command(BaseCommand):
    help = "Write AnnexA_List8_missing.csv: missing and away episodes of looked-after children in the last 12 months."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="the day the list is made (default today), e.g. 2027-01-31"
        )
        add_common_arguments(parser)

    def handle(self, *args, out, date=None, local_authorities=None, **options):
        today = date or timezone.localdate()
        folder = out_folder(out)
        text, log = annex_a_list8_export(
            user=None, authorities=authorities(local_authorities), today=today, made_by="manage.py export_annex_a_list8"
        )
        (folder / "AnnexA_List8_missing.csv").write_text(text, encoding="utf-8")
        self.stdout.write(
            f"Annex A List 8 on {today:%d/%m/%Y}: {log.rows} looked-after children written to "
            f"{folder}/AnnexA_List8_missing.csv"
        )
