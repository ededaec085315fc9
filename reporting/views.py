"""Each role's home page: what needs doing today. Later issues add their work to it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from children import scope
from children.models import Child
from children.selectors import children_allocated_to
from episodes import selectors as episodes
from interviews import selectors as interviews
from missing.homelists import HOME_LINES, HomeList, counts
from missing.middleware import renew_session
from organisations.roles import AGGREGATE_ONLY, CHILD_READERS, Role
from privacy import retention
from privacy.selectors import break_glass_to_review
from privacy.services import note_children
from risk import selectors as risk
from risk.workingdays import UK_TIME, previous_working_day, start_of_day

from .export_services import export_authority_ids
from .weekly import MEETING_ROLES

# How many children missing now the home page lists before pointing to the episode list.
MISSING_NOW_SHOWN = 20
# Who sees the episode work on their home page: overdue safe-and-well checks, children missing now.
EPISODE_WORKERS = frozenset({Role.COORDINATOR, Role.POLICE_SPOC})


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    # The hub and managers see the children added last.
    recent = []
    if user.has_role(Role.COORDINATOR, Role.MANAGER):
        newest = Child.objects.filter(scope.newest_visible(user, HOME_LINES)).order_by("-created_at", "-pk")
        recent = list(newest.select_related("responsible_authority"))
    context = {
        "now": now,
        "memberships": user.active_memberships(),
        "aggregate_only": user.roles() <= AGGREGATE_ONLY and bool(user.roles()),
        "is_admin": user.has_role(Role.ADMINISTRATOR) or user.is_superuser,
        "is_officer": user.has_role(Role.DATA_PROTECTION_OFFICER),
        "retention_reviewer": retention.is_reviewer(user),
        "allocated": children_allocated_to(user).select_related("responsible_authority")[:20],
        "recent": recent,
        "episode_work": False,
        "weekly_meeting": user.has_role(*MEETING_ROLES),
        "can_export": bool(export_authority_ids(user)),
        "records_to_confirm": None,
        "break_glass_to_review": 0,
    }
    # The page's counts in one query, the inbox's unread count with them.
    counted = {"unread_notifications": interviews.unread_notifications(user), "child_count": scope.visible_count(user)}
    if context["is_officer"]:
        counted["break_glass_to_review"] = break_glass_to_review(user)
    if user.has_role(Role.COORDINATOR):
        counted["records_to_confirm"] = episodes.records_to_confirm(user=user)
    context.update(counts(**counted))
    if user.has_role(*EPISODE_WORKERS):
        new_since = start_of_day(previous_working_day(now.astimezone(UK_TIME).date()))
        work = episodes.episode_work(user=user, now=now, since=new_since, lines=MISSING_NOW_SHOWN)
        context.update(
            episode_work=True,
            overdue_checks=work["overdue_checks"].rows,
            missing_now=[(episode, episode.duration(now)) for episode in work["missing_now"].rows],
            missing_count=work["missing_now"].total,
            more_missing=work["missing_now"].more > 0,
            new_since=new_since,
            new_episodes=work["new_episodes"].rows,
            more_new=work["new_episodes"].more > 0,
        )
    context.update(interviews.home_work(user=user, now=now))
    if user.has_role(*CHILD_READERS):
        context.update(_risk_work(user, now))
    note_children(request, _children_shown(context), what="home page")
    return render(request, "home.html", context)


def _risk_work(user, now) -> dict:
    """Escalations to acknowledge, the person's meeting actions and the tasks escalations gave
    them; meetings to convene for the hub and managers (risk/_home_work.html)."""
    work = risk.meetings_and_actions_due(user, now)
    shown = {
        "risk_work": True,
        "escalations_to_acknowledge": list(risk.escalations_to_acknowledge(user)[:HOME_LINES]),
        "actions_due": list(work.actions_due[:HOME_LINES]),
        "tasks_to_do": list(risk.tasks_to_do(user)[:HOME_LINES]),
    }
    if user.has_role(Role.COORDINATOR, Role.MANAGER):
        shown["meetings_due"] = list(work.meetings_due[:HOME_LINES])
    return shown


def _children_shown(context: dict) -> list[int]:
    """Every child the home page names, for the access log."""
    shown = [child.pk for key in ("allocated", "recent") for child in context[key]]
    shown += [escalation.child_id for escalation in context.get("escalations_to_acknowledge", [])]
    shown += [action.record.child_id for action in context.get("actions_due", [])]
    shown += [task.escalation.child_id for task in context.get("tasks_to_do", [])]
    shown += [episode.child_id for episode in context.get("overdue_checks", [])]
    shown += [episode.child_id for episode, _ in context.get("missing_now", [])]
    shown += [episode.child_id for episode in context.get("new_episodes", [])]
    for value in context.values():
        if isinstance(value, HomeList):
            shown += [getattr(row, "child_id", None) or row.interview.child_id for row in value.rows]
    return shown


@login_required
def keepalive(request):
    """Touched by the session-timeout warning's "Stay signed in" button; renews the idle timer."""
    renew_session(request, force=True)
    return HttpResponse(status=204)
