"""The dashboard's figures counted ahead of time for the readers of many authorities, and kept
current by Celery (docs/reporting.md, 'Figures kept for readers of many authorities').

A regional or national reader's year is millions of episodes: counted while they wait, the page
takes half a minute. For them the refresh counts the standard periods every few minutes and
the dashboard reads the figures kept (DashboardSnapshot), saying when they were counted.

Why whole figures and not sums of monthly rows by authority: the number of different children
does not add up. A child missing in March and again in May is one child in the year and two in
the sum of the months; a child placed by one council in another is one child in their two
authorities' sum. Only a count over the whole period and the whole set of authorities is right.

Kept: for each agency serving more than one authority whose staff read the dashboard, its
authorities together ('All your local authorities', the page's default), for the last full
month and the twelve full months to its end, with no legal status or establishment chosen.
Anything else is counted while the reader waits: one authority is read from its indexes in
well under a second (docs/benchmarks.md).
"""

import datetime
import time

from django.db.models import Max
from django.utils import timezone

from children.models import Child
from episodes.models import Episode
from interviews.models import InterviewRecord, ReturnInterview
from organisations.models import Agency

from . import dashboard
from .models import DashboardSnapshot

# Figures older than this are counted again even when no record's history says it changed (a
# change made without a history row, as a bulk load's).
RECOUNT_AFTER = datetime.timedelta(hours=1)
# A change is dated when it is saved, not when its transaction commits: one saved this long
# before a count began may not have been committed in time for it, so it still counts as after.
COMMIT_GRACE = datetime.timedelta(minutes=1)
# The records whose changes move a figure, each with its history.
COUNTED_RECORDS = (Episode, Child, ReturnInterview, InterviewRecord)


def kept_scopes() -> list[tuple[int, ...]]:
    """The sets of authorities whose figures are kept: those of each agency that serves more
    than one authority and has an active member who reads the dashboard."""
    readers = Agency.objects.filter(
        memberships__active=True, memberships__user__is_active=True, memberships__role__in=dashboard.DASHBOARD_ROLES
    )
    served: dict[int, set[int]] = {}
    links = Agency.local_authorities.through.objects.filter(agency__in=readers.values("pk"))
    for agency_id, authority_id in links.values_list("agency_id", "localauthority_id"):
        served.setdefault(agency_id, set()).add(authority_id)
    return sorted({tuple(sorted(ids)) for ids in served.values() if len(ids) >= dashboard.KEPT_FROM_AUTHORITIES})


def standard_periods(today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The periods kept: the last full month (the page's default) and the twelve months to it."""
    return [dashboard.last_full_month(today), dashboard.last_twelve_months(today)]


def last_change() -> datetime.datetime | None:
    """When a record the figures count last changed, by the records' history."""
    changes = [model.history.aggregate(at=Max("history_date"))["at"] for model in COUNTED_RECORDS]
    return max((at for at in changes if at is not None), default=None)


def dashboard_snapshots_refresh(*, today: datetime.date | None = None, force: bool = False) -> list[DashboardSnapshot]:
    """Count the figures kept (every scope, every standard period) again where they may have
    changed, and drop the figures no scope or period keeps any longer.

    1. A scope's period is counted when it has no figures yet, when a counted record changed
       after they were counted, when they are older than RECOUNT_AFTER, or when `force`d.
    2. Each count replaces its row in one transaction: a reader sees the old figures or the new.
    Returns the snapshots counted."""
    today = today or timezone.localdate()
    changed_at = last_change()
    kept: set[tuple[str, datetime.date, datetime.date]] = set()
    counted = []
    for scope in kept_scopes():
        for start, end in standard_periods(today):
            key = dashboard.authorities_key(scope)
            kept.add((key, start, end))
            snapshot = DashboardSnapshot.objects.filter(authorities=key, start=start, end=end).first()
            if not force and snapshot is not None and not _stale(snapshot, changed_at):
                continue
            counted.append(_count(key, dashboard.Filters(authorities=scope, start=start, end=end)))
    rows = DashboardSnapshot.objects.values_list("pk", "authorities", "start", "end")
    DashboardSnapshot.objects.filter(pk__in=[pk for pk, *row in rows if tuple(row) not in kept]).delete()
    return counted


def _stale(snapshot: DashboardSnapshot, changed_at: datetime.datetime | None) -> bool:
    if timezone.now() - snapshot.counted_at > RECOUNT_AFTER:
        return True
    return changed_at is not None and changed_at >= snapshot.counted_at - COMMIT_GRACE


def _count(key: str, filters: dashboard.Filters) -> DashboardSnapshot:
    counted_at = timezone.now()
    began = time.perf_counter()
    board = dashboard.dashboard_build(scope=Episode.objects.all(), filters=filters)
    snapshot, _ = DashboardSnapshot.objects.update_or_create(
        authorities=key,
        start=filters.start,
        end=filters.end,
        defaults={
            "figures": board.figures_json(),
            "counted_at": counted_at,
            "seconds": time.perf_counter() - began,
        },
    )
    return snapshot
