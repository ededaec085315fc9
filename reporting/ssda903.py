"""The SSDA903 return's Missing and Header tables (DfE, 'Children looked after return'), and
Ofsted's Annex A List 8 missing columns, built from the episodes of looked-after children."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from children.models import LOOKED_AFTER, Child, Gender
from episodes.models import Episode

from .periods import ADULT_AGE, AWAY, MISSING, Period, looked_after_spells, periods_for_child

MISSING_COLUMNS = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
# SSDA903 SEX codes from the 2024 to 2025 collection on: M, F, or U (not known / not stated).
SEX_CODES = {Gender.MALE: "M", Gender.FEMALE: "F"}
SEX_NOT_KNOWN = "U"
# SSDA903 ETHNIC: 'information not yet obtained', for a child whose DfE code is not recorded.
ETHNIC_NOT_OBTAINED = "NOBT"

DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class CollectionYear:
    """A collection year, 1 April to 31 March, named by the year it starts in (2026 is 1 April
    2026 to 31 March 2027). The DfE calls that year '2026 to 2027' and the community validator
    its '2027' collection (ruleset lac2026_27)."""

    start_year: int

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year} to {self.start_year + 1}"

    @property
    def validator_year(self) -> str:
        return str(self.start_year + 1)

    @classmethod
    def containing(cls, day: datetime.date) -> "CollectionYear":
        return cls(day.year if day.month >= 4 else day.year - 1)


def _date(value: datetime.date | None) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def ssda903_child_id(child: Child) -> str:
    """The 903 CHILD: Homeward's record number, which never changes and is never reused."""
    return str(child.pk)


@dataclass
class ChildPeriods:
    child: Child
    periods: list[Period]


@dataclass
class Ssda903Export:
    year: CollectionYear
    children: list[ChildPeriods]
    # Children with periods in the year who cannot be reported, and why (no date of birth).
    left_out: list[tuple[Child, str]] = field(default_factory=list)

    def missing_rows(self) -> list[dict[str, str]]:
        return [
            {
                "CHILD": ssda903_child_id(item.child),
                "DOB": _date(item.child.date_of_birth),
                "MISSING": period.kind,
                "MIS_START": _date(period.start),
                "MIS_END": _date(period.end),
            }
            for item in self.children
            for period in item.periods
        ]

    def header_rows(self) -> list[dict[str, str]]:
        return [header_row(item.child) for item in self.children]


def header_row(child: Child) -> dict[str, str]:
    sex = SEX_CODES.get(child.gender, SEX_NOT_KNOWN)
    mother = ""
    if sex == "F" and child.mother is not None:
        mother = "1" if child.mother else "0"
    return {
        "CHILD": ssda903_child_id(child),
        "SEX": sex,
        "DOB": _date(child.date_of_birth),
        "ETHNIC": child.ethnicity_code or ETHNIC_NOT_OBTAINED,
        "UPN": child.upn,
        "MOTHER": mother,
        "MC_DOB": _date(child.mother_child_dob) if mother == "1" else "",
    }


def _children_with_episodes(children, first_day: datetime.date, last_day: datetime.date):
    """Children who were looked after at some time, with their episodes that may touch the
    window (last seen by its last day, and not returned before its first) and their history."""
    before_end = timezone.make_aware(datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time()))
    after_start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time()))
    episodes = Episode.objects.filter(last_seen_at__lt=before_end).filter(
        Q(returned_at__isnull=True) | Q(returned_at__gte=after_start)
    )
    ever_looked_after = Child.history.filter(legal_status__in=LOOKED_AFTER).values("id")
    return (
        children.filter(pk__in=ever_looked_after, episodes__in=episodes)
        .distinct()
        .order_by("pk")
        .prefetch_related(
            Prefetch(
                "episodes",
                queryset=episodes.only("pk", "child_id", "whereabouts_known", "last_seen_at", "returned_at"),
                to_attr="window_episodes",
            )
        )
    )


def _histories(children) -> dict[int, list]:
    rows = defaultdict(list)
    history = (
        Child.history.filter(id__in=children.values("pk"))
        .only("id", "legal_status", "legal_status_since", "history_date")
        .order_by("id", "history_date", "history_id")
    )
    for row in history:
        rows[row.id].append(row)
    return rows


def child_periods(children, *, first_day: datetime.date, last_day: datetime.date) -> list[ChildPeriods]:
    """Every child in `children` with a missing or away period while looked after in the window."""
    candidates = _children_with_episodes(children, first_day, last_day)
    histories = _histories(candidates)
    result = []
    for child in candidates:
        spells = looked_after_spells(histories[child.pk], child.date_of_birth)
        periods = periods_for_child(child.window_episodes, spells, first_day=first_day, last_day=last_day)
        if periods:
            result.append(ChildPeriods(child, periods))
    return result


def ssda903_build(*, children, year: CollectionYear) -> Ssda903Export:
    """The Missing and Header tables for `children` (already scoped to the user and to the
    responsible authorities being returned) for the collection year."""
    export = Ssda903Export(year=year, children=[])
    for item in child_periods(children, first_day=year.first_day, last_day=year.last_day):
        if item.child.date_of_birth is None:
            export.left_out.append((item.child, "no date of birth: the return needs one"))
        else:
            export.children.append(item)
    return export


# Ofsted Annex A (the request for information at a local authority children's services
# inspection), List 8, children in care: its missing and away columns, named as Annex A names
# them. Annex A still says 'Absent' for what the DfE now calls away from placement without
# authorisation (whereabouts known), and 'Missing' for whereabouts unknown.
ANNEX_A_CHILD_ID = "Child Unique ID"
ANNEX_A_MISSING = "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"
ANNEX_A_ABSENT = "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months"
ANNEX_A_OFFERED = "Was the child offered a Return Interview after their last missing episode (Y/N)?"
ANNEX_A_ACCEPTED = "Did the child accept the Return Interview after their last missing episode (Y/N)?"
ANNEX_A_COLUMNS = [ANNEX_A_CHILD_ID, ANNEX_A_MISSING, ANNEX_A_ABSENT, ANNEX_A_OFFERED, ANNEX_A_ACCEPTED]
# Annex A's 'last 12 months' runs back from the day the list is made.
ANNEX_A_DAYS = 365


def annex_a_list8_rows(*, children, today: datetime.date) -> list[dict[str, str]]:
    """One row for every child in `children` looked after today, with their missing and away
    periods in the last 12 months and whether a return interview was offered and accepted after
    the last missing one.

    Offered: an interview covers the episode and was not cancelled or judged not appropriate.
    Accepted: 'Y' when completed, 'N' when declined, no contact was made or the child went
    missing again first, blank while it is still open or when none was offered.
    """
    from interviews.models import ReturnInterview, Status

    first_day = today - datetime.timedelta(days=ANNEX_A_DAYS - 1)
    looked_after = [
        child
        for child in children.filter(legal_status__in=LOOKED_AFTER).order_by("pk")
        if child.date_of_birth is None or child.age_on(today) < ADULT_AGE
    ]
    found = child_periods(
        Child.objects.filter(pk__in=[c.pk for c in looked_after]), first_day=first_day, last_day=today
    )
    periods = {item.child.pk: item.periods for item in found}
    last_missing_episode: dict[int, int] = {}
    for item in found:
        missing = [p for p in item.periods if p.kind == MISSING]
        if missing:
            episodes = [e for e in item.child.window_episodes if e.pk in missing[-1].episode_ids]
            last_missing_episode[item.child.pk] = max(episodes, key=lambda e: (e.last_seen_at, e.pk)).pk
    interviews = {}
    # The latest interview covering an episode wins (pk order): it is the one offered last.
    covering = ReturnInterview.objects.filter(episodes__in=last_missing_episode.values()).distinct().order_by("pk")
    for interview in covering.prefetch_related("episodes"):
        for episode in interview.episodes.all():
            interviews[episode.pk] = interview
    not_offered = {Status.CANCELLED, Status.NOT_APPROPRIATE}
    rows = []
    for child in looked_after:
        child_periods_ = periods.get(child.pk, [])
        offered = accepted = ""
        if child.pk in last_missing_episode:
            interview = interviews.get(last_missing_episode[child.pk])
            offered = "Y" if interview is not None and interview.status not in not_offered else "N"
            if offered == "Y" and interview.status == Status.COMPLETED:
                accepted = "Y"
            elif offered == "Y" and interview.status in (Status.DECLINED, Status.NO_CONTACT, Status.MISSING_AGAIN):
                accepted = "N"
        rows.append(
            {
                ANNEX_A_CHILD_ID: ssda903_child_id(child),
                ANNEX_A_MISSING: str(sum(1 for p in child_periods_ if p.kind == MISSING)),
                ANNEX_A_ABSENT: str(sum(1 for p in child_periods_ if p.kind == AWAY)),
                ANNEX_A_OFFERED: offered,
                ANNEX_A_ACCEPTED: accepted,
            }
        )
    return rows
