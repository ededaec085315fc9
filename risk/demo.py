"""Demo escalations, meetings and risk assessments, built through the services: the senior posts
named, every time rule the demo episodes reached fired at the moment it was reached, the older firings
acknowledged and their meetings held with actions (some done, some open, some overdue), the
recent ones still to acknowledge and to convene, and looked-after children's assessments signed
or in draft."""

import datetime
import random

from django.utils import timezone

from children.models import LOOKED_AFTER, Child
from deadlines.models import Deadline, DeadlineState
from organisations.models import LocalAuthority

from . import rules, services
from .models import (
    AssessmentState,
    Escalation,
    EscalationRecipient,
    Meeting,
    MeetingState,
    RiskAssessment,
    SeniorPostHolder,
)

# Firings older than this are acknowledged and their meetings held; newer ones wait.
SETTLED_AFTER = datetime.timedelta(days=10)
ASSESSMENT = {
    "pattern_history": "Goes missing in the evenings, usually returning by the morning",
    "concerns": "Older associates in the city centre; possible criminal exploitation",
    "current_circumstances": "Attending school; placement stable for three months",
    "level": "medium",
    "level_rationale": "Frequent short episodes with adults of concern",
    "people_to_contact": "The carer calls the child, then friends' parents, then the police",
    "on_return": "Safe-and-well check, social worker visit within 24 hours, return interview offered",
    "young_person_participation": "Took part and agreed the plan",
    "carers_participation": "Carer took part",
}
ADDRESSES = [
    {"address": "A friend's flat, Salford", "known_risk": "Older associates", "report_within_hours": 2},
    {"address": "Grandmother's house, Stockport", "known_risk": "None known", "report_within_hours": 6},
]


def demo_risk_exists() -> bool:
    return SeniorPostHolder.objects.exists()


def seed_risk(*, manager, social_worker, coordinators, now=None, seed: int = 12) -> dict[str, int]:
    now = now or timezone.now()
    rng = random.Random(seed)
    manchester = LocalAuthority.objects.get(ons_code="E08000003")
    for post in rules.SeniorPost.values:
        SeniorPostHolder.objects.get_or_create(local_authority=manchester, post=post, user=manager)
    _fire_time_rules_as_they_were_reached(now)
    settled = now - SETTLED_AFTER
    for recipient in EscalationRecipient.objects.filter(escalation__fired_at__lte=settled, acknowledged_at=None):
        services.escalation_acknowledge(
            escalation=recipient.escalation,
            by=recipient.user,
            now=recipient.escalation.fired_at + datetime.timedelta(hours=2),
        )
    for meeting in Meeting.objects.filter(state=MeetingState.TO_CONVENE, due_at__lte=settled).order_by("due_at"):
        _hold(rng, meeting, manager, social_worker, now)

    _assessments(rng, manager, social_worker, now)
    return {
        "escalations": Escalation.objects.count(),
        "to acknowledge": EscalationRecipient.objects.filter(acknowledged_at=None).count(),
        "meetings held": Meeting.objects.filter(state=MeetingState.HELD).count(),
        "meetings to convene": Meeting.objects.filter(state=MeetingState.TO_CONVENE).count(),
        "signed assessments": RiskAssessment.objects.filter(state=AssessmentState.SIGNED).count(),
    }


def _fire_time_rules_as_they_were_reached(now) -> None:
    """Each time rule the demo year reached fires at the moment it was reached (the sweep would
    fire them all now). Only the risk clocks: the other apps' overdue clocks stay for the demo's
    own sweep to find."""
    kinds = [services.deadline_kind(rule) for rule in rules.TIME_RULES]
    for deadline in Deadline.objects.filter(state=DeadlineState.OPEN, kind__in=kinds, due_at__lte=now).order_by(
        "due_at", "pk"
    ):
        claimed = Deadline.objects.filter(pk=deadline.pk, state=DeadlineState.OPEN).update(
            state=DeadlineState.BREACHED, closed_at=deadline.due_at
        )
        if claimed:
            deadline.state, deadline.closed_at = DeadlineState.BREACHED, deadline.due_at
            deadline._change_reason = "Breached (demo data)"
            deadline.save(update_fields=["state", "closed_at"])
            services.time_rule_breached(deadline, deadline.due_at)


def _hold(rng, meeting, manager, social_worker, now) -> None:
    if rng.random() < 0.15:
        return  # never held: overdue
    held_at = min(meeting.due_at - datetime.timedelta(hours=rng.choice([4, 20, 30])), now)
    held_at = max(held_at, meeting.created_at)
    if services.chair_errors(meeting, manager):
        return  # another authority's meeting, or a post the demo manager does not hold there
    services.meeting_record_held(
        meeting=meeting,
        by=manager,
        held_at=held_at,
        chair=manager,
        review_on=(held_at + datetime.timedelta(days=28)).date(),
        attended={i.pk: rng.random() < 0.85 for i in meeting.invitees.all()},
        now=held_at,
    )
    for record in meeting.records.all():
        services.meeting_record_save(
            record=record,
            by=manager,
            data={
                "information_shared": "Police and the placement shared where the child was found before",
                "plan_on_return": "Social worker visit, return interview, review of the placement",
                "reducing_risk": "Disruption of the adults of concern; school mentor",
            },
        )
        due_on = (held_at + datetime.timedelta(days=rng.choice([3, 7, 14]))).date()
        action = services.meeting_action_add(
            record=record,
            by=manager,
            description="Share the child's pen picture with the police",
            owner=social_worker,
            due_on=due_on,
            now=held_at,
        )
        if rng.random() < 0.7 and action.due_at < now:
            services.meeting_action_complete(
                action=action, by=social_worker, now=action.due_at - datetime.timedelta(days=1)
            )


def _assessments(rng, manager, social_worker, now) -> None:
    children = Child.objects.filter(legal_status__in=LOOKED_AFTER, responsible_authority__ons_code="E08000003")
    for n, child in enumerate(children.order_by("pk")[:12]):
        if not services.can_assess(social_worker, child):
            continue
        assessment = services.assessment_start(child=child, by=social_worker, now=now - datetime.timedelta(days=200))
        services.assessment_save(assessment=assessment, by=social_worker, data=ASSESSMENT, addresses=ADDRESSES)
        if n % 4 == 3:
            continue  # a first assessment still in draft
        signed_at = now - datetime.timedelta(days=rng.choice([20, 90, 170, 190]))
        services.assessment_sign(assessment=assessment, by=social_worker, as_role="social_worker", now=signed_at)
        services.assessment_sign(assessment=assessment, by=manager, as_role="manager", now=signed_at)
