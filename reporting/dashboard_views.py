"""The manager dashboard page and the list of records behind each of its figures."""

import datetime
from dataclasses import replace
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from children.models import LegalStatus
from privacy.services import note_access, note_children

from . import dashboard
from .dashboard import Filters
from .pack_services import recent_packs
from .pack_views import pack_form
from .templatetags.dashboard_charts import MOST_BARS

RECORDS_PAGE_SIZE = 50
# Across many authorities the breakdowns by establishment and by postcode district have thousands
# of rows: the page shows each table's largest rows (as many as a chart's bars), and every row
# of the one asked for.
LONGEST_TABLE = MOST_BARS
# The most establishments the filter lists at once.
MOST_ESTABLISHMENTS = 500
DATE_HINT = "For example, 2026-11-01"
# Dates a period may take (the previous period of equal length must be a date too), and its
# longest length.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)
LONGEST_PERIOD_YEARS = 5


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=DATE_HINT,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": f"{label} must be a date, like 2026-11-01"},
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
    )


LEGAL_STATUS_CHOICES = [
    ("", "Any legal status"),
    (dashboard.LOOKED_AFTER_ANY, "Looked after (section 20 or a care order)"),
    (dashboard.NOT_LOOKED_AFTER, "Not looked after"),
    *LegalStatus.choices,
]


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, read from the address; an empty form is the last full month."""

    local_authority = forms.ChoiceField(
        label="Local authority",
        required=False,
        error_messages={"invalid_choice": "Local authority must be one of the authorities in the list"},
    )
    period_from = _date("Start of the period")
    period_to = _date("End of the period")
    legal_status = forms.ChoiceField(
        label="Legal status",
        required=False,
        choices=LEGAL_STATUS_CHOICES,
        error_messages={"invalid_choice": "Legal status must be one of the statuses in the list"},
    )
    establishment = forms.ModelChoiceField(
        label="Establishment",
        required=False,
        queryset=None,
        empty_label="Any establishment",
        error_messages={"invalid_choice": "Establishment must be one of the establishments in the list"},
    )

    def __init__(self, *args, authorities, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.authorities = authorities
        self.today = today
        # The reader's authorities are read already (dashboard_authorities): no query for the list.
        self.fields["local_authority"].choices = [("", "All your local authorities")] + [
            (str(a.pk), a.name) for a in authorities
        ]
        self.fields["establishment"].queryset = self._establishments()

    def _establishments(self):
        """Every establishment of the reader's authorities; when those are more than a list can
        usefully hold (a regional or national reader), those of the authority chosen, or none
        until one is chosen."""
        ids = [a.pk for a in self.authorities]
        establishments = dashboard.establishments_for(ids)
        if len(ids) == 1 or establishments.count() <= MOST_ESTABLISHMENTS:
            return establishments
        field = self.fields["establishment"]
        field.error_messages["invalid_choice"] = "Choose a local authority before choosing an establishment"
        chosen = self.data.get("local_authority", "") if self.is_bound else ""
        if chosen.isdigit() and int(chosen) in ids:
            return dashboard.establishments_for([int(chosen)])
        field.help_text = "Choose a local authority and apply the filters first: then its establishments are listed"
        return establishments.none()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if "period_from" in self.errors or "period_to" in self.errors:
            return cleaned
        if start and not end:
            self.add_error("period_to", "End of the period must be given with its start")
        elif end and not start:
            self.add_error("period_from", "Start of the period must be given with its end")
        elif start and start < EARLIEST:
            self.add_error("period_from", f"Start of the period must be on or after {EARLIEST:%-d %B %Y}")
        elif end and end > LATEST:
            self.add_error("period_to", f"End of the period must be on or before {LATEST:%-d %B %Y}")
        elif start and end and end < start:
            self.add_error("period_to", "End of the period must be the same as or after its start")
        elif start and end and (end - start).days >= 366 * LONGEST_PERIOD_YEARS:
            self.add_error("period_to", f"The period can be at most {LONGEST_PERIOD_YEARS} years long")
        return cleaned

    def filters(self) -> Filters | None:
        """The filters chosen, or None when the form has errors."""
        if self.is_bound and not self.is_valid():
            return None
        data = self.cleaned_data if self.is_bound else {}
        start, end = data.get("period_from"), data.get("period_to")
        if not start:
            start, end = dashboard.last_full_month(self.today)
        chosen = data.get("local_authority")
        establishment = data.get("establishment")
        return Filters(
            authorities=(int(chosen),) if chosen else tuple(a.pk for a in self.authorities),
            start=start,
            end=end,
            legal_status=data.get("legal_status") or "",
            establishment=establishment.pk if establishment else None,
        )


def _filter_query(form: DashboardFilterForm, filters: Filters) -> dict[str, str]:
    """The filters as address parameters, with the period always spelled out."""
    data = form.cleaned_data if form.is_bound else {}
    query = _period_query(filters.start, filters.end)
    if data.get("local_authority"):
        query["local_authority"] = data["local_authority"]
    if filters.legal_status:
        query["legal_status"] = filters.legal_status
    if filters.establishment is not None:
        query["establishment"] = str(filters.establishment)
    return query


def _period_query(start: datetime.date, end: datetime.date) -> dict[str, str]:
    return {"period_from": start.isoformat(), "period_to": end.isoformat()}


def _largest_rows(board: dashboard.Dashboard, *, whole: str) -> dashboard.Dashboard:
    """The board with each long table cut to its LONGEST_TABLE largest rows, except `whole`."""
    breakdowns = [
        replace(b, rows=b.rows[:LONGEST_TABLE], left_out=len(b.rows) - LONGEST_TABLE)
        if len(b.rows) > LONGEST_TABLE and b.measure != whole
        else b
        for b in board.breakdowns
    ]
    return replace(board, breakdowns=breakdowns)


def _reader(request) -> list:
    """The authorities whose figures the reader may see; 404 for everyone else."""
    authorities = dashboard.dashboard_authorities(request.user)
    if not authorities:
        raise Http404("No dashboard for you")
    return authorities


def _form(request, authorities) -> DashboardFilterForm:
    data = {name: value for name, value in request.GET.items() if name in DashboardFilterForm.base_fields}
    return DashboardFilterForm(data or None, authorities=authorities, today=timezone.localdate())


@login_required
def dashboard_page(request):
    """1. Coordinators, managers and analysts of a council (anyone else: 404).
    2. Read the filters; with errors, say which field and show no figures.
    3. Build the figures within the reader's scope; links to the records only for named roles."""
    authorities = _reader(request)
    form = _form(request, authorities)
    filters = form.filters()
    context = {
        "form": form,
        "board": None,
        "links": dashboard.sees_names(request.user),
        "query": "",
        # The dashboard's readers are the pack's: the same authorities.
        "pack_form": pack_form(request.user, authorities=authorities),
        "packs": recent_packs(request.user),
        "twelve_months": urlencode(_period_query(*dashboard.last_twelve_months(timezone.localdate()))),
    }
    if filters is not None:
        whole = request.GET.get("whole", "")
        context["board"] = _largest_rows(dashboard.dashboard_for(request.user, filters), whole=whole)
        context["query"] = urlencode(_filter_query(form, filters))
        context.update(whole=whole, longest_table=LONGEST_TABLE)
        note_access(request, what=f"manager dashboard, {filters.start:%d %b %Y} to {filters.end:%d %b %Y}")
    return render(request, "reporting/dashboard.html", context)


@login_required
def dashboard_records(request):
    """1. As the dashboard; analysts see figures only, so the records behind them are refused.
    2. Read the filters and the figure (measure and value); a bad one is said so.
    3. List a page of the records counted in the figure and log the children it names."""
    authorities = _reader(request)
    if not dashboard.sees_names(request.user):
        raise PermissionDenied("Analysts see the dashboard's figures, not the records behind them.")
    form = _form(request, authorities)
    filters = form.filters()
    measure, value = request.GET.get("measure", ""), request.GET.get("value", "")
    context = {"form": form, "error": "", "page_obj": None, "interviews": False, "title": "", "back": ""}
    if filters is not None:
        context["back"] = urlencode(_filter_query(form, filters))
        scope = dashboard.countable_episodes(request.user)
        behind = dashboard.interviews_behind if dashboard.counts_interviews(measure) else dashboard.episodes_behind
        try:
            records = behind(scope=scope, filters=filters, measure=measure, value=value)
            context["title"] = dashboard.figure_label(measure, value)
        except dashboard.UnknownFigure as error:
            context["error"] = str(error)
        else:
            page = Paginator(records, RECORDS_PAGE_SIZE).get_page(request.GET.get("page"))
            note_children(
                request, [record.child_id for record in page.object_list], what=f"dashboard: {context['title']}"[:200]
            )
            context.update(page_obj=page, interviews=dashboard.counts_interviews(measure), filters=filters)
    return render(request, "reporting/dashboard_records.html", context)
