"""A meeting record as a tagged PDF (WeasyPrint, PDF/UA-1), holding only the children's records
the reader may see. Like the interview PDF, it may load our static files and nothing else."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from interviews.pdf import BASE_URL, StaticFilesOnly


def meeting_pdf(meeting, records) -> bytes:
    html = render_to_string(
        "risk/meeting_pdf.html",
        {"meeting": meeting, "records": records, "invitees": meeting.invitees.all(), "printed_at": timezone.now()},
    )
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf(pdf_variant="pdf/ua-1")
