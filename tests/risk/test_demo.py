"""The demo has escalations at each threshold, some acknowledged and some waiting, meetings held
and overdue, actions open and done, and risk assessments signed and in draft."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from risk import rules
from risk.models import (
    AssessmentState,
    Escalation,
    EscalationRecipient,
    Meeting,
    MeetingAction,
    MeetingState,
    RiskAssessment,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_escalations_meetings_and_assessments(capsys):
    call_command("seed_demo", children=60)
    assert "Created escalations and meetings" in capsys.readouterr().out
    fired = set(Escalation.objects.values_list("rule", flat=True))
    assert {rules.MISSING_24_HOURS, rules.MISSING_72_HOURS, rules.TWO_OR_MORE_EPISODES} <= fired
    assert EscalationRecipient.objects.filter(acknowledged_at__isnull=False).exists()
    assert EscalationRecipient.objects.filter(acknowledged_at__isnull=True).exists()
    now = timezone.now()
    assert Meeting.objects.filter(state=MeetingState.HELD).exists()
    assert Meeting.objects.filter(state=MeetingState.TO_CONVENE, due_at__lte=now).exists()  # overdue
    assert MeetingAction.objects.filter(completed_at__isnull=False).exists()
    assert MeetingAction.objects.filter(completed_at__isnull=True).exists()
    states = set(RiskAssessment.objects.values_list("state", flat=True))
    assert states == {AssessmentState.SIGNED, AssessmentState.DRAFT}
    # Run again: nothing more.
    counts = (Escalation.objects.count(), Meeting.objects.count(), RiskAssessment.objects.count())
    call_command("seed_demo", children=60)
    assert (Escalation.objects.count(), Meeting.objects.count(), RiskAssessment.objects.count()) == counts
