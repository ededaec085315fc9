"""The weekly multi-agency missing meeting's list: every episode of the week, grouped by child,
printable (domain.md, 'Meetings': the weekly meeting discusses every episode)."""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.utils import timezone

from children.models import Child
from episodes.feed import UK
from episodes.models import Episode
from organisations.roles import Role
from privacy.models import AccessKind
from privacy.services import note_access

# Who prepares and attends the weekly meeting with named children: the hub, managers, the police.
MEETING_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.POLICE_SPOC)


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """The Monday of `day`'s week, and the week's start and end as moments (UK midnights, so a
    week with a clock change is 167 or 169 hours long), in UTC."""
    monday = day - datetime.timedelta(days=day.weekday())

    def midnight(date: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(date, datetime.time(), tzinfo=UK).astimezone(datetime.UTC)

    return monday, midnight(monday), midnight(monday + datetime.timedelta(days=7))


def episodes_of_the_week(*, user, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Episode]:
    """Every episode in `user`'s scope that was open at some time in [start, end): it began
    before the end and had not ended before the start."""
    return (
        Episode.objects.visible_to(user)
        .filter(last_seen_at__lt=end)
        .filter(Q(returned_at__isnull=True) | Q(returned_at__gte=start))
        .select_related("child", "child__responsible_authority", "force")
        .order_by("child__family_name", "child__given_name", "child_id", "last_seen_at", "pk")
    )


@dataclass
class ChildWeek:
    """One child's episodes of the week, each with how long it lasted (or has lasted so far)."""

    child: Child
    rows: list[tuple[Episode, datetime.timedelta]] = field(default_factory=list)


def grouped_by_child(episodes, *, now: datetime.datetime) -> list[ChildWeek]:
    return [
        ChildWeek(child=child, rows=[(episode, episode.duration(now)) for episode in rows])
        for child, rows in groupby(episodes, key=lambda episode: episode.child)
    ]


def _day(text: str | None) -> tuple[datetime.date, str]:
    """The day asked for (any day of the week wanted), or today with a message saying why."""
    if not text:
        return timezone.localdate(), ""
    try:
        return datetime.date.fromisoformat(text), ""
    except ValueError:
        shown = text[:40]
        return timezone.localdate(), f"“{shown}” is not a date, so this week is shown. Give a day as 2026-11-23."


@login_required
def weekly_meeting_list(request):
    user = request.user
    if not user.has_role(*MEETING_ROLES):
        raise PermissionDenied("The weekly missing meeting list is for the hub, managers and police SPOCs.")
    day, week_error = _day(request.GET.get("week"))
    monday, start, end = week_of(day)
    now = timezone.now()
    children = grouped_by_child(episodes_of_the_week(user=user, start=start, end=end), now=now)
    for week in children:
        note_access(
            request,
            kind=AccessKind.PRINT,
            what=f"weekly missing meeting list, week of {monday:%d %b %Y}",
            child=week.child,
        )
    return render(
        request,
        "reporting/weekly_meeting_list.html",
        {
            "monday": monday,
            "sunday": monday + datetime.timedelta(days=6),
            "previous_week": monday - datetime.timedelta(days=7),
            "next_week": monday + datetime.timedelta(days=7),
            "children": children,
            "episode_count": sum(len(week.rows) for week in children),
            "week_error": week_error,
        },
    )
