"""The interview record as a tagged PDF (WeasyPrint, PDF/UA-1), for the people it is shared with.

The only resources the renderer may load are our own static files: anything else (a link typed
into the record, a remote image) is refused, so a record never makes the server fetch a URL.
"""

import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

BASE_URL = "https://homeward.invalid/"


class StaticFilesOnly(URLFetcher):
    """Serves our static files from disk; every other URL is refused."""

    def fetch(self, url, headers=None):
        prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
        if not url.startswith(prefix):
            raise URLFetchingError(f"Only our static files may be loaded, not {url}")
        relative = url[len(prefix) :].split("?", 1)[0]
        path = finders.find(relative) if ".." not in relative else None
        if not path:
            raise URLFetchingError(f"No static file {relative}")
        with open(path, "rb") as handle:
            body = handle.read()
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


def interview_pdf(interview, *, request=None) -> bytes:
    record = interview.record
    html = render_to_string(
        "interviews/interview_pdf.html",
        {
            "interview": interview,
            "child": interview.child,
            "record": record,
            "episodes": interview.episodes.order_by("last_seen_at"),
            "printed_at": timezone.now(),
        },
    )
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf(pdf_variant="pdf/ua-1")
