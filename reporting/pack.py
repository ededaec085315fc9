"""What the monthly governance pack holds (domain.md, 'Data and reporting'; Wigan protocol §13):
the month's dashboard with the previous period, the high-risk and repeat children (named only
for roles that may see names), the return interview clocks breached and the escalations fired,
and how it is written out as a tagged PDF and a ZIP of CSV files."""

import calendar
import datetime
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from episodes.models import Episode, RiskLevel
from interviews.models import OPEN_STATUSES, ReturnInterview
from interviews.pdf import BASE_URL, StaticFilesOnly
from missing.spreadsheets import csv_text
from organisations.models import LocalAuthority
from risk import rules
from risk.models import Escalation

from . import dashboard, suppression
from .dashboard import Dashboard, Filters

DATE_TIME = "%d/%m/%Y %H:%M"


def month_period(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the calendar month containing `month`."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class ChildLine:
    """A child of one of the pack's lists, with their episodes of the month."""

    child_id: int
    name: str
    episodes: int
    first_seen: datetime.datetime
    last_seen: datetime.datetime


@dataclass
class BreachLine:
    """A return interview whose 72-hour clock ran out in the month without an outcome in time."""

    child_id: int
    name: str
    returned_at: datetime.datetime
    due_at: datetime.datetime
    status: str
    outcome_at: datetime.datetime | None


@dataclass
class RuleLine:
    code: str
    trigger: str
    escalations: int | None
    children: int | None


@dataclass
class PackContents:
    """Everything the pack shows. With `with_names` False (an analyst's pack) the three lists
    are empty and only their counts are kept."""

    local_authority: LocalAuthority
    board: Dashboard
    with_names: bool
    generated_at: datetime.datetime
    high_risk_children: int | None  # None: withheld (reporting/suppression.py)
    high_risk_episodes: int | None
    repeat_children: int | None
    breaches: int | None
    escalations: list[RuleLine]
    high_risk: list[ChildLine] = field(default_factory=list)
    repeat: list[ChildLine] = field(default_factory=list)
    breached: list[BreachLine] = field(default_factory=list)
    # The total of an analyst's pack, kept before its lines' small counts were withheld.
    escalations_total: int | None = None

    @property
    def escalations_fired(self) -> int | None:
        if any(line.escalations is None for line in self.escalations):
            return self.escalations_total
        return sum(line.escalations for line in self.escalations)

    @property
    def named_children(self) -> list[int]:
        ids = [line.child_id for line in [*self.high_risk, *self.repeat, *self.breached]]
        return list(dict.fromkeys(ids))


def _child_lines(episodes: QuerySet[Episode]) -> list[ChildLine]:
    rows = (
        episodes.values("child_id", "child__given_name", "child__family_name")
        .annotate(n=Count("pk"), first=Min("last_seen_at"), last=Max("last_seen_at"))
        .order_by("child__family_name", "child__given_name", "child_id")
    )
    return [
        ChildLine(
            row["child_id"],
            f"{row['child__given_name']} {row['child__family_name']}",
            row["n"],
            row["first"],
            row["last"],
        )
        for row in rows
    ]


def breached_interviews(
    *, scope: QuerySet[Episode], filters: Filters, now: datetime.datetime
) -> QuerySet[ReturnInterview]:
    """Return interviews after episodes of the authorities whose 72-hour clock (their due time)
    fell in the period and that were open past it or given their outcome after it (as the
    interviews API's `breached` filter)."""
    of_authorities = scope.filter(
        Q(child__responsible_authority_id__in=filters.authorities) | Q(child__host_authority_id__in=filters.authorities)
    )
    breached = Q(status__in=OPEN_STATUSES, due_at__lte=now) | Q(outcome_at__gt=F("due_at"))
    return (
        dashboard.interviews_after(of_authorities)
        .filter(
            breached,
            due_at__gte=dashboard.uk_midnight(filters.start),
            due_at__lt=dashboard.uk_midnight(filters.end + datetime.timedelta(days=1)),
        )
        .select_related("child")
        .order_by("due_at", "pk")
    )


def escalations_by_rule(*, scope: QuerySet[Episode], filters: Filters) -> list[RuleLine]:
    """Escalations fired in the period for the children of the authorities in `scope`, for
    every rule (rules that did not fire count 0). One query."""
    children = scope.filter(
        Q(child__responsible_authority_id__in=filters.authorities) | Q(child__host_authority_id__in=filters.authorities)
    ).values("child_id")
    found = {
        row["rule"]: row
        for row in Escalation.objects.filter(
            child_id__in=children,
            fired_at__gte=dashboard.uk_midnight(filters.start),
            fired_at__lt=dashboard.uk_midnight(filters.end + datetime.timedelta(days=1)),
        )
        .values("rule")
        .annotate(n=Count("pk"), children=Count("child_id", distinct=True))
        .order_by()
    }
    return [
        RuleLine(
            rule.code, rule.trigger, found.get(rule.code, {}).get("n", 0), found.get(rule.code, {}).get("children", 0)
        )
        for rule in rules.RULES
    ]


def pack_contents(
    *,
    user,
    local_authority: LocalAuthority,
    month: datetime.date,
    now: datetime.datetime | None = None,
    step: Callable[[int, str], None] | None = None,
) -> PackContents:
    """The pack for `user` (whose scope decides which episodes count and whether names are
    shown) about `local_authority` in the calendar month of `month`.

    1. The dashboard's figures for the month and the previous period of equal length.
    2. High-risk children (an episode of the month graded high) and repeat children (2 or more
       episodes in the month): listed for named roles, counted for everyone.
    3. Return interview clocks breached in the month, and escalations fired by rule.
    `step(percent, words)` is told as each part is done."""
    now = now or timezone.now()
    step = step or (lambda percent, words: None)
    start, end = month_period(month)
    filters = Filters(authorities=(local_authority.pk,), start=start, end=end)
    scope = dashboard.countable_episodes(user)
    with_names = dashboard.sees_names(user)
    board = dashboard.dashboard_for(user, filters)
    step(30, "Counting the high-risk and repeat children")

    episodes = dashboard.episodes_in_period(scope, filters)
    high = episodes.filter(risk_level=RiskLevel.HIGH)
    high_counts = high.aggregate(episodes=Count("pk"), children=Count("child_id", distinct=True))
    repeat_ids = episodes.values("child_id").annotate(n=Count("pk")).filter(n__gte=dashboard.REPEAT_EPISODES)
    repeat = episodes.filter(child_id__in=repeat_ids.values("child_id"))
    step(50, "Finding the return interview clocks breached and the escalations")

    breached = breached_interviews(scope=scope, filters=filters, now=now)
    contents = PackContents(
        local_authority=local_authority,
        board=board,
        with_names=with_names,
        generated_at=now,
        high_risk_children=high_counts["children"],
        high_risk_episodes=high_counts["episodes"],
        repeat_children=repeat_ids.count(),
        breaches=breached.count(),
        escalations=escalations_by_rule(scope=scope, filters=filters),
    )
    if not with_names:
        return _withheld(contents)
    contents.high_risk = _child_lines(high)
    contents.repeat = _child_lines(repeat)
    contents.breached = [
        BreachLine(i.child_id, i.child.full_name, i.returned_at, i.due_at, i.get_status_display(), i.outcome_at)
        for i in breached
    ]
    return contents


def _withheld(contents: PackContents) -> PackContents:
    """An analyst's pack: small counts withheld as on their dashboard (reporting/suppression.py)."""
    lines = contents.escalations
    fired = suppression.suppress_cells([line.escalations for line in lines])
    children = suppression.suppress_cells([line.children for line in lines])
    return replace(
        contents,
        high_risk_children=suppression.suppress_count(contents.high_risk_children),
        high_risk_episodes=suppression.suppress_count(contents.high_risk_episodes),
        repeat_children=suppression.suppress_count(contents.repeat_children),
        breaches=suppression.suppress_count(contents.breaches),
        escalations=[
            replace(line, escalations=f, children=c) for line, f, c in zip(lines, fired, children, strict=True)
        ],
        escalations_total=suppression.suppress_count(contents.escalations_fired),
    )


# -- Writing it out ----------------------------------------------------------------------------


def pack_pdf(contents: PackContents) -> bytes:
    """The pack as a tagged PDF (PDF/UA-1), loading nothing but our static files."""
    html = render_to_string("reporting/governance_pack_pdf.html", {"pack": contents, "board": contents.board})
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf(pdf_variant="pdf/ua-1")


def _uk(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment, dashboard.UK).strftime(DATE_TIME) if moment else ""


def _figure_rows(figures) -> list[dict]:
    return [
        {
            "figure": f.label,
            "this_period": suppression.cell(f.value),
            "previous_period": suppression.cell(f.previous),
            "change": suppression.cell(f.change),
        }
        for f in figures
    ]


def pack_csv_files(contents: PackContents) -> dict[str, str]:
    """One CSV per table of the PDF, by file name; cells a spreadsheet would run are
    neutralised (`csv_text`)."""
    board = contents.board
    figure_columns = ["figure", "this_period", "previous_period", "change"]
    files = {
        "headlines.csv": csv_text(figure_columns, _figure_rows(board.headlines)),
        "return_interviews.csv": csv_text(figure_columns, _figure_rows(board.interviews)),
    }
    for breakdown in board.breakdowns:
        files[f"{breakdown.measure}.csv"] = csv_text(
            ["value", breakdown.counts, "children"],
            [
                {
                    "value": r.label,
                    breakdown.counts: suppression.cell(r.count),
                    "children": suppression.cell(r.children),
                }
                for r in breakdown.rows
            ],
        )
    files["pack_counts.csv"] = csv_text(
        ["figure", "count"],
        [
            {"figure": label, "count": suppression.cell(value)}
            for label, value in [
                ("Children graded high risk", contents.high_risk_children),
                ("Episodes graded high risk", contents.high_risk_episodes),
                (f"Children with {dashboard.REPEAT_EPISODES} or more episodes", contents.repeat_children),
                ("Return interview clocks breached", contents.breaches),
                ("Escalations fired", contents.escalations_fired),
            ]
        ],
    )
    files["escalations.csv"] = csv_text(
        ["rule", "trigger", "escalations", "children"],
        [
            {
                "rule": r.code,
                "trigger": r.trigger,
                "escalations": suppression.cell(r.escalations),
                "children": suppression.cell(r.children),
            }
            for r in contents.escalations
        ],
    )
    if contents.with_names:
        child_columns = ["child_id", "name", "episodes", "first_last_seen", "latest_last_seen"]
        for name, lines in (("high_risk_children.csv", contents.high_risk), ("repeat_children.csv", contents.repeat)):
            files[name] = csv_text(
                child_columns,
                [
                    {
                        "child_id": line.child_id,
                        "name": line.name,
                        "episodes": line.episodes,
                        "first_last_seen": _uk(line.first_seen),
                        "latest_last_seen": _uk(line.last_seen),
                    }
                    for line in lines
                ],
            )
        files["interview_clocks_breached.csv"] = csv_text(
            ["child_id", "name", "returned_at", "due_at", "status", "outcome_at"],
            [
                {
                    "child_id": line.child_id,
                    "name": line.name,
                    "returned_at": _uk(line.returned_at),
                    "due_at": _uk(line.due_at),
                    "status": line.status,
                    "outcome_at": _uk(line.outcome_at),
                }
                for line in contents.breached
            ],
        )
    return files


def pack_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()
