"""The manager dashboard's figures (Wigan protocol §13, domain.md 'Data and reporting'): who may
count which episodes, the measures, and the records behind each figure.

Every figure is an aggregate query over one scope of episodes. A measure sorts each episode (or
return interview) into one bucket with a SQL expression; its figure counts the bucket and its
drill-down filters on the same expression, so a figure and the records behind it never disagree.
"""

import datetime
import zoneinfo
from dataclasses import asdict, dataclass, field, replace

from django.db import connections
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from children.models import LOOKED_AFTER, Child, Establishment, EthnicityCode, Gender
from children.scope import authority_wide_ids, hidden_from, of_authorities
from episodes.models import Category, Episode, ReturnMethod
from interviews.models import PULL_FACTORS, PUSH_FACTORS, InterviewRecord, ReturnInterview, Status
from organisations.models import LocalAuthority
from organisations.roles import AGGREGATE_ONLY, Role

from . import geography, suppression
from .models import DashboardSnapshot

UK = zoneinfo.ZoneInfo("Europe/London")

# Managers read the dashboard (domain.md, 'People'); the hub prepares the monthly governance
# pack from it; analysts see its figures, never a name.
NAMED_DASHBOARD_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER})
DASHBOARD_ROLES = NAMED_DASHBOARD_ROLES | AGGREGATE_ONLY

# The bucket of a record with nothing recorded for the measure, as it appears in an address.
NOT_RECORDED = "none"
NOT_RECORDED_LABEL = "Not recorded"

# Legal status filter values beyond the statuses themselves.
LOOKED_AFTER_ANY = "looked_after"
NOT_LOOKED_AFTER = "not_looked_after"

# Interviews that count as offered: all but those cancelled (every return withdrawn) or judged
# not appropriate, as Annex A counts them (docs/reporting.md).
NOT_OFFERED = (Status.CANCELLED, Status.NOT_APPROPRIATE)
# Children with this many episodes or more in the period are 'repeat' children (DfE ¶46).
REPEAT_EPISODES = 2


# -- Who may count what ------------------------------------------------------------------------


def dashboard_authority_ids(user) -> set[int]:
    """The ids of the local authorities whose figures `user` may read: those served by the
    agencies in which they are a coordinator, a manager or an analyst."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    ids: set[int] = set()
    for membership in user.active_memberships():
        if membership.role in DASHBOARD_ROLES:
            ids.update(membership.agency.authority_ids())
    return ids


def dashboard_authorities(user) -> list[LocalAuthority]:
    """The authorities of `dashboard_authority_ids`, by name."""
    ids = dashboard_authority_ids(user)
    return list(LocalAuthority.objects.filter(pk__in=ids).order_by("name")) if ids else []


def sees_names(user) -> bool:
    """Coordinators and managers see the records behind a figure; analysts only the figures."""
    return user.has_role(*NAMED_DASHBOARD_ROLES)


def aggregate_only_episodes(user) -> QuerySet[Episode]:
    """Episodes an aggregate-only user (an analyst) may count, never read: those of the children
    of the authorities their agency serves, as responsible or host authority (the same children
    the agency's named staff see). `Child.objects.visible_to` gives analysts nothing on purpose;
    this is only ever counted."""
    ids = _aggregate_authority_ids(user)
    return Episode.objects.filter(Q(child__responsible_authority_id__in=ids) | Q(child__host_authority_id__in=ids))


def _aggregate_authority_ids(user) -> set[int]:
    ids: set[int] = set()
    for membership in user.active_memberships():
        if membership.role in AGGREGATE_ONLY:
            ids.update(membership.agency.authority_ids())
    return ids


def countable_episodes(user) -> QuerySet[Episode]:
    """The episodes the dashboard counts for `user`: the episodes they may see when they hold a
    named role, else the aggregate-only scope."""
    if sees_names(user):
        return Episode.objects.visible_to(user)
    if user.has_role(*AGGREGATE_ONLY):
        return aggregate_only_episodes(user)
    return Episode.objects.none()


# -- Filters and periods -----------------------------------------------------------------------


def last_full_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def last_twelve_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve full months to the end of the last full month."""
    end = last_full_month(today)[1]
    return _years_before(end, 1) + datetime.timedelta(days=1), end


def uk_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=UK).astimezone(datetime.UTC)


@dataclass(frozen=True)
class Filters:
    """What the figures are about: episodes whose child's responsible or host authority is one
    of `authorities`, last seen on a UK day from `start` to `end` (both included)."""

    authorities: tuple[int, ...]
    start: datetime.date
    end: datetime.date
    legal_status: str = ""
    establishment: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Filters":
        """The period of equal length just before this one."""
        end = self.start - datetime.timedelta(days=1)
        return replace(self, start=end - datetime.timedelta(days=self.days - 1), end=end)


def episodes_in_period(scope: QuerySet[Episode], filters: Filters) -> QuerySet[Episode]:
    """The episodes of `scope` that the figures count: last seen in the period, of a child of
    one of the authorities, and matching the legal status and establishment chosen."""
    episodes = scope.filter(
        Q(child__responsible_authority_id__in=filters.authorities)
        | Q(child__host_authority_id__in=filters.authorities),
        last_seen_at__gte=uk_midnight(filters.start),
        last_seen_at__lt=uk_midnight(filters.end + datetime.timedelta(days=1)),
    )
    if filters.legal_status == LOOKED_AFTER_ANY:
        episodes = episodes.filter(child__legal_status__in=LOOKED_AFTER)
    elif filters.legal_status == NOT_LOOKED_AFTER:
        episodes = episodes.exclude(child__legal_status__in=LOOKED_AFTER)
    elif filters.legal_status:
        episodes = episodes.filter(child__legal_status=filters.legal_status)
    if filters.establishment is not None:
        episodes = episodes.filter(establishment_id=filters.establishment)
    return episodes.order_by()


def interviews_after(episodes: QuerySet[Episode]) -> QuerySet[ReturnInterview]:
    """The return interviews covering any of `episodes` (each once)."""
    covering = ReturnInterview.episodes.through.objects.filter(episode__in=episodes.values("pk"))
    return ReturnInterview.objects.filter(pk__in=covering.values("returninterview_id")).order_by()


# -- Measures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str


def _choices(choices) -> list[Bucket]:
    return [Bucket(value, label) for value, label in choices]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _outward_code(field_name: str):
    return geography.outward_code(field_name, blank=NOT_RECORDED)


def _text(expression):
    """A column as a bucket key, with blanks and nulls as NOT_RECORDED."""
    return Case(
        When(Q(**{f"{expression}__isnull": True}) | Q(**{expression: ""}), then=Value(NOT_RECORDED)),
        default=F(expression),
        output_field=CharField(),
    )


DURATION_BANDS = [
    Bucket("under-6h", "Under 6 hours"),
    Bucket("6-24h", "6 to 24 hours"),
    Bucket("1-3d", "1 to 3 days"),
    Bucket("3-7d", "3 to 7 days"),
    Bucket("7d-plus", "7 days or more"),
    Bucket("still-missing", "Still missing"),
]
# Upper bounds of the duration bands (returned − last seen), each excluded from its band.
DURATION_LIMITS = [
    ("under-6h", datetime.timedelta(hours=6)),
    ("6-24h", datetime.timedelta(hours=24)),
    ("1-3d", datetime.timedelta(days=3)),
    ("3-7d", datetime.timedelta(days=7)),
]


def _duration_band(filters: Filters):
    whens = [When(returned_at__isnull=True, then=Value("still-missing"))]
    whens += [When(returned_at__lt=F("last_seen_at") + limit, then=Value(key)) for key, limit in DURATION_LIMITS]
    return Case(*whens, default=Value("7d-plus"), output_field=CharField())


# Four-hour bands of the UK hour the child was last seen.
HOUR_BAND_SIZE = 4
TIME_OF_DAY_BANDS = [
    Bucket(f"{start:02d}-{start + HOUR_BAND_SIZE:02d}", f"{start:02d}:00 to {start + HOUR_BAND_SIZE - 1:02d}:59")
    for start in range(0, 24, HOUR_BAND_SIZE)
]


def _time_of_day(filters: Filters):
    hour = ExtractHour("last_seen_at", tzinfo=UK)
    whens = [
        When(Q(**{"_hour__lt": start + HOUR_BAND_SIZE}), then=Value(bucket.key))
        for start, bucket in zip(range(0, 24, HOUR_BAND_SIZE), TIME_OF_DAY_BANDS, strict=True)
    ]
    return {"_hour": hour}, Case(*whens, output_field=CharField())


DAYS = [
    Bucket(str(n), name)
    for n, name in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], start=1)
]


def _day_of_week(filters: Filters):
    whens = [When(_weekday=int(day.key), then=Value(day.key)) for day in DAYS]
    return {"_weekday": ExtractIsoWeekDay("last_seen_at", tzinfo=UK)}, Case(*whens, output_field=CharField())


AGE_BANDS = [
    Bucket("12-under", "12 and under"),
    Bucket("13-14", "13 or 14"),
    Bucket("15", "15"),
    Bucket("16-17", "16 or 17"),
    Bucket("18-over", "18 and over"),
    Bucket(NOT_RECORDED, "Date of birth not known"),
]


def _age_band(filters: Filters):
    """Age on the last day of the period."""
    day = filters.end
    return Case(
        When(child__date_of_birth__isnull=True, then=Value(NOT_RECORDED)),
        When(child__date_of_birth__gt=_years_before(day, 13), then=Value("12-under")),
        When(child__date_of_birth__gt=_years_before(day, 15), then=Value("13-14")),
        When(child__date_of_birth__gt=_years_before(day, 16), then=Value("15")),
        When(child__date_of_birth__gt=_years_before(day, 18), then=Value("16-17")),
        default=Value("18-over"),
        output_field=CharField(),
    )


def _looked_after(filters: Filters):
    return Case(
        When(child__legal_status__in=LOOKED_AFTER, then=Value("looked-after")),
        default=Value("not-looked-after"),
        output_field=CharField(),
    )


def _out_of_area(filters: Filters):
    return Case(
        When(child__host_authority__isnull=False, then=Value("out-of-area")),
        default=Value("in-area"),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Measure:
    """One way of sorting episodes into buckets.

    `bucket` gives the SQL expression (and any helper annotations it reads); `buckets` the
    fixed buckets in the order shown (None: the buckets found, largest first, labelled by
    `labels`)."""

    name: str
    title: str
    bucket: object
    buckets: list[Bucket] | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def annotated(self, episodes: QuerySet[Episode], filters: Filters) -> QuerySet[Episode]:
        made = self.bucket(filters)
        helpers, expression = made if isinstance(made, tuple) else ({}, made)
        return episodes.alias(**helpers).annotate(bucket=expression)

    def records(self, episodes: QuerySet[Episode], filters: Filters, value: str) -> QuerySet[Episode]:
        return self.annotated(episodes, filters).filter(bucket=value)

    def label(self, key: str) -> str:
        if self.buckets is not None:
            return next((b.label for b in self.buckets if b.key == key), key)
        return self.labels.get(key, NOT_RECORDED_LABEL if key == NOT_RECORDED else key)


EPISODE_MEASURES = [
    Measure("category", "Missing, absent and away", lambda f: F("category"), _choices(Category.choices)),
    Measure("duration", "How long", _duration_band, DURATION_BANDS),
    Measure("time_of_day", "Time last seen (UK time)", _time_of_day, TIME_OF_DAY_BANDS),
    Measure("day_of_week", "Day last seen", _day_of_week, DAYS),
    Measure("establishment", "Establishment the child was expected at", lambda f: _text("establishment__name")),
    Measure("district", "Postcode district missing from", lambda f: _outward_code("missing_from_postcode")),
    Measure("age", "Age on the last day of the period", _age_band, AGE_BANDS),
    Measure("gender", "Gender", lambda f: F("child__gender"), _choices(Gender.choices)),
    Measure(
        "ethnicity",
        "Ethnicity",
        lambda f: _text("child__ethnicity_code"),
        labels=dict(EthnicityCode.choices),
    ),
    Measure(
        "looked_after",
        "Looked after or not",
        _looked_after,
        [Bucket("looked-after", "Looked after"), Bucket("not-looked-after", "Not looked after")],
    ),
    Measure(
        "out_of_area",
        "Placed out of area",
        _out_of_area,
        [
            Bucket("out-of-area", "Placed out of area (a host authority is recorded)"),
            Bucket("in-area", "Not placed out of area"),
        ],
    ),
    Measure("found_district", "Postcode district where found", lambda f: _outward_code("found_postcode")),
    Measure(
        "distance",
        "Distance found from where missing from",
        lambda f: geography.distance_band(not_known=NOT_RECORDED),
        [
            *_choices(geography.DISTANCE_BANDS),
            Bucket(NOT_RECORDED, "Not known (a postcode not recorded, or a district not in the list)"),
            Bucket("still-missing", "Not yet found"),
        ],
    ),
    Measure(
        "return_method",
        "How returned",
        lambda f: _text("return_method"),
        [*_choices(ReturnMethod.choices), Bucket(NOT_RECORDED, "Not recorded or not yet returned")],
    ),
]
EPISODE_MEASURE = {measure.name: measure for measure in EPISODE_MEASURES}

# Figures about the return interviews covering the period's episodes.
INTERVIEW_FIGURES = [
    Bucket("offered", "Return interviews offered"),
    Bucket("completed", "Completed"),
    Bucket("declined", "Declined"),
    Bucket("within-72h", "Completed within 72 hours of return"),
]
FACTOR_MEASURES = {
    "push_factor": ("Primary push factor", _choices(PUSH_FACTORS)),
    "pull_factor": ("Primary pull factor", _choices(PULL_FACTORS)),
}


def _interview_filter(key: str, via: str = "") -> Q:
    """The interviews a figure counts; `via` the path to the interview from the rows filtered."""
    return {
        "offered": ~Q(**{f"{via}status__in": NOT_OFFERED}),
        "completed": Q(**{f"{via}status": Status.COMPLETED}),
        "declined": Q(**{f"{via}status": Status.DECLINED}),
        "within-72h": Q(**{f"{via}status": Status.COMPLETED, f"{via}completed_at__lte": F(f"{via}due_at")}),
    }[key]


# -- The figures -------------------------------------------------------------------------------


@dataclass
class Row:
    """One bucket: how many records (episodes, or interviews) and how many different children."""

    key: str
    label: str
    count: int | None  # None: withheld (reporting/suppression.py)
    children: int | None


@dataclass
class Breakdown:
    """One table: episodes (or interviews) and children for each bucket of a measure."""

    measure: str
    title: str
    rows: list[Row]
    counts: str = "episodes"
    # Rows found but not shown: the page shows a long table's largest rows (dashboard_views.py).
    left_out: int = 0


@dataclass
class Figure:
    """A headline figure, with the previous period's value."""

    label: str
    value: int | None  # None: withheld (reporting/suppression.py)
    previous: int | None
    measure: str
    key: str = ""
    percent: int | None = None
    # What the figure counts, unique among the figures ('episodes', 'children', 'missing', …).
    name: str = ""

    @property
    def change(self) -> int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_words(self) -> str:
        if self.change is None:
            return suppression.SUPPRESSED_WORD
        if self.change == 0:
            return "No change"
        return f"+{self.change}" if self.change > 0 else f"−{-self.change}"


@dataclass
class Dashboard:
    filters: Filters
    previous: Filters
    headlines: list[Figure]
    interviews: list[Figure]
    breakdowns: list[Breakdown]
    # Small counts withheld, for a reader who sees no names (reporting/suppression.py).
    suppressed: bool = False
    # When the figures were counted, if they are the figures kept (DashboardSnapshot); None
    # when counted for this reading.
    counted_at: datetime.datetime | None = None

    @property
    def suppression_note(self) -> str:
        return suppression.NOTE if self.suppressed else ""

    def figures_json(self) -> dict:
        """The figures, as DashboardSnapshot keeps them."""
        return {
            "headlines": [asdict(f) for f in self.headlines],
            "interviews": [asdict(f) for f in self.interviews],
            "breakdowns": [asdict(b) for b in self.breakdowns],
        }

    @classmethod
    def from_figures_json(cls, figures: dict, *, filters: Filters, counted_at: datetime.datetime) -> "Dashboard":
        breakdowns = [Breakdown(**{**b, "rows": [Row(**row) for row in b["rows"]]}) for b in figures["breakdowns"]]
        return cls(
            filters=filters,
            previous=filters.previous(),
            headlines=[Figure(**f) for f in figures["headlines"]],
            interviews=[Figure(**f) for f in figures["interviews"]],
            breakdowns=breakdowns,
            counted_at=counted_at,
        )


def _headline_counts(scope: QuerySet[Episode], filters: Filters) -> tuple[dict[str, int], dict[str, int]]:
    """Episodes, children, repeat children, missing, absent, away and the interview figures, for
    the period of `filters` and for the previous one. The episodes of both periods are read once:
    counted child by child and period by period, then the children of each period (where
    counting each period, and episodes and repeat children, apart read them again). The
    interviews covering an episode of either period are counted in one query too."""
    periods = {"now": filters, "before": filters.previous()}
    both = episodes_in_period(scope, replace(filters, start=periods["before"].start))
    per_child = (
        both.annotate(
            period=Case(When(last_seen_at__gte=uk_midnight(filters.start), then=Value("now")), default=Value("before"))
        )
        .values("child_id", "period")
        .annotate(n=Count("pk"), **{f"n_{value}": Count("pk", filter=Q(category=value)) for value in Category.values})
    )
    figures = {}
    for period in periods:
        where = Q(period=period)
        figures[period] = {
            "episodes": Sum("n", filter=where),
            "children": Count("child_id", filter=where),
            "repeat": Count("child_id", filter=where & Q(n__gte=REPEAT_EPISODES)),
            **{value: Sum(f"n_{value}", filter=where) for value in Category.values},
        }
    totals = per_child.aggregate(**{f"{p}_{name}": e for p, named in figures.items() for name, e in named.items()})
    counts = {period: {name: totals[f"{period}_{name}"] or 0 for name in figures[period]} for period in periods}
    # The interviews covering an episode of either period, through the episodes they cover: an
    # interview is counted once in each period it covers an episode of.
    now = Q(episode__last_seen_at__gte=uk_midnight(filters.start))
    totals = ReturnInterview.episodes.through.objects.filter(episode__in=both.values("pk")).aggregate(
        **{
            f"{period}_{bucket.key}": Count(
                "returninterview_id",
                distinct=True,
                filter=where & _interview_filter(bucket.key, via="returninterview__"),
            )
            for period, where in (("now", now), ("before", ~now))
            for bucket in INTERVIEW_FIGURES
        }
    )
    for period in periods:
        counts[period].update({bucket.key: totals[f"{period}_{bucket.key}"] for bucket in INTERVIEW_FIGURES})
    return counts["now"], counts["before"]


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _rows(measure: Measure, episodes: QuerySet[Episode], filters: Filters) -> list[Row]:
    """One measure's rows, in one grouped query."""
    found = {
        row["bucket"]: (row["n"], row["children"])
        for row in measure.annotated(episodes, filters)
        .values("bucket")
        .annotate(n=Count("pk"), children=Count("child_id", distinct=True))
        .order_by()
    }
    return _ordered_rows(measure, found)


def _ordered_rows(measure: Measure, found: dict[str, tuple[int, int]]) -> list[Row]:
    """Rows from {bucket: (records, children)}: every fixed bucket in its order, else the buckets
    found, largest first, 'not recorded' last."""
    if measure.buckets is not None:
        return [Row(b.key, b.label, *found.get(b.key, (0, 0))) for b in measure.buckets]
    rows = [Row(key, measure.label(key), n, children) for key, (n, children) in found.items()]
    return sorted(rows, key=lambda row: (row.key == NOT_RECORDED, -row.count, row.label))


def _measure_rows(measures: list[Measure], episodes: QuerySet[Episode], filters: Filters) -> dict[str, list[Row]]:
    """Every measure's rows. On PostgreSQL one query: the period's episodes are read once and
    grouped by each measure's bucket in turn (GROUPING SETS), where one query a measure read
    them once a measure (docs/benchmarks.md). SQLite, the demo's database, has no grouping
    sets: one query a measure. Both group on the expressions the drill-down filters on."""
    if connections[episodes.db].vendor != "postgresql":
        return {measure.name: _rows(measure, episodes, filters) for measure in measures}
    columns = [f"bucket_{n}" for n in range(len(measures))]
    annotated = episodes
    for column, measure in zip(columns, measures, strict=True):
        made = measure.bucket(filters)
        helpers, expression = made if isinstance(made, tuple) else ({}, made)
        annotated = annotated.alias(**helpers).annotate(**{column: expression})
    inner, params = annotated.values("child_id", *columns).query.sql_with_params()
    quoted = ", ".join(f'"{column}"' for column in columns)
    sets = ", ".join(f'("{column}")' for column in columns)
    sql = (
        f'SELECT GROUPING({quoted}), {quoted}, COUNT(*), COUNT(DISTINCT "child_id")'
        f" FROM ({inner}) AS period_episodes GROUP BY GROUPING SETS ({sets})"
    )
    found: list[dict[str, tuple[int, int]]] = [{} for _ in measures]
    with connections[episodes.db].cursor() as cursor:
        cursor.execute(sql, params)
        for grouping, *buckets, n, children in cursor.fetchall():
            # GROUPING() has a 0 bit, counted from the left, for the one column grouped on.
            index = next(i for i in range(len(measures)) if not grouping >> (len(measures) - 1 - i) & 1)
            found[index][buckets[index]] = (n, children)
    return {measure.name: _ordered_rows(measure, rows) for measure, rows in zip(measures, found, strict=True)}


def _factor_rows(episodes: QuerySet[Episode]) -> dict[str, list[Row]]:
    """Primary push and pull factors of the completed interviews' records: one query."""
    completed = interviews_after(episodes).filter(status=Status.COMPLETED)
    found = {
        row["primary_factor"]: (row["n"], row["children"])
        for row in InterviewRecord.objects.filter(interview__in=completed)
        .exclude(primary_factor="")
        .values("primary_factor")
        .annotate(n=Count("pk"), children=Count("interview__child_id", distinct=True))
        .order_by()
    }
    return {
        name: [Row(b.key, b.label, *found.get(b.key, (0, 0))) for b in buckets]
        for name, (_, buckets) in FACTOR_MEASURES.items()
    }


def dashboard_build(*, scope: QuerySet[Episode], filters: Filters) -> Dashboard:
    """Every figure of the dashboard for the episodes of `scope` under `filters`.

    1. Headline counts for the period and for the previous period of equal length.
    2. The episode measures, grouped in one query on PostgreSQL (one a measure on SQLite).
    3. One grouped query for the primary push and pull factors.
    """
    episodes = episodes_in_period(scope, filters)
    previous = filters.previous()
    now, before = _headline_counts(scope, filters)

    def figure(label, key, measure, value=""):
        return Figure(label, now[key], before[key], measure, value, name=key)

    headlines = [
        figure("Episodes", "episodes", "all"),
        figure("Children", "children", "all"),
        figure(f"Children with {REPEAT_EPISODES} or more episodes", "repeat", "repeat"),
        *[figure(label, value, "category", value) for value, label in Category.choices],
    ]
    interviews = [figure(b.label, b.key, "interviews", b.key) for b in INTERVIEW_FIGURES]
    interviews[-1].percent = _percent(now["within-72h"], now["completed"])
    rows = _measure_rows(EPISODE_MEASURES, episodes, filters)
    breakdowns = [Breakdown(m.name, m.title, rows[m.name]) for m in EPISODE_MEASURES]
    factors = _factor_rows(episodes)
    breakdowns += [
        Breakdown(name, title, factors[name], counts="interviews") for name, (title, _) in FACTOR_MEASURES.items()
    ]
    return Dashboard(
        filters=filters, previous=previous, headlines=headlines, interviews=interviews, breakdowns=breakdowns
    )


def dashboard_for(user, filters: Filters) -> Dashboard:
    """The dashboard as `user` may read it: the figures kept for the filters when they count
    exactly the user's scope, else counted in their scope now; small counts withheld when they
    see figures only (analysts)."""
    board = kept_board(filters)
    if board is None or not counts_every_child_of(user, filters.authorities):
        board = dashboard_build(scope=countable_episodes(user), filters=filters)
    return board if sees_names(user) else suppression.suppress_board(board)


# -- The figures kept ----------------------------------------------------------------------------

# Figures kept longer ago than this are not shown (their refresh has stopped): the dashboard
# counts afresh instead (reporting/snapshot_services.py counts them every few minutes).
KEPT_FIGURES_SHOWN_FOR = datetime.timedelta(hours=2)
# Figures are kept for sets of at least this many authorities: one is counted fast enough while
# the reader waits (docs/benchmarks.md).
KEPT_FROM_AUTHORITIES = 2


def authorities_key(authority_ids) -> str:
    """A set of authorities as DashboardSnapshot names it."""
    return ",".join(str(pk) for pk in sorted(authority_ids))


def kept_board(filters: Filters) -> Dashboard | None:
    """The figures kept for `filters` (every child of the authorities), if they were counted
    recently; None when none are kept for them (a legal status or an establishment chosen, or
    a period or a set of authorities the refresh does not count)."""
    if filters.legal_status or filters.establishment is not None or len(filters.authorities) < KEPT_FROM_AUTHORITIES:
        return None
    snapshot = DashboardSnapshot.objects.filter(
        authorities=authorities_key(filters.authorities),
        start=filters.start,
        end=filters.end,
        counted_at__gte=timezone.now() - KEPT_FIGURES_SHOWN_FOR,
    ).first()
    if snapshot is None:
        return None
    return Dashboard.from_figures_json(snapshot.figures, filters=filters, counted_at=snapshot.counted_at)


def counts_every_child_of(user, authority_ids) -> bool:
    """Whether `user`'s dashboard counts every episode of every child of the authorities, as the
    figures kept do: an analyst of them, or a named reader who sees their children
    authority-wide with none of them restricted from the reader."""
    wanted = set(authority_ids)
    if not sees_names(user):
        return bool(wanted) and wanted <= _aggregate_authority_ids(user)
    if not wanted or not wanted <= authority_wide_ids(user):
        return False
    hidden = hidden_from(user)
    return hidden is None or not Child.objects.filter(of_authorities(wanted)).filter(hidden).exists()


# -- The records behind a figure ---------------------------------------------------------------


class UnknownFigure(ValueError):
    """The address names no figure of the dashboard."""


MEASURE_TITLES = {
    "all": "All episodes",
    "repeat": f"Episodes of children with {REPEAT_EPISODES} or more episodes",
    "interviews": "Return interviews",
    **{m.name: m.title for m in EPISODE_MEASURES},
    **{name: title for name, (title, _) in FACTOR_MEASURES.items()},
}


def figure_label(measure: str, value: str) -> str:
    """What a figure is, in words: 'How long: 6 to 24 hours'."""
    if measure in EPISODE_MEASURE:
        return f"{EPISODE_MEASURE[measure].title}: {EPISODE_MEASURE[measure].label(value)}"
    if measure == "interviews":
        return next(b.label for b in INTERVIEW_FIGURES if b.key == value)
    if measure in FACTOR_MEASURES:
        title, buckets = FACTOR_MEASURES[measure]
        return f"{title}: {next(b.label for b in buckets if b.key == value)}"
    return MEASURE_TITLES[measure]


def _check(measure: str, value: str) -> None:
    if measure not in MEASURE_TITLES:
        raise UnknownFigure(f"The dashboard has no figure called “{measure[:40]}”.")
    fixed = None
    if measure in EPISODE_MEASURE:
        fixed = EPISODE_MEASURE[measure].buckets
    elif measure == "interviews":
        fixed = INTERVIEW_FIGURES
    elif measure in FACTOR_MEASURES:
        fixed = FACTOR_MEASURES[measure][1]
    if fixed is not None and value not in {b.key for b in fixed}:
        raise UnknownFigure(f"“{value[:40]}” is not one of the values of “{MEASURE_TITLES[measure]}”.")
    if fixed is None and measure in EPISODE_MEASURE and not value:
        raise UnknownFigure(f"Say which value of “{MEASURE_TITLES[measure]}” to list.")


def episodes_behind(*, scope: QuerySet[Episode], filters: Filters, measure: str, value: str) -> QuerySet[Episode]:
    """The episodes counted in an episode figure (`measure` 'all', 'repeat' or an episode
    measure), in the order they happened."""
    _check(measure, value)
    episodes = episodes_in_period(scope, filters)
    if measure == "repeat":
        repeat = episodes.values("child_id").annotate(n=Count("pk")).filter(n__gte=REPEAT_EPISODES)
        episodes = episodes.filter(child_id__in=repeat.values("child_id"))
    elif measure in EPISODE_MEASURE:
        episodes = EPISODE_MEASURE[measure].records(episodes, filters, value)
    elif measure != "all":
        raise UnknownFigure(f"“{MEASURE_TITLES[measure]}” counts return interviews, not episodes.")
    return episodes.select_related("child", "force", "establishment").order_by("last_seen_at", "pk")


def interviews_behind(
    *, scope: QuerySet[Episode], filters: Filters, measure: str, value: str
) -> QuerySet[ReturnInterview]:
    """The return interviews counted in an interview figure (the interview figures and the
    primary factors), in the order of the returns they follow."""
    _check(measure, value)
    interviews = interviews_after(episodes_in_period(scope, filters))
    if measure == "interviews":
        interviews = interviews.filter(_interview_filter(value))
    elif measure in FACTOR_MEASURES:
        interviews = interviews.filter(status=Status.COMPLETED, record__primary_factor=value)
    else:
        raise UnknownFigure(f"“{MEASURE_TITLES[measure]}” counts episodes, not return interviews.")
    return interviews.select_related("child").order_by("returned_at", "pk")


def counts_interviews(measure: str) -> bool:
    return measure == "interviews" or measure in FACTOR_MEASURES


def establishments_for(authority_ids) -> QuerySet[Establishment]:
    return Establishment.objects.filter(local_authority_id__in=authority_ids).order_by("name")
