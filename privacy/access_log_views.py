"""Reading the access log: a data protection officer's search, and the full list of who has viewed
one child's record for a manager (security battery H9), both over any dates, on a page or as CSV.
Reading the log is itself logged: the page as a view, the CSV as an export."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from children.models import Child
from missing.spreadsheets import csv_lines
from organisations.roles import Role

from . import selectors
from .models import AccessKind
from .services import OutOfScope, note_access

PAGE_SIZE = 50
DATE_HINT = "For example, 2026-03-14"
CSV_COLUMNS = ["When (UK time)", "Who", "Email", "Organisation", "Kind", "What", "Reason", "Child", "Path", "Request"]


class PeriodForm(forms.Form):
    since = forms.DateField(
        label="From",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
    )
    until = forms.DateField(
        label="To",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The ‘to’ date must be the same as or after the ‘from’ date.")
        return cleaned

    def period(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """From the start of the first UK day to the end of the last (both days included)."""
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        return (_uk_midnight(since), _uk_midnight(until + datetime.timedelta(days=1)) if until else None)


def _uk_midnight(day: datetime.date | None) -> datetime.datetime | None:
    return None if day is None else timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class AccessLogSearchForm(PeriodForm):
    user = forms.EmailField(label="Who viewed (email address)", required=False)
    child = forms.IntegerField(label="Which child (Homeward child number)", required=False, min_value=1)
    field_order = ["user", "child", "since", "until"]


@login_required
def access_log_search(request):
    officer = request.user
    if not officer.has_role(Role.DATA_PROTECTION_OFFICER):
        raise PermissionDenied("The access log is searched by a data protection officer.")
    form = AccessLogSearchForm(request.GET or None)
    page = None
    names = {}
    if form.is_bound and form.is_valid():
        since, until = form.period()
        child_id = form.cleaned_data["child"]
        entries = selectors.log_for_officer(
            officer=officer, user_email=form.cleaned_data["user"] or "", child_id=child_id, since=since, until=until
        )
        if request.GET.get("format") == "csv":
            note_access(request, kind=AccessKind.EXPORT, what="access log search (CSV)", child=child_id)
            return _csv(entries, "access-log.csv")
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        names = _names({e.child_id for e in page.object_list if e.child_id})
    return render(
        request,
        "privacy/access_log_search.html",
        {"form": form, "page_obj": page, "rows": [(e, names.get(e.child_id)) for e in page or []]},
    )


@login_required
def child_viewers(request, pk):
    """Every read of one child's data, for a manager who may see the child."""
    child = Child.objects.visible_to(request.user).filter(pk=pk).first()
    if child is None:
        raise OutOfScope("No child found", model=Child, pk=pk)
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied("Managers see who has viewed a record.")
    form = PeriodForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        since, until = form.period() if form.is_bound else (None, None)
        entries = selectors.viewers_of(child.pk, since=since, until=until)
        if request.GET.get("format") == "csv":
            note_access(request, kind=AccessKind.EXPORT, what="who viewed this record (CSV)", child=child)
            return _csv(entries, f"who-viewed-child-{child.pk}.csv")
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    note_access(request, what="who viewed this record", child=child)
    return render(request, "privacy/child_viewers.html", {"child": child, "form": form, "page_obj": page})


def _names(child_ids) -> dict[int, str]:
    return {child.pk: child.full_name for child in Child.objects.filter(pk__in=child_ids)}


def _csv(entries, filename: str) -> StreamingHttpResponse:
    """The reads as CSV, written as they are read (a year of a busy child's reads is long)."""

    def rows():
        for entry in entries.iterator(chunk_size=2000):
            yield {
                "When (UK time)": timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                "Who": entry.user.full_name,
                "Email": entry.user.email,
                "Organisation": entry.organisation,
                "Kind": entry.get_kind_display(),
                "What": entry.what,
                "Reason": entry.reason,
                "Child": entry.child_id or "",
                "Path": entry.path,
                "Request": entry.request_id,
            }

    response = StreamingHttpResponse(csv_lines(CSV_COLUMNS, rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
