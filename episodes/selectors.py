"""Reading episodes: the list, one episode and its timeline, a child's episode counts and the
home page's work. Always through the access scope (Episode.objects.visible_to)."""

import calendar
import dataclasses
import datetime
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from children.models import Child
from children.scope import rows_in_scope
from deadlines.models import Deadline, DeadlineState
from missing.homelists import HomeList, Wanted
from missing.moments import uk_datetime
from organisations.roles import Role

from .deadlines import SAFE_AND_WELL
from .models import (
    Category,
    Episode,
    EpisodeState,
    HeldReport,
    Reclassification,
    RiskLevel,
    SafeAndWellCheck,
    Source,
)
from .scope import police_forces_of

# --- The episode list -----------------------------------------------------------------------

SORT_LAST_SEEN = "last_seen"
SORT_LONGEST = "longest"
SORT_RISK = "risk"
SORTS = [
    (SORT_LAST_SEEN, "Last seen, most recent first"),
    (SORT_LONGEST, "Time missing, longest first"),
    (SORT_RISK, "Risk grade, highest first, then longest missing"),
]

# domain.md, 'Police risk grade: high, medium, low (or no apparent risk)': the hub works the
# children at highest risk first. A report not yet graded is an unknown risk, so it comes after
# high and medium and before the grades that say the risk is low.
RISK_FIRST = (RiskLevel.HIGH, RiskLevel.MEDIUM, "", RiskLevel.LOW, RiskLevel.NO_APPARENT_RISK)


def _risk_rank() -> Case:
    """0 for a high risk grade, and so on in RISK_FIRST's order."""
    return Case(*(When(risk_level=grade, then=Value(n)) for n, grade in enumerate(RISK_FIRST)), default=Value(2))


def _time_missing(now: datetime.datetime) -> ExpressionWrapper:
    """Returned − last seen; for an open episode, the time missing so far."""
    end = Coalesce("returned_at", Value(now, output_field=DateTimeField()))
    return ExpressionWrapper(end - F("last_seen_at"), output_field=DurationField())


def _uk_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def episode_list(
    *,
    user,
    now: datetime.datetime,
    state: str = "",
    local_authority=None,
    category: str = "",
    risk_level: str = "",
    last_seen_from: datetime.date | None = None,
    last_seen_to: datetime.date | None = None,
    sort: str = SORT_LAST_SEEN,
) -> QuerySet[Episode]:
    """The episodes `user` may see, filtered; dates are UK days, `last_seen_to` included."""
    episodes = Episode.objects.visible_to(user).select_related("child", "force", "local_authority")
    if state:
        episodes = episodes.filter(state=state)
    if local_authority is not None:
        episodes = episodes.filter(local_authority=local_authority)
    if category:
        episodes = episodes.filter(category=category)
    if risk_level:
        episodes = episodes.filter(risk_level=risk_level)
    if last_seen_from:
        episodes = episodes.filter(last_seen_at__gte=_uk_day_start(last_seen_from))
    if last_seen_to:
        episodes = episodes.filter(last_seen_at__lt=_uk_day_start(last_seen_to + datetime.timedelta(days=1)))
    if sort == SORT_LONGEST:
        return episodes.annotate(time_missing=_time_missing(now)).order_by("-time_missing", "pk")
    if sort == SORT_RISK:
        episodes = episodes.annotate(risk_rank=_risk_rank(), time_missing=_time_missing(now))
        return episodes.order_by("risk_rank", "-time_missing", "pk")
    return episodes.order_by("-last_seen_at", "-pk")


def episode_for_user(*, user, pk: int) -> Episode:
    """One episode, or Episode.DoesNotExist when it does not exist or is out of scope."""
    return (
        Episode.objects.visible_to(user)
        .select_related(
            "child", "child__responsible_authority", "force", "local_authority", "establishment", "safe_and_well"
        )
        .get(pk=pk)
    )


def safe_and_well_deadline(*, episode: Episode) -> Deadline | None:
    """The episode's latest safe-and-well clock, in whatever state."""
    return (
        Deadline.objects.filter(
            kind=SAFE_AND_WELL, subject_type=ContentType.objects.get_for_model(Episode), subject_id=episode.pk
        )
        .order_by("-opened_at", "-pk")
        .first()
    )


def linked_episodes(*, episode: Episode, user) -> QuerySet[Episode]:
    """The episodes of children who went missing with this one, that `user` may see."""
    return episode.linked.visible_to(user).select_related("child").order_by("last_seen_at")


# --- A child's episodes -----------------------------------------------------------------------

# The child page's windows (issue: "counts of missing and absent episodes in the last 30 and 90
# days and 12 months"). An episode counts in a window when the child was last seen at or after
# its start.
COUNT_WINDOWS = [("30 days", datetime.timedelta(days=30)), ("90 days", datetime.timedelta(days=90)), ("12 months", 12)]


def _months_before(now: datetime.datetime, months: int) -> datetime.datetime:
    """The same UK date and time `months` calendar months earlier (29 Feb -> 28 Feb)."""
    local = timezone.localtime(now)
    year, month = divmod(local.year * 12 + local.month - 1 - months, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    naive = local.replace(tzinfo=None, year=year, month=month + 1, day=day)
    return timezone.make_aware(naive)


def window_start(now: datetime.datetime, window: datetime.timedelta | int) -> datetime.datetime:
    if isinstance(window, datetime.timedelta):
        return now - window
    return _months_before(now, window)


@dataclasses.dataclass
class EpisodeCounts:
    windows: list[str]
    # (category label, [count in each window]); every category, even with no episodes.
    rows: list[tuple[str, list[int]]]


def child_episode_counts(*, child: Child, now: datetime.datetime) -> EpisodeCounts:
    """How many missing, absent and away-from-placement episodes the child had in the last 30
    days, 90 days and 12 months (one query)."""
    aggregates = {
        f"{category}_{index}": Count(
            "pk", filter=Q(category=category, last_seen_at__gte=window_start(now, window), last_seen_at__lte=now)
        )
        for category in Category.values
        for index, (_, window) in enumerate(COUNT_WINDOWS)
    }
    counts = Episode.objects.filter(child=child).aggregate(**aggregates)
    return EpisodeCounts(
        windows=[label for label, _ in COUNT_WINDOWS],
        rows=[
            (label, [counts[f"{value}_{index}"] for index in range(len(COUNT_WINDOWS))])
            for value, label in Category.choices
        ],
    )


def child_episodes(*, child: Child) -> QuerySet[Episode]:
    return child.episodes.select_related("force").order_by("-last_seen_at", "-pk")


# --- The home page's work ---------------------------------------------------------------------


def _work_episodes(user) -> QuerySet[Episode]:
    """The episodes whose work may fall to `user`, before the scope: every episode for the hub;
    for a police SPOC, their own force's records (they see the children's other episodes, not
    their work). `rows_in_scope` then keeps those of children in their scope."""
    if user.has_role(Role.POLICE_SPOC) and not user.has_role(Role.COORDINATOR, Role.MANAGER):
        return Episode.objects.filter(force_id__in=police_forces_of(user))
    return Episode.objects.all()


def episode_work(*, user, now: datetime.datetime, since: datetime.datetime, lines: int) -> dict[str, HomeList]:
    """The episode lists of the daily tasking page, in one query:

    - `overdue_checks`: returned children with no safe-and-well check recorded whose 24-hour
      clock has run out: overdue from `due_at` live (the sweep may not have run), or already
      breached and still not done. Most overdue first, every one of them; each episode carries
      `safe_and_well_due`;
    - `missing_now`: open episodes (the child has not returned), highest risk grade first
      (RISK_FIRST), and within a grade missing longest first;
    - `new_episodes`: episodes that reached Homeward at or after `since` (the start of the last
      working day), newest first.

    Each list's episodes are found by its own part of the query (`UNION ALL`): the open
    episodes from the state index, the new ones from the created index, the overdue checks from
    the clocks whose work is outstanding (an index of a few rows, read first: the `in_ids`
    lookup), and the three joined to the scope once (`rows_in_scope`). Asked for as one `OR`,
    PostgreSQL read every episode of every child in scope to find them (docs/benchmarks.md)."""
    outstanding = Deadline.objects.filter(
        Q(state=DeadlineState.OPEN, due_at__lte=now) | Q(state=DeadlineState.BREACHED),
        state__in=[DeadlineState.OPEN, DeadlineState.BREACHED],
        done_at__isnull=True,
        kind=SAFE_AND_WELL,
        subject_type=ContentType.objects.get_for_model(Episode),
    )
    not_checked = Q(returned_at__isnull=False, safe_and_well__isnull=True)
    missing_now, new = Q(state=EpisodeState.MISSING), Q(created_at__gte=since)
    work = _work_episodes(user).order_by()
    listed = {"listed_id": F("pk"), "listed_child": F("child_id")}
    candidates = (
        work.filter(missing_now)
        .values(**listed)
        .union(
            work.filter(new).values(**listed),
            work.filter(not_checked, pk__in_ids=outstanding.values("subject_id")).values(**listed),
            all=True,
        )
        .order_by()
    )
    episodes = (
        Episode.objects.filter(pk__in=rows_in_scope(user, candidates))
        .annotate(
            safe_and_well_due=Subquery(
                outstanding.filter(subject_id=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
            ),
            risk_rank=_risk_rank(),
        )
        .select_related("child", "force")
    )
    # An episode has an outstanding clock exactly when it has the due time of one.
    overdue = not_checked & Q(safe_and_well_due__isnull=False)
    return HomeList.several(
        episodes,
        {
            "overdue_checks": Wanted(overdue, ("safe_and_well_due", "pk"), lines=None),
            "missing_now": Wanted(missing_now, ("risk_rank", "last_seen_at", "pk"), lines),
            "new_episodes": Wanted(new, ("-created_at", "-pk"), lines),
        },
    )


def records_to_confirm(*, user) -> QuerySet[HeldReport]:
    return HeldReport.objects.visible_to(user).filter(decision=HeldReport.Decision.WAITING)


# --- One episode's timeline -------------------------------------------------------------------


@dataclasses.dataclass
class TimelineEntry:
    when: datetime.datetime
    title: str
    who: str = ""
    reason: str = ""
    # (what, from, to)
    changes: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    # (what, value)
    details: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    url: str = ""


SYSTEM = "Homeward (automatic)"
DEADLINE_LABELS = {SAFE_AND_WELL: "Safe-and-well check"}

# Apps built on episodes add their own entries to an episode's timeline (risk: the escalations
# fired) and name their clocks on it; episodes never imports them. A source takes the episode and
# the reader and returns entries (in one or two queries).
TimelineSource = Callable[[Episode, object], list[TimelineEntry]]
_timeline_sources: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource, deadline_labels: dict[str, str] | None = None) -> None:
    """Register from the app's AppConfig.ready()."""
    if source not in _timeline_sources:
        _timeline_sources.append(source)
    DEADLINE_LABELS.update(deadline_labels or {})


# Changes the timeline shows as reclassifications (every one is kept as a Reclassification),
# and bookkeeping nobody reads.
EPISODE_HIDDEN_FIELDS = ["version", "category", "risk_level"]
STATE_TITLES = {
    (EpisodeState.MISSING, EpisodeState.RETURNED): "Return recorded",
    (EpisodeState.RETURNED, EpisodeState.MISSING): "Return withdrawn: still missing",
    (EpisodeState.RETURNED, EpisodeState.CLOSED): "Episode closed",
    (EpisodeState.CLOSED, EpisodeState.RETURNED): "Episode reopened",
}


class _Display:
    """A model field's value as people read it; related records are read once each."""

    def __init__(self):
        self._related: dict[tuple[type, object], str] = {}

    def __call__(self, model, name: str, value) -> str:
        field = model._meta.get_field(name)
        if value in (None, ""):
            return "—"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.is_relation:
            key = (field.related_model, value)
            if key not in self._related:
                related = field.related_model._default_manager.filter(pk=value).first()
                self._related[key] = str(related) if related is not None else "—"
            return self._related[key]
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, datetime.datetime):
            return uk_datetime(value)
        return str(value)

    @staticmethod
    def label(model, name: str) -> str:
        label = str(model._meta.get_field(name).verbose_name)
        return label[:1].upper() + label[1:]

    def changes(self, model, record, previous, excluded=()) -> list[tuple[str, str, str]]:
        delta = record.diff_against(previous, excluded_fields=list(excluded))
        return [
            (self.label(model, c.field), self(model, c.field, c.old), self(model, c.field, c.new))
            for c in delta.changes
        ]


def _who(record) -> str:
    return str(record.history_user) if record.history_user_id else SYSTEM


def _episode_entries(episode: Episode, display: _Display) -> list[TimelineEntry]:
    entries = []
    previous = None
    for record in episode.history.select_related("history_user").order_by("history_date", "history_id"):
        reason = record.history_change_reason or ""
        if previous is None:
            entries.append(
                TimelineEntry(
                    when=record.history_date,
                    title="Episode recorded",
                    who=_who(record),
                    reason=reason,
                    details=[("Source", Source(record.source).label)] if record.source in Source.values else [],
                )
            )
        else:
            changes = display.changes(Episode, record, previous, excluded=EPISODE_HIDDEN_FIELDS)
            if changes:
                title = STATE_TITLES.get((previous.state, record.state), "Episode updated")
                entries.append(
                    TimelineEntry(
                        when=record.history_date, title=title, who=_who(record), reason=reason, changes=changes
                    )
                )
        previous = record
    return entries


def _reclassification_entries(episode: Episode) -> list[TimelineEntry]:
    entries = []
    for change in Reclassification.objects.filter(episode=episode).select_related("changed_by"):
        entries.append(
            TimelineEntry(
                when=change.changed_at,
                title="Reclassified" if change.field == Reclassification.Field.CATEGORY else "Risk re-graded",
                who=str(change.changed_by) if change.changed_by_id else SYSTEM,
                reason=change.reason,
                changes=[(change.get_field_display(), change.from_display, change.to_display)],
                details=[] if change.changed_by_id else [("Source", change.source)],
            )
        )
    return entries


def _safe_and_well_entries(episode: Episode, display: _Display) -> list[TimelineEntry]:
    entries = []
    previous = None
    records = SafeAndWellCheck.history.filter(episode_id=episode.pk).select_related("history_user")
    for record in records.order_by("history_date", "history_id"):
        if previous is None:
            if record.held_at:
                details = [
                    ("When held", uk_datetime(record.held_at)),
                    ("Held by", record.held_by or "—"),
                    ("Outcome", record.outcome or "—"),
                    ("Harm disclosed", display(SafeAndWellCheck, "harm_disclosed", record.harm_disclosed)),
                ]
                title = "Safe-and-well check recorded"
            else:
                details = [("Why no check was held", record.not_held_reason)]
                title = "Decided not to hold a safe-and-well check"
            entries.append(
                TimelineEntry(
                    when=record.history_date,
                    title=title,
                    who=_who(record),
                    reason=record.history_change_reason or "",
                    details=details,
                )
            )
        else:
            changes = display.changes(SafeAndWellCheck, record, previous, excluded=["recorded_by", "episode"])
            if changes:
                entries.append(
                    TimelineEntry(
                        when=record.history_date,
                        title="Safe-and-well check changed",
                        who=_who(record),
                        reason=record.history_change_reason or "",
                        changes=changes,
                    )
                )
        previous = record
    return entries


def _deadline_entries(episode: Episode) -> list[TimelineEntry]:
    entries = []
    records = Deadline.history.filter(
        subject_type=ContentType.objects.get_for_model(Episode), subject_id=episode.pk
    ).select_related("history_user")
    previous_by_deadline = {}
    for record in records.order_by("history_date", "history_id"):
        label = DEADLINE_LABELS.get(record.kind, record.kind)
        previous = previous_by_deadline.get(record.id)
        previous_by_deadline[record.id] = record
        due = [("Due by", uk_datetime(record.due_at))]
        closed_title = {
            DeadlineState.MET: f"{label} done",
            DeadlineState.BREACHED: f"{label} overdue",
            DeadlineState.CANCELLED: f"{label} no longer due",
        }.get(record.state, f"{label}: {record.get_state_display().lower()}")
        if previous is None:
            # A clock learnt of together with the work it asked for is opened already met.
            title = f"{label} due" if record.state == DeadlineState.OPEN else closed_title
        elif previous.state != record.state:
            title = closed_title
        elif previous.due_at != record.due_at:
            entries.append(
                TimelineEntry(
                    when=record.history_date,
                    title=f"{label}: due time moved",
                    who=_who(record),
                    reason=record.history_change_reason or "",
                    changes=[("Due by", uk_datetime(previous.due_at), uk_datetime(record.due_at))],
                )
            )
            continue
        else:
            continue
        entries.append(
            TimelineEntry(
                when=record.history_date,
                title=title,
                who=_who(record),
                reason=record.history_change_reason or "",
                details=due,
            )
        )
    return entries


def _held_entries(episode: Episode) -> list[TimelineEntry]:
    """A record held for a coordinator to confirm which child it is about, and the decision."""
    entries = []
    for held in HeldReport.objects.filter(episode=episode).select_related("decided_by"):
        entries.append(
            TimelineEntry(
                when=held.received_at,
                title="Police record held until a coordinator confirmed the child",
                who=SYSTEM,
                reason=held.source_label,
            )
        )
        if held.decided_at:
            entries.append(
                TimelineEntry(
                    when=held.decided_at,
                    title=held.get_decision_display(),
                    who=str(held.decided_by) if held.decided_by_id else SYSTEM,
                )
            )
    return entries


def _link_entries(episode: Episode, user) -> list[TimelineEntry]:
    """Links made between children who went missing together. A link keeps no time of its own:
    it was made when the later of the two records arrived."""
    return [
        TimelineEntry(
            when=max(episode.created_at, other.created_at),
            title=f"Linked with {other.child.full_name}'s episode: they went missing together",
            url=other.get_absolute_url(),
        )
        for other in linked_episodes(episode=episode, user=user)
    ]


def episode_timeline(*, episode: Episode, user) -> list[TimelineEntry]:
    """Everything that happened to the episode, newest first: its recording and every change
    (who, when, why, from what to what), reclassifications, the safe-and-well check, its clocks,
    the match decision, the links to other children's episodes (those `user` may see) and what
    other apps register (risk: the escalations fired)."""
    display = _Display()
    groups = [
        _episode_entries(episode, display),
        _reclassification_entries(episode),
        _safe_and_well_entries(episode, display),
        _deadline_entries(episode),
        _held_entries(episode),
        _link_entries(episode, user),
        *(source(episode, user) for source in _timeline_sources),
    ]
    ordered = [(e.when, group, index, e) for group, entries in enumerate(groups) for index, e in enumerate(entries)]
    ordered.sort(key=lambda item: item[:3], reverse=True)
    for *_, entry in ordered:
        if entry.reason.casefold() == entry.title.casefold():
            entry.reason = ""
    return [entry for *_, entry in ordered]
