"""A return opens a return interview due 72 elapsed hours later; the local authority's setting
says which categories get one; a child missing again keeps one interview."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from deadlines.models import Deadline, DeadlineState
from episodes.services import episode_reclassify
from interviews import rules, services
from interviews.models import InterviewSetting, Offer, ReturnInterview, Status
from tests.factories import make_child

from .helpers import interview_of, missing_episode, returned_episode

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")


def uk(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UK)


def test_interview_due_72_elapsed_hours_across_the_october_clock_change(world):
    returned = uk(2026, 10, 24, 12, 0)  # Saturday, BST
    episode = returned_episode(world, last_seen=uk(2026, 10, 24, 8, 0), returned=returned)
    interview = interview_of(episode)
    assert interview.due_at - returned == datetime.timedelta(hours=72)
    assert interview.due_at.astimezone(UK).strftime("%a %d %b %H:%M %Z") == "Tue 27 Oct 11:00 GMT"
    assert interview.status == Status.AWAITING_ALLOCATION


def test_interview_due_72_elapsed_hours_across_the_march_clock_change(world):
    returned = uk(2027, 3, 27, 12, 0)  # Saturday, GMT; clocks go forward on Sunday 28 March
    episode = returned_episode(world, last_seen=uk(2027, 3, 27, 8, 0), returned=returned)
    due = interview_of(episode).due_at
    assert due - returned == datetime.timedelta(hours=72)
    assert due.astimezone(UK).strftime("%a %d %b %H:%M %Z") == "Tue 30 Mar 13:00 BST"


def test_the_rule_adds_elapsed_hours_even_to_a_uk_local_time():
    assert rules.interview_due(uk(2026, 10, 24, 12, 0)).astimezone(UK).strftime("%H:%M %Z") == "11:00 GMT"


def test_the_72_hour_and_48_hour_clocks_are_deadline_rows(world):
    returned = uk(2026, 11, 2, 12, 0)
    interview = interview_of(returned_episode(world, last_seen=uk(2026, 11, 2, 8, 0), returned=returned))
    rows = {d.kind: d for d in Deadline.objects.filter(subject_id=interview.pk, kind__startswith="interviews.")}
    assert rows[services.INTERVIEW_DUE].due_at - returned == datetime.timedelta(hours=72)
    assert rows[services.INTERVIEW_REMINDER].due_at - returned == datetime.timedelta(hours=48)
    assert {d.state for d in rows.values()} == {DeadlineState.OPEN}


def test_a_child_still_missing_has_no_interview(world):
    missing_episode(world, last_seen=uk(2026, 11, 2, 8, 0))
    assert not ReturnInterview.objects.exists()


def test_a_child_missing_again_before_the_interview_keeps_one_interview_covering_both(world):
    first = returned_episode(world, last_seen=uk(2026, 11, 2, 8, 0), returned=uk(2026, 11, 2, 12, 0))
    interview = interview_of(first)
    second = returned_episode(world, last_seen=uk(2026, 11, 3, 20, 0), returned=uk(2026, 11, 4, 9, 0))
    assert ReturnInterview.objects.count() == 1
    interview.refresh_from_db()
    assert set(interview.episodes.all()) == {first, second}
    assert interview.due_at == uk(2026, 11, 7, 9, 0)
    deadline = Deadline.objects.get(kind=services.INTERVIEW_DUE, subject_id=interview.pk, state="open")
    assert deadline.due_at == interview.due_at
    assert "missing again" in interview.history.first().history_change_reason


def test_after_an_outcome_a_new_return_opens_a_new_interview(world):
    first = returned_episode(world, last_seen=uk(2026, 11, 2, 8, 0), returned=uk(2026, 11, 2, 12, 0))
    interview = interview_of(first)
    services.interview_outcome_record(
        interview=interview,
        by=world.coordinator_a,
        outcome=Status.NO_CONTACT,
        at=uk(2026, 11, 4, 12, 0),
        now=uk(2026, 11, 4, 13, 0),
    )
    second = returned_episode(world, last_seen=uk(2026, 11, 6, 8, 0), returned=uk(2026, 11, 6, 12, 0))
    assert interview_of(second) != interview
    assert ReturnInterview.objects.count() == 2


def test_an_absence_gets_an_interview_only_when_triage_says_red(world):
    green = make_child(responsible=world.la_a)
    returned_episode(
        world,
        green,
        last_seen=uk(2026, 11, 2, 8, 0),
        returned=uk(2026, 11, 2, 10, 0),
        category="absent",
        risk_level="no_apparent_risk",
    )
    assert not ReturnInterview.objects.filter(child=green).exists()
    exploited = make_child(responsible=world.la_a, flag_cse=True)
    returned_episode(
        world,
        exploited,
        last_seen=uk(2026, 11, 2, 8, 0),
        returned=uk(2026, 11, 2, 10, 0),
        category="absent",
        risk_level="no_apparent_risk",
    )
    assert ReturnInterview.objects.get(child=exploited).triage == "red"


def test_the_local_authority_can_offer_an_interview_after_every_absence(world):
    InterviewSetting.objects.create(local_authority=world.la_a, after_absence=Offer.ALWAYS)
    episode = returned_episode(
        world,
        last_seen=uk(2026, 11, 2, 8, 0),
        returned=uk(2026, 11, 2, 10, 0),
        category="absent",
        risk_level="no_apparent_risk",
    )
    assert interview_of(episode).triage == "green"


def test_a_withdrawn_return_cancels_the_interview_and_its_clocks(world):
    episode = returned_episode(world, last_seen=uk(2026, 11, 2, 8, 0), returned=uk(2026, 11, 2, 12, 0))
    interview = interview_of(episode)
    with time_machine.travel(uk(2026, 11, 2, 14, 0), tick=False):
        services.interviews_follow_returns(episode_ids=[episode.pk], now=uk(2026, 11, 2, 14, 0))
        type(episode).objects.filter(pk=episode.pk).update(returned_at=None, state="missing")
        services.interviews_follow_returns(episode_ids=[episode.pk], now=uk(2026, 11, 2, 14, 0))
    interview.refresh_from_db()
    assert interview.status == Status.CANCELLED
    assert not Deadline.objects.filter(subject_id=interview.pk, kind__startswith="interviews.", state="open").exists()


def test_a_regraded_episode_is_announced_without_a_second_interview(world):
    episode = returned_episode(world, last_seen=uk(2026, 11, 2, 8, 0), returned=uk(2026, 11, 2, 12, 0))
    with time_machine.travel(uk(2026, 11, 2, 13, 0), tick=False):
        episode_reclassify(
            episode=episode, by=world.police_f1, category="missing", risk_level="high", reason="New info"
        )
    assert ReturnInterview.objects.count() == 1


def test_a_looked_after_child_gets_a_social_worker_visit_clock_of_24_hours(world):
    returned = uk(2026, 11, 2, 12, 0)
    episode = returned_episode(world, world.c4, last_seen=uk(2026, 11, 2, 8, 0), returned=returned)
    deadline = Deadline.objects.get(kind=services.SOCIAL_WORKER_VISIT, subject_id=episode.pk)
    assert deadline.due_at - returned == datetime.timedelta(hours=24)
    services.social_worker_visit_record(
        episode=episode, by=world.social_worker_a, visited_at=uk(2026, 11, 3, 9, 0), now=uk(2026, 11, 3, 10, 0)
    )
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET


def test_a_batch_of_returns_is_followed_in_a_few_queries(world, django_assert_max_num_queries):
    episodes = [
        returned_episode(
            world, make_child(responsible=world.la_a), last_seen=uk(2026, 11, 2, 8, 0), returned=uk(2026, 11, 2, 12, 0)
        )
        for _ in range(3)
    ]
    ReturnInterview.objects.all().delete()
    Deadline.objects.filter(kind__startswith="interviews.").delete()
    ids = [e.pk for e in episodes]
    # episodes, covered, open interviews, history, settings, insert interviews (+history),
    # links, two clock sets (read, insert, history each), in a transaction.
    with django_assert_max_num_queries(20):
        services.interviews_follow_returns(episode_ids=ids, now=uk(2026, 11, 2, 13, 0))
    assert ReturnInterview.objects.count() == 3
