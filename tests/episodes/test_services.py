"""Changes people make by hand: returns, reclassification, closing and reopening, away from
placement, safe-and-well checks; each with its rule at the boundary and no trace when refused."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from children.models import LegalStatus
from deadlines.models import Deadline, DeadlineState
from deadlines.services import sweep
from episodes.deadlines import SAFE_AND_WELL
from episodes.models import Category, Episode, EpisodeState, Reclassification
from episodes.services import (
    EpisodeConflict,
    away_episode_create,
    episode_close,
    episode_reclassify,
    episode_record_return,
    episode_reopen,
    safe_and_well_record,
)
from tests.factories import make_child, make_episode

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def episode(world):
    return make_episode(child=world.c1, last_seen_at="2026-11-19T20:00", risk_level="medium")


def test_recording_a_return_starts_the_24_hour_safe_and_well_clock(world, episode):
    returned = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    episode_record_return(
        episode=episode,
        by=world.police_f1,
        returned_at=returned,
        return_method="police",
        found_location="Piccadilly Gardens",
        found_postcode="M1 1RG",
        expected_version=1,
    )
    episode.refresh_from_db()
    assert (episode.state, episode.returned_at, episode.version) == (EpisodeState.RETURNED, returned, 2)
    assert episode.duration_hours == 13.0
    deadline = Deadline.objects.get(kind=SAFE_AND_WELL)
    assert deadline.due_at == returned + datetime.timedelta(hours=24)
    assert episode.history.first().history_user == world.police_f1


def test_the_safe_and_well_clock_is_24_real_hours_across_the_clock_change(world):
    with time_machine.travel(datetime.datetime(2026, 10, 26, 12, 0, tzinfo=UTC), tick=False):
        episode = make_episode(child=world.c1, last_seen_at="2026-10-24T08:00", reported_at="2026-10-24T09:00")
        # 12:00 BST on Saturday 24 October is 11:00 UTC; 24 elapsed hours later is 11:00 GMT on Sunday.
        episode_record_return(
            episode=episode, by=world.police_f1, returned_at=datetime.datetime(2026, 10, 24, 11, 0, tzinfo=UTC)
        )
    assert Deadline.objects.get(kind=SAFE_AND_WELL).due_at == datetime.datetime(2026, 10, 25, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("returned_at", "message"),
    [
        (datetime.datetime(2026, 11, 19, 19, 59, tzinfo=UTC), "The return time is before the time last seen."),
        (datetime.datetime(2026, 11, 20, 12, 1, tzinfo=UTC), "The return time is in the future."),
    ],
)
def test_a_return_before_last_seen_or_in_the_future_is_refused_with_no_trace(world, episode, returned_at, message):
    history = Episode.history.count()
    with pytest.raises(ValidationError) as error:
        episode_record_return(episode=episode, by=world.police_f1, returned_at=returned_at)
    assert error.value.message_dict == {"returned_at": [message]}
    episode.refresh_from_db()
    assert episode.state == EpisodeState.MISSING and Episode.history.count() == history
    assert not Deadline.objects.filter(kind=SAFE_AND_WELL).exists()


def test_a_return_from_a_stale_screen_gets_a_conflict_naming_what_changed(world, episode):
    episode_reclassify(
        episode=episode,
        by=world.police_f1,
        category="missing",
        risk_level="high",
        reason="New intelligence about an adult",
        expected_version=1,
    )
    with pytest.raises(EpisodeConflict) as conflict:
        episode_record_return(
            episode=episode,
            by=world.coordinator_a,
            expected_version=1,
            returned_at=datetime.datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        )
    assert ("Risk grade", "Medium", "High") in conflict.value.changes
    episode.refresh_from_db()
    assert episode.returned_at is None


def test_reclassifying_keeps_from_to_when_who_and_why(world, episode):
    episode_reclassify(
        episode=episode, by=world.police_f1, category="absent", risk_level="low", reason="Seen on CCTV with his brother"
    )
    changes = {r.field: r for r in Reclassification.objects.filter(episode=episode)}
    assert (changes["category"].from_value, changes["category"].to_value) == ("missing", "absent")
    assert (changes["risk_level"].from_display, changes["risk_level"].to_display) == ("Medium", "Low")
    assert changes["risk_level"].changed_by == world.police_f1
    assert changes["risk_level"].reason == "Seen on CCTV with his brother"
    assert changes["risk_level"].changed_at == NOW


def test_reclassifying_without_a_reason_or_a_change_is_refused(world, episode):
    with pytest.raises(ValidationError, match="Say why"):
        episode_reclassify(episode=episode, by=world.police_f1, category="absent", risk_level="low", reason=" ")
    with pytest.raises(ValidationError, match="Choose a different"):
        episode_reclassify(episode=episode, by=world.police_f1, category="missing", risk_level="medium", reason="x")
    assert not Reclassification.objects.exists()


def test_only_a_manager_reopens_a_closed_episode_and_only_with_a_reason(world, episode):
    episode_record_return(episode=episode, by=world.police_f1, returned_at=NOW)
    episode_close(episode=episode, by=world.coordinator_a, reason="Interview done")
    with pytest.raises(PermissionDenied):
        episode_reopen(episode=episode, by=world.coordinator_a, reason="More to do")
    with pytest.raises(ValidationError):
        episode_reopen(episode=episode, by=world.manager_a, reason="")
    assert Episode.objects.get(pk=episode.pk).state == EpisodeState.CLOSED
    episode_reopen(episode=episode, by=world.manager_a, reason="Child disclosed more at interview")
    reopened = Episode.objects.get(pk=episode.pk)
    assert reopened.state == EpisodeState.RETURNED
    assert reopened.history.first().history_change_reason == "Reopened: Child disclosed more at interview"


def test_an_episode_is_closed_only_after_the_return(world, episode):
    with pytest.raises(ValidationError):
        episode_close(episode=episode, by=world.coordinator_a)


def test_away_from_placement_is_for_a_looked_after_child_whose_whereabouts_are_known(world):
    with pytest.raises(ValidationError) as error:
        away_episode_create(
            child=world.c1,
            by=world.coordinator_a,
            whereabouts="",
            last_seen_at=datetime.datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        )
    assert set(error.value.message_dict) == {"child", "whereabouts"}
    assert not Episode.objects.exists()
    child = make_child(responsible=world.la_a, legal_status=LegalStatus.LOOKED_AFTER_S20)
    episode = away_episode_create(
        child=child,
        by=world.coordinator_a,
        whereabouts="At her mother's flat",
        last_seen_at=datetime.datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
    )
    assert (episode.category, episode.whereabouts_known, episode.force) == (Category.AWAY, True, None)
    assert episode.history.get().history_user == world.coordinator_a


def test_a_safe_and_well_check_meets_the_clock_and_cannot_come_before_the_return(world, episode):
    episode_record_return(
        episode=episode, by=world.police_f1, returned_at=datetime.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    )
    with pytest.raises(ValidationError, match="before the child returned"):
        safe_and_well_record(
            episode=episode,
            by=world.police_f1,
            outcome="Fine",
            held_at=datetime.datetime(2026, 11, 20, 8, 59, tzinfo=UTC),
        )
    with pytest.raises(ValidationError, match="or why it was decided"):
        safe_and_well_record(episode=episode, by=world.police_f1)
    assert Deadline.objects.get(kind=SAFE_AND_WELL).state == DeadlineState.OPEN
    check = safe_and_well_record(
        episode=episode,
        by=world.police_f1,
        held_by="PC 1234 Shah",
        outcome="Unharmed",
        harm_disclosed="no",
        held_at=datetime.datetime(2026, 11, 20, 11, 0, tzinfo=UTC),
    )
    assert check.recorded_by == world.police_f1
    assert Deadline.objects.get(kind=SAFE_AND_WELL).state == DeadlineState.MET


def test_a_decision_not_to_hold_a_check_is_recorded_with_its_reason(world, episode):
    episode_record_return(episode=episode, by=world.police_f1, returned_at=NOW)
    check = safe_and_well_record(
        episode=episode, by=world.police_f1, not_held_reason="Fourth episode this week; agreed with the social worker"
    )
    assert check.held_at is None and "agreed" in check.not_held_reason
    assert Deadline.objects.get(kind=SAFE_AND_WELL).state == DeadlineState.MET


def test_the_sweep_breaches_a_check_not_held_within_24_hours_once(world, episode):
    episode_record_return(episode=episode, by=world.police_f1, returned_at=NOW)
    assert sweep(NOW + datetime.timedelta(hours=23, minutes=59)).breached == 0
    assert sweep(NOW + datetime.timedelta(hours=24)).breached == 1
    assert sweep(NOW + datetime.timedelta(hours=25)).breached == 0
    assert Deadline.objects.get(kind=SAFE_AND_WELL).state == DeadlineState.BREACHED
    # A check recorded late does not start a second clock.
    safe_and_well_record(
        episode=episode,
        by=world.police_f1,
        outcome="Unharmed",
        held_at=NOW + datetime.timedelta(hours=25),
        now=NOW + datetime.timedelta(hours=26),
    )
    assert Deadline.objects.filter(kind=SAFE_AND_WELL).count() == 1
