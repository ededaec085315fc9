"""Contact attempts and outcomes: in time or not is computed; bad times save nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from deadlines.models import Deadline, DeadlineState
from interviews import services
from interviews.models import ContactAttempt, Status

pytestmark = pytest.mark.django_db


def test_a_worker_records_contact_attempts(world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    services.contact_attempt_record(
        interview=interview,
        by=world.rhi_worker,
        attempted_at=timezone.now() - datetime.timedelta(hours=1),
        method="phone",
        result="no_answer",
    )
    assert interview.contact_attempts.get().get_result_display() == "No answer"


def test_a_contact_attempt_before_the_return_saves_nothing(world, interview):
    with pytest.raises(ValidationError, match="before the child’s return"):
        services.contact_attempt_record(
            interview=interview,
            by=world.coordinator_a,
            attempted_at=interview.returned_at - datetime.timedelta(minutes=1),
            method="phone",
            result="no_answer",
        )
    assert not ContactAttempt.objects.exists()


def test_completed_within_72_hours_is_computed_and_meets_the_clocks(world, interview):
    at = timezone.now() - datetime.timedelta(minutes=5)
    services.interview_outcome_record(interview=interview, by=world.coordinator_a, outcome=Status.COMPLETED, at=at)
    interview.refresh_from_db()
    assert interview.completed_at == at and interview.within_72_hours is True
    states = set(
        Deadline.objects.filter(subject_id=interview.pk, kind__startswith="interviews.").values_list("state", flat=True)
    )
    assert states == {DeadlineState.MET}


def test_completed_after_72_hours_is_outside(world):
    from .conftest import returned_interview

    late = returned_interview(world, hours_ago=80)
    services.interview_outcome_record(
        interview=late,
        by=world.coordinator_a,
        outcome=Status.COMPLETED,
        at=timezone.now() - datetime.timedelta(hours=1),
    )
    late.refresh_from_db()
    assert late.within_72_hours is False


def _refused(world, interview, **kwargs):
    history = interview.history.count()
    with pytest.raises(ValidationError) as error:
        services.interview_outcome_record(interview=interview, by=world.coordinator_a, **kwargs)
    interview.refresh_from_db()
    assert interview.status == Status.AWAITING_ALLOCATION and interview.outcome_at is None
    assert interview.history.count() == history
    return str(error.value)


def test_an_outcome_before_the_return_saves_nothing(world, interview):
    message = _refused(
        world, interview, outcome=Status.COMPLETED, at=interview.returned_at - datetime.timedelta(hours=1)
    )
    assert "cannot be before the child’s return" in message


def test_a_completion_time_in_the_future_saves_nothing(world, interview):
    message = _refused(world, interview, outcome=Status.COMPLETED, at=timezone.now() + datetime.timedelta(hours=1))
    assert "cannot be in the future" in message


def test_not_appropriate_needs_a_reason(world, interview):
    message = _refused(world, interview, outcome=Status.NOT_APPROPRIATE, at=timezone.now())
    assert "Say why an interview is not appropriate" in message


def test_declined_records_whether_parents_were_offered_the_chance(world, interview):
    message = _refused(world, interview, outcome=Status.DECLINED, at=timezone.now())
    assert "parents or carers" in message
    services.interview_outcome_record(
        interview=interview,
        by=world.coordinator_a,
        outcome=Status.DECLINED,
        at=timezone.now(),
        parents_offered=True,
        parents_information="Mum thinks she was with older boys",
    )
    interview.refresh_from_db()
    assert interview.status == Status.DECLINED and interview.parents_offered is True
    assert interview.within_72_hours is None
