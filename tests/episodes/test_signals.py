"""The one way apps built on episodes hear of changes: `episodes_changed`, once per batch, from
every door, inside the transaction that made the change."""

import datetime

import pytest
import time_machine

from episodes.services import episode_record_return
from episodes.signals import episodes_changed
from tests.factories import make_episode

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, episode_ids, now, **kwargs):
        calls.append((list(episode_ids), now))

    episodes_changed.connect(receiver, weak=False, dispatch_uid="test-heard")
    yield calls
    episodes_changed.disconnect(dispatch_uid="test-heard")


def test_a_new_police_record_and_a_return_are_each_announced_once(world, heard):
    with time_machine.travel(NOW, tick=False):
        episode = make_episode(child=world.c1, last_seen_at="2026-11-19T20:00")
        assert heard == [([episode.pk], NOW)]
        episode_record_return(
            episode=episode, by=world.police_f1, returned_at=datetime.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        )
    assert heard == [([episode.pk], NOW), ([episode.pk], NOW)]


def test_an_unchanged_record_sent_again_is_not_announced(world, heard):
    with time_machine.travel(NOW, tick=False):
        make_episode(child=world.c1, last_seen_at="2026-11-19T20:00", force_reference="MP-1")
        make_episode(child=world.c1, last_seen_at="2026-11-19T20:00", force_reference="MP-1")
    assert len(heard) == 1
