"""Missing 24 hours, 72 hours and 7 days: deadline rows on the episode, breached by the sweep,
each firing once (security battery C4), told to the people the rule names."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from deadlines.models import Deadline, DeadlineState
from deadlines.services import sweep
from interviews.models import Notification
from risk import rules, services
from risk.models import Escalation, EscalationRecipient, SeniorPostHolder
from tests.factories import make_child

from .helpers import T0, fired, hours, missing_episode, returned_episode

pytestmark = pytest.mark.django_db


def test_missing_23_hours_59_minutes_fires_nothing_and_24_hours_fires_once(world):
    episode = missing_episode(world, last_seen=T0)
    sweep(T0 + hours(24) - datetime.timedelta(minutes=1))
    assert fired(rules.MISSING_24_HOURS) == []
    sweep(T0 + hours(24))
    (escalation,) = fired(rules.MISSING_24_HOURS)
    assert escalation.episode == episode and escalation.child == world.c1
    assert escalation.fired_at == T0 + hours(24)
    # Wigan §11: one episode over 24 hours also asks for an intervention meeting.
    assert len(fired(rules.EPISODE_OVER_24_HOURS)) == 1
    sweep(T0 + hours(25))
    assert len(fired(rules.MISSING_24_HOURS)) == 1


def test_the_need_to_know_goes_to_managers_when_nobody_holds_the_senior_posts(world):
    missing_episode(world, last_seen=T0)
    mail.outbox.clear()
    sweep(T0 + hours(24))
    (escalation,) = fired(rules.MISSING_24_HOURS)
    sent = {r.user: r.why for r in escalation.recipients.all()}
    assert set(sent) == {world.manager_a, world.social_worker_a, world.coordinator_a}
    messages = Notification.objects.filter(kind="escalation", link=escalation.get_absolute_url())
    assert {n.user for n in messages} == set(sent)
    # Messages name no child.
    assert all("Chloe" not in n.message and "Ashdown" not in n.message for n in messages)
    assert all("Chloe" not in m.body for m in mail.outbox)


def test_named_assistant_director_and_service_manager_are_told_instead_of_every_manager(world):
    from organisations.roles import Role
    from tests.factories import person

    director = person(Role.MANAGER, world.council_a, full_name="Ada Director")
    SeniorPostHolder.objects.create(local_authority=world.la_a, post=rules.SeniorPost.ASSISTANT_DIRECTOR, user=director)
    missing_episode(world, last_seen=T0)
    sweep(T0 + hours(24))
    (escalation,) = fired(rules.MISSING_24_HOURS)
    sent = {r.user: r.why for r in escalation.recipients.all()}
    assert sent[director] == "Assistant director"
    assert world.manager_a not in sent


def test_a_child_back_before_24_hours_cancels_the_clock(world):
    episode = returned_episode(world, last_seen=T0, returned=T0 + hours(24) - datetime.timedelta(minutes=1))
    clock = Deadline.objects.get(kind="risk.missing_24_hours", subject_id=episode.pk)
    assert clock.state == DeadlineState.CANCELLED
    sweep(T0 + hours(30))
    assert fired(rules.MISSING_24_HOURS) == []


def test_a_return_recorded_after_24_hours_but_before_any_sweep_still_fires(world):
    returned_episode(world, last_seen=T0, returned=T0 + hours(26))
    sweep(T0 + hours(27))
    assert len(fired(rules.MISSING_24_HOURS)) == 1
    assert fired(rules.MISSING_72_HOURS) == []


def test_an_absence_has_no_time_rule(world):
    missing_episode(world, last_seen=T0, category="absent", risk_level="no_apparent_risk")
    sweep(T0 + hours(200))
    assert not Escalation.objects.filter(rule__in=[r.code for r in rules.TIME_RULES]).exists()


def test_72_hours_and_7_days_fire_at_their_points_and_7_days_tells_the_iro(world):
    child = make_child(responsible=world.la_a, legal_status="looked_after_care_order", iro=world.iro_a)
    missing_episode(world, child, last_seen=T0)
    sweep(T0 + hours(72) - datetime.timedelta(seconds=1))
    assert fired(rules.MISSING_72_HOURS) == []
    sweep(T0 + hours(72))
    assert len(fired(rules.MISSING_72_HOURS)) == 1
    sweep(T0 + hours(168) - datetime.timedelta(seconds=1))
    assert fired(rules.MISSING_7_DAYS) == []
    sweep(T0 + hours(168))
    (seven,) = fired(rules.MISSING_7_DAYS)
    assert EscalationRecipient.objects.filter(escalation=seven, user=world.iro_a).exists()


def test_tightening_24_hours_to_12_moves_the_clock_of_a_child_missing_now(world):
    episode = missing_episode(world, last_seen=T0)
    services.rule_threshold_set(
        local_authority=world.la_a, rule=rules.MISSING_24_HOURS, threshold=12, by=world.admin, now=T0 + hours(1)
    )
    clock = Deadline.objects.get(kind="risk.missing_24_hours", subject_id=episode.pk, state=DeadlineState.OPEN)
    assert clock.due_at == T0 + hours(12)
    sweep(T0 + hours(12))
    assert len(fired(rules.MISSING_24_HOURS)) == 1


def test_the_same_trigger_fired_twice_records_one_escalation(world):
    episode = missing_episode(world, last_seen=T0)
    rule = rules.BY_CODE[rules.MISSING_24_HOURS]
    kwargs = {"rule": rule, "child": world.c1, "episode": episode, "trigger_key": f"episode:{episode.pk}"}
    assert services.escalation_fire(**kwargs, reason="first", now=T0) is not None
    assert services.escalation_fire(**kwargs, reason="second", now=T0) is None
    assert Escalation.objects.count() == 1


def test_two_sweeps_at_the_same_moment_fire_once(world):
    missing_episode(world, last_seen=T0)
    at = T0 + hours(24)
    first, second = sweep(at), sweep(at)
    assert first.breached >= 1 and second.breached == 0
    assert len(fired(rules.MISSING_24_HOURS)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweepers_fire_each_rule_once_per_episode(world):
    children = [make_child(responsible=world.la_a) for _ in range(10)]
    for child in children:
        missing_episode(world, child, last_seen=T0)
    at = T0 + hours(24)
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            sweep(at)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Escalation.objects.filter(rule=rules.MISSING_24_HOURS).count() == 10
    # Each firing told its two people (the council's manager and coordinator) once.
    assert Notification.objects.filter(kind="escalation", message__contains="more than 24 hours").count() == 20
