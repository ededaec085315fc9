"""How Homeward writes a moment for people, on its pages, in its messages and in its PDFs: in UK
time, as "7 Dec 2026 09:05" (Django's `j M Y H:i`)."""

import datetime

from django.template.defaultfilters import date
from django.utils import timezone
from django.utils.dates import MONTHS_3


def uk_datetime(value) -> str:
    """`value` in UK time as "7 Dec 2026 09:05"; "" for None. At a third of the cost of Django's
    date filter, which lists paid on every row. A value that is not an aware datetime is written
    by the date filter, as templates wrote it before."""
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        return date(value, "j M Y H:i")
    local = timezone.localtime(value)
    return f"{local.day} {MONTHS_3[local.month].title()} {local.year} {local.hour:02d}:{local.minute:02d}"
