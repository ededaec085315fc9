"""Reading the records waiting for a coordinator to confirm which child they are about: the
queue, and one record beside the children it may be about."""

import dataclasses
import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date

from children.models import Child, Gender
from children.services import search_key

from .feed import normalise_postcode, parse_uk_datetime
from .matching import swapped
from .models import Category, HeldReport, MissingFrom, ReportedBy, RiskLevel, YesNoUnknown

# How far back the queue page lists records already decided.
RECENTLY_DECIDED_DAYS = 30
RECENTLY_DECIDED_LIMIT = 20


def held_reports_waiting(user) -> QuerySet[HeldReport]:
    """Records waiting for a decision that `user` may make, oldest first, with the number of
    children each may be about (`candidate_count`)."""
    visible = Child.objects.visible_to(user).values("pk")
    return (
        HeldReport.objects.visible_to(user)
        .filter(decision=HeldReport.Decision.WAITING)
        .select_related("force", "local_authority")
        .annotate(candidate_count=Count("match_candidates", filter=Q(match_candidates__child__in=visible)))
        .order_by("received_at", "pk")
    )


def _not_about_a_hidden_child(user) -> Q:
    """Records not linked to a child hidden from `user` (a restricted record: security battery Z7)."""
    return Q(episode__isnull=True) | Q(episode__child__in=Child.objects.visible_to(user).values("pk"))


def held_reports_recently_decided(user, *, now: datetime.datetime | None = None) -> QuerySet[HeldReport]:
    """Records decided in the last RECENTLY_DECIDED_DAYS, newest decision first."""
    since = (now or timezone.now()) - datetime.timedelta(days=RECENTLY_DECIDED_DAYS)
    return (
        HeldReport.objects.visible_to(user)
        .filter(_not_about_a_hidden_child(user))
        .exclude(decision=HeldReport.Decision.WAITING)
        .filter(decided_at__gte=since)
        .select_related("force", "local_authority", "decided_by", "episode__child")
        .order_by("-decided_at", "-pk")[:RECENTLY_DECIDED_LIMIT]
    )


def held_report_for_user(*, user, pk: int) -> HeldReport:
    """One record, or HeldReport.DoesNotExist when it does not exist or `user` may not decide it."""
    return (
        HeldReport.objects.visible_to(user)
        .filter(_not_about_a_hidden_child(user))
        .select_related("force", "local_authority", "decided_by", "episode__child")
        .get(pk=pk)
    )


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        return None


def _moment(text: str) -> datetime.datetime | None:
    if not text or not text.strip():
        return None
    return parse_uk_datetime(text)[0]


def _label(choices, value: str) -> str:
    value = (value or "").strip().lower()
    return str(dict(choices.choices).get(value, value))


@dataclasses.dataclass
class PoliceDetails:
    """The police record as sent (held records keep the row's text), read for people."""

    given_name: str
    family_name: str
    date_of_birth: datetime.date | None
    date_of_birth_text: str
    gender: str
    gender_label: str
    ethnicity: str
    home_postcode: str
    reported_at: datetime.datetime | None
    last_seen_at: datetime.datetime | None
    last_seen_location: str
    category: str
    risk_level: str
    missing_from: str
    reported_by: str
    circumstances: str
    cse_concern: str
    returned_at: datetime.datetime | None
    officer: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def police_details(held: HeldReport) -> PoliceDetails:
    row = {key: ("" if value is None else str(value)) for key, value in held.report.items()}
    gender = row.get("gender", "").strip().lower()
    postcode = row.get("home_postcode", "")
    return PoliceDetails(
        given_name=row.get("given_name", "").strip(),
        family_name=row.get("family_name", "").strip(),
        date_of_birth=_date(row.get("date_of_birth", "")),
        date_of_birth_text=row.get("date_of_birth", "").strip(),
        gender=gender,
        gender_label=_label(Gender, gender) if gender else "",
        ethnicity=row.get("ethnicity", "").strip(),
        home_postcode=(normalise_postcode(postcode) or postcode.strip()) if postcode.strip() else "",
        reported_at=_moment(row.get("reported_at", "")),
        last_seen_at=_moment(row.get("last_seen_at", "")),
        last_seen_location=row.get("last_seen_location", "").strip(),
        category=_label(Category, row.get("category", "")),
        risk_level=_label(RiskLevel, row.get("risk_level", "")),
        missing_from=_label(MissingFrom, row.get("missing_from", "")),
        reported_by=_label(ReportedBy, row.get("reported_by", "")),
        circumstances=row.get("circumstances", "").strip(),
        cse_concern=_label(YesNoUnknown, row.get("cse_concern", "")),
        returned_at=_moment(row.get("returned_at", "")),
        officer=row.get("officer", "").strip(),
    )


# --- Side by side: the police record beside each child it may be about ------------------------


@dataclasses.dataclass
class Cell:
    """One child's value in a comparison row. `different` is True when it disagrees with the
    police record (a value on only one side is not a difference); `note` says how."""

    value: str
    different: bool = False
    note: str = ""


@dataclasses.dataclass
class ComparisonRow:
    label: str
    police: str
    cells: list[Cell]


@dataclasses.dataclass
class Candidate:
    child: Child
    reason: str
    episode_count: int


@dataclasses.dataclass
class Comparison:
    police: PoliceDetails
    candidates: list[Candidate]
    rows: list[ComparisonRow]


NOT_GIVEN = "Not given"
DATE_FORMAT = "j F Y"
NOT_IN_POLICE_RECORDS = "Not in police records"


def _names_differ(a: str, b: str) -> bool:
    return bool(a and b) and search_key(a) != search_key(b)


def _compact(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def _date_cell(police: datetime.date | None, child: Child) -> Cell:
    if child.date_of_birth is None:
        return Cell("Not known")
    value = format_date(child.date_of_birth, DATE_FORMAT) + (" (estimated)" if child.date_of_birth_estimated else "")
    if police is None or police == child.date_of_birth:
        return Cell(value)
    note = "day and month swapped" if swapped(police) == child.date_of_birth else ""
    return Cell(value, different=True, note=note)


def _authority_text(child: Child) -> str:
    text = f"Responsible: {child.responsible_authority.name}"
    if child.host_authority_id:
        text += f"; placed in {child.host_authority.name}"
    return text


def _aliases_cell(child: Child, police: PoliceDetails) -> Cell:
    aliases = [alias.name for alias in child.aliases.all()]
    if not aliases:
        return Cell("None recorded")
    police_keys = {search_key(police.full_name), search_key(police.given_name)}
    matching = [name for name in aliases if search_key(name) in police_keys]
    note = f"{', '.join(matching)} is the name the police gave" if matching else ""
    return Cell(", ".join(aliases), note=note)


def held_report_comparison(held: HeldReport, *, user) -> Comparison:
    """The police record's details beside each candidate child `user` may see (a restricted
    child is never suggested to anyone it is hidden from: security battery Z7), row by row, each
    child's value marked where it differs from what the police sent."""
    police = police_details(held)
    match_candidates = list(
        held.match_candidates.filter(child__in=Child.objects.visible_to(user).values("pk"))
        .select_related("child__responsible_authority", "child__host_authority")
        .prefetch_related("child__aliases")
    )
    counts = dict(
        Child.objects.filter(pk__in=[c.child_id for c in match_candidates])
        .annotate(n=Count("episodes"))
        .values_list("pk", "n")
    )
    candidates = [Candidate(c.child, c.reason, counts.get(c.child_id, 0)) for c in match_candidates]
    children = [c.child for c in candidates]
    police_gender = police.gender if police.gender not in ("", Gender.UNKNOWN) else ""

    def text_cell(police_value: str, child_value: str, differ) -> Cell:
        return Cell(child_value or "Not recorded", different=differ(police_value, child_value))

    rows = [
        ComparisonRow(
            "Given name",
            police.given_name or NOT_GIVEN,
            [text_cell(police.given_name, c.given_name, _names_differ) for c in children],
        ),
        ComparisonRow(
            "Family name",
            police.family_name or NOT_GIVEN,
            [text_cell(police.family_name, c.family_name, _names_differ) for c in children],
        ),
        ComparisonRow("Other names", NOT_IN_POLICE_RECORDS, [_aliases_cell(c, police) for c in children]),
        ComparisonRow(
            "Date of birth",
            format_date(police.date_of_birth, DATE_FORMAT)
            if police.date_of_birth
            else police.date_of_birth_text or NOT_GIVEN,
            [_date_cell(police.date_of_birth, c) for c in children],
        ),
        ComparisonRow(
            "Gender",
            police.gender_label or NOT_GIVEN,
            [
                Cell(
                    c.get_gender_display(),
                    different=bool(police_gender) and c.gender != Gender.UNKNOWN and c.gender != police_gender,
                )
                for c in children
            ],
        ),
        ComparisonRow(
            "Ethnicity",
            police.ethnicity or NOT_GIVEN,
            [
                text_cell(police.ethnicity, c.ethnicity, lambda a, b: bool(a and b) and a.casefold() != b.casefold())
                for c in children
            ],
        ),
        ComparisonRow(
            "Home postcode",
            police.home_postcode or NOT_GIVEN,
            [
                text_cell(police.home_postcode, c.postcode, lambda a, b: bool(a and b) and _compact(a) != _compact(b))
                for c in children
            ],
        ),
        ComparisonRow(
            "Local authority",
            held.local_authority.name,
            [
                Cell(
                    _authority_text(c),
                    different=held.local_authority_id not in (c.responsible_authority_id, c.host_authority_id),
                )
                for c in children
            ],
        ),
        ComparisonRow("Legal status", NOT_IN_POLICE_RECORDS, [Cell(c.get_legal_status_display()) for c in children]),
        ComparisonRow(
            "Episodes already recorded", NOT_IN_POLICE_RECORDS, [Cell(str(c.episode_count)) for c in candidates]
        ),
    ]
    return Comparison(police=police, candidates=candidates, rows=rows)


# --- What happened to the record ---------------------------------------------------------------


@dataclasses.dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    what: str
    detail: str


def held_report_history(held: HeldReport) -> list[HistoryEntry]:
    """Every change to the record, oldest first: held, sent again, decided (who, when, what)."""
    entries = []
    previous = None
    for record in held.history.select_related("history_user").order_by("history_date", "history_id"):
        who = str(record.history_user) if record.history_user else record.get_source_display()
        detail = record.history_change_reason or ""
        if previous is None:
            what = "Held for a coordinator to confirm which child it is about"
        elif record.decision != previous.decision:
            what = HeldReport.Decision(record.decision).label
            if record.episode_id and record.episode_id == held.episode_id:
                what += f": {held.episode.child.full_name}"
            detail = ""
        else:
            what = "The police sent the record again"
        entries.append(HistoryEntry(when=record.history_date, who=who, what=what, detail=detail))
        previous = record
    return entries
