"""Return interviews in the states the tests need, built through the services."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from interviews import services
from interviews.models import Consent, ReturnInterview
from tests.factories import make_agreement

from .helpers import interview_of, returned_episode

COMPLETE_RECORD = {
    "place": "Youth centre",
    "seen_alone": True,
    "push_factors": ["conflict_home"],
    "pull_factors": ["friends"],
    "primary_factor": "conflict_home",
    "where_stayed": "At a friend's flat in Salford",
    "how_returned": "Came home on the bus",
    "child_words": "I just needed to get away for a bit.",
    "consent": Consent.YES,
    "share_with": "Social worker and police",
}


def returned_interview(world, child=None, *, hours_ago: float = 6) -> ReturnInterview:
    now = timezone.now()
    returned = now - datetime.timedelta(hours=hours_ago)
    episode = returned_episode(world, child, last_seen=returned - datetime.timedelta(hours=4), returned=returned)
    return interview_of(episode)


def completed_record(world, interview, *, submit=True) -> ReturnInterview:
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    held_at = interview.returned_at + datetime.timedelta(hours=2)
    services.record_save(interview=interview, by=world.rhi_worker, data={**COMPLETE_RECORD, "held_at": held_at})
    if submit:
        services.record_submit(interview=interview, by=world.rhi_worker)
    interview.refresh_from_db()
    return interview


def authorised(world, interview) -> ReturnInterview:
    completed_record(world, interview)
    services.record_authorise(interview=interview, by=world.manager_a, agreement=make_agreement())
    interview.refresh_from_db()
    return interview


@pytest.fixture
def still():
    """The clock stands still (to the minute), so "due in 12 hours" means exactly that."""
    with time_machine.travel(timezone.now().replace(second=0, microsecond=0), tick=False):
        yield


@pytest.fixture
def interview(world) -> ReturnInterview:
    return returned_interview(world)
