"""Scenarios for the return interview tests: a child's episode recorded and returned through
the police intake, as in production."""

import datetime

import time_machine

from episodes.services import episode_record_return
from interviews.models import ReturnInterview
from tests.factories import make_episode

UTC = datetime.UTC


def feed_time(moment: datetime.datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="minutes")


def missing_episode(world, child=None, *, last_seen: datetime.datetime, **row):
    child = child or world.c1
    with time_machine.travel(last_seen + datetime.timedelta(hours=1), tick=False):
        return make_episode(
            child=child,
            last_seen_at=feed_time(last_seen),
            reported_at=feed_time(last_seen + datetime.timedelta(minutes=30)),
            **row,
        )


def returned_episode(world, child=None, *, last_seen: datetime.datetime, returned: datetime.datetime, **row):
    """A police episode for `child` (C1 by default) that returned at `returned`."""
    episode = missing_episode(world, child, last_seen=last_seen, **row)
    with time_machine.travel(returned, tick=False):
        return episode_record_return(episode=episode, by=world.police_f1, returned_at=returned, now=returned)


def interview_of(episode) -> ReturnInterview:
    return ReturnInterview.objects.get(episodes=episode)
