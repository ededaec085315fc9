"""Reading escalations and meetings: always through the user's scope (the child's)."""

import datetime
from typing import NamedTuple

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, When

from organisations.roles import Role

from .models import (
    Escalation,
    EscalationRecipient,
    EscalationTask,
    Meeting,
    MeetingAction,
    MeetingRecord,
    MeetingState,
    RiskAssessment,
)


def with_recipients(escalations: QuerySet[Escalation]) -> QuerySet[Escalation]:
    return escalations.select_related("child", "episode").prefetch_related(
        Prefetch("recipients", queryset=EscalationRecipient.objects.select_related("user"))
    )


def escalations_to_acknowledge(user) -> QuerySet[Escalation]:
    """Escalations sent to `user` that they have not acknowledged, newest first (for the home page)."""
    return (
        Escalation.objects.visible_to(user)
        .filter(recipients__user=user, recipients__acknowledged_at__isnull=True)
        .select_related("child")
        .order_by("-fired_at", "-pk")
    )


def tasks_to_do(user) -> QuerySet[EscalationTask]:
    """Open tasks escalations gave `user` (the child's social worker), oldest first; the hub and
    managers also see the open tasks nobody holds, because the child has no social worker."""
    whose = Q(assigned_to=user)
    if user.has_role(Role.COORDINATOR, Role.MANAGER):
        whose |= Q(assigned_to__isnull=True)
    return (
        EscalationTask.objects.filter(whose, done_at__isnull=True)
        .filter(escalation__in=Escalation.objects.visible_to(user))
        .select_related("escalation__child")
        .order_by("created_at", "pk")
    )


def escalation_list(*, user, to_acknowledge: bool = False) -> QuerySet[Escalation]:
    escalations = Escalation.objects.visible_to(user)
    if to_acknowledge:
        escalations = escalations.filter(recipients__user=user, recipients__acknowledged_at__isnull=True)
    return escalations.select_related("child", "episode").order_by("-fired_at", "-pk")


def escalation_for_user(*, user, pk: int) -> Escalation:
    return with_recipients(Escalation.objects.visible_to(user)).get(pk=pk)


def escalations_of(*, user, child=None, episode=None) -> QuerySet[Escalation]:
    """A child's or an episode's escalations, newest first, with the reader's acknowledged_at
    (the child is already in the reader's scope)."""
    escalations = (
        Escalation.objects.filter(episode=episode) if episode is not None else Escalation.objects.filter(child=child)
    )
    return with_acknowledged_at(escalations.order_by("-fired_at", "-pk"), user)


def episode_timeline_entries(episode, user) -> list:
    """The escalations an episode fired, for its timeline (episodes.selectors.episode_timeline):
    when, which rule, why and what it created, linked to the escalation's page."""
    from episodes.selectors import SYSTEM, TimelineEntry

    return [
        TimelineEntry(
            when=escalation.fired_at,
            title=f"Escalation: {escalation.get_rule_display()}",
            who=SYSTEM,
            reason=escalation.reason,
            details=[("Created", "; ".join(escalation.created_work) or "Messages only")],
            url=escalation.get_absolute_url(),
        )
        for escalation in Escalation.objects.filter(episode=episode).order_by("fired_at", "pk")
    ]


def meeting_records_of(*, child) -> QuerySet[MeetingRecord]:
    """A child's meetings (the child is already in the reader's scope)."""
    return MeetingRecord.objects.filter(child=child).select_related("meeting").order_by("-meeting__created_at", "-pk")


def with_acknowledged_at(escalations: QuerySet[Escalation], user) -> QuerySet[Escalation]:
    """Annotate `acknowledged_at`, in the same query: the reader's own acknowledgement when it
    was sent to them, else the first acknowledgement by anyone it was sent to."""
    recipients = EscalationRecipient.objects.filter(escalation=OuterRef("pk"))
    own = recipients.filter(user=user).values("acknowledged_at")[:1]
    first = recipients.filter(acknowledged_at__isnull=False).order_by("acknowledged_at").values("acknowledged_at")[:1]
    return escalations.annotate(
        acknowledged_at=Case(When(Exists(recipients.filter(user=user)), then=Subquery(own)), default=Subquery(first))
    )


def acknowledged_at_for(escalation: Escalation, user):
    """The reader's own acknowledgement when it was sent to them, else the first by anyone."""
    recipients = list(escalation.recipients.all())
    own = next((r for r in recipients if r.user_id == user.pk), None)
    if own is not None:
        return own.acknowledged_at
    times = [r.acknowledged_at for r in recipients if r.acknowledged_at]
    return min(times) if times else None


# --- Meetings ------------------------------------------------------------------------------------


class MeetingWork(NamedTuple):
    """A person's meeting work for the home page: meetings to convene due soon or overdue, and
    their own open actions, each a queryset scoped to them."""

    meetings_due: QuerySet[Meeting]
    actions_due: QuerySet[MeetingAction]


# The home page shows meetings to convene due within this long, and every overdue one.
MEETINGS_DUE_WITHIN = datetime.timedelta(days=7)


def meetings_and_actions_due(user, now: datetime.datetime) -> MeetingWork:
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(state=MeetingState.TO_CONVENE, due_at__lte=now + MEETINGS_DUE_WITHIN)
        .order_by("due_at", "pk")
    )
    actions = (
        MeetingAction.objects.filter(owner=user, completed_at__isnull=True)
        .filter(record__in=MeetingRecord.objects.visible_to(user))
        .select_related("record__meeting", "record__child")
        .order_by("due_at", "pk")
    )
    return MeetingWork(meetings_due=meetings, actions_due=actions)


def meeting_list(*, user, state: str = "") -> QuerySet[Meeting]:
    meetings = Meeting.objects.visible_to(user).select_related("chair")
    if state:
        meetings = meetings.filter(state=state)
    visible_records = MeetingRecord.objects.visible_to(user).select_related("child")
    return meetings.prefetch_related(Prefetch("records", queryset=visible_records, to_attr="visible_records")).order_by(
        "state", "due_at", "-pk"
    )


def meeting_for_user(*, user, pk: int) -> Meeting:
    return Meeting.objects.visible_to(user).select_related("chair", "local_authority").get(pk=pk)


def visible_records(*, user, meeting: Meeting) -> QuerySet[MeetingRecord]:
    """The children's records of a meeting that `user` may see: never another child's part."""
    actions = MeetingAction.objects.select_related("owner", "completed_by")
    return (
        MeetingRecord.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("child", "escalation")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("pk")
    )


def record_for_user(*, user, meeting: Meeting, pk: int) -> MeetingRecord:
    return visible_records(user=user, meeting=meeting).get(pk=pk)


def people_for_meeting(meeting: Meeting) -> QuerySet:
    """Who may chair, attend or own an action: people of any agency serving the local
    authorities of the meeting's children (council, police, health, education, charities)."""
    from organisations.models import User

    authorities = set()
    for responsible, host in MeetingRecord.objects.filter(meeting=meeting).values_list(
        "child__responsible_authority_id", "child__host_authority_id"
    ):
        authorities.update(a for a in (responsible, host) if a)
    authorities.add(meeting.local_authority_id)
    return (
        User.objects.filter(
            is_active=True, memberships__active=True, memberships__agency__local_authorities__in=list(authorities)
        )
        .distinct()
        .order_by("full_name")
    )


# --- Risk assessments ----------------------------------------------------------------------------


def assessments_of(*, child) -> QuerySet[RiskAssessment]:
    """Every version of a child's assessment, newest first (the child is in the reader's scope)."""
    return (
        RiskAssessment.objects.filter(child=child)
        .select_related("social_worker_signed_by", "manager_signed_by")
        .order_by("-version")
    )


def assessment_for_user(*, user, pk: int) -> RiskAssessment:
    from children.models import Child

    return (
        RiskAssessment.objects.filter(child__in=Child.objects.visible_to(user).values("pk"))
        .select_related("child", "social_worker_signed_by", "manager_signed_by", "created_by")
        .get(pk=pk)
    )


def assessment_due(*, child):
    """The child's open risk assessment clock (a Deadline), if any."""
    from django.contrib.contenttypes.models import ContentType

    from deadlines.models import Deadline, DeadlineState

    from .services import ASSESSMENT_DUE

    return Deadline.objects.filter(
        kind=ASSESSMENT_DUE,
        subject_type=ContentType.objects.get_for_model(child),
        subject_id=child.pk,
        state=DeadlineState.OPEN,
    ).first()
