"""The demo has return interviews in every state, some breached and some due in the next hours."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from interviews.models import OPEN_STATUSES, RecordState, ReturnInterview, Status

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_interviews_in_every_state(capsys):
    call_command("seed_demo", children=60)
    assert "Created return interviews" in capsys.readouterr().out
    statuses = set(ReturnInterview.objects.values_list("status", flat=True))
    assert {Status.AWAITING_ALLOCATION, Status.ALLOCATED, Status.COMPLETED} <= statuses
    assert len(statuses & {Status.DECLINED, Status.NO_CONTACT, Status.NOT_APPROPRIATE, Status.MISSING_AGAIN}) >= 2
    assert ReturnInterview.objects.filter(record__state=RecordState.AUTHORISED).exists()
    now = timezone.now()
    open_interviews = ReturnInterview.objects.filter(status__in=OPEN_STATUSES)
    assert open_interviews.filter(due_at__lte=now).exists()  # breached
    assert open_interviews.filter(due_at__gt=now).exists()  # due in the hours to come
    completed = ReturnInterview.objects.filter(status=Status.COMPLETED)
    assert {i.within_72_hours for i in completed} == {True, False}
