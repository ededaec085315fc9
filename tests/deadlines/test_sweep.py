"""The deadline sweep: rows, not queued timers; each breach claimed once; a heartbeat."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from children.models import Child
from deadlines import services
from deadlines.models import Deadline, DeadlineState, Heartbeat

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 24, 11, 0, tzinfo=datetime.UTC)


@pytest.fixture
def breaches():
    """Record every breach handled, as a later issue's notification would."""
    seen = []
    services.register_breach_handler("test_clock", lambda deadline, now: seen.append((deadline.pk, now)))
    yield seen
    services._breach_handlers.pop("test_clock", None)


def test_deadline_due_is_breached_by_the_next_sweep_and_not_before(world, breaches):
    deadline = services.deadline_open(kind="test_clock", subject=world.c1, due_at=NOW)

    assert services.sweep(NOW - datetime.timedelta(seconds=1)).breached == 0
    assert services.sweep(NOW).breached == 1

    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.BREACHED and deadline.closed_at == NOW
    assert breaches == [(deadline.pk, NOW)]
    assert deadline.history.first().history_change_reason == "Breached by the deadline sweep"


def test_a_second_sweep_breaches_nothing_again(world, breaches):
    services.deadline_open(kind="test_clock", subject=world.c1, due_at=NOW)
    services.sweep(NOW)
    assert services.sweep(NOW + datetime.timedelta(minutes=1)).breached == 0
    assert len(breaches) == 1


def test_reopening_a_running_clock_moves_its_due_time(world):
    first = services.deadline_open(kind="test_clock", subject=world.c1, due_at=NOW)
    later = services.deadline_open(kind="test_clock", subject=world.c1, due_at=NOW + datetime.timedelta(hours=1))
    assert first.pk == later.pk
    assert Deadline.objects.get().due_at == NOW + datetime.timedelta(hours=1)


def test_a_met_deadline_is_never_breached(world, breaches):
    services.deadline_open(kind="test_clock", subject=world.c1, due_at=NOW)
    services.deadline_meet(kind="test_clock", subject=world.c1, at=NOW - datetime.timedelta(minutes=5))
    assert services.sweep(NOW + datetime.timedelta(days=1)).breached == 0
    assert Deadline.objects.get().state == DeadlineState.MET


def test_a_failing_breach_handler_leaves_the_deadline_open_for_the_next_sweep(world):
    def broken(deadline, now):
        raise RuntimeError("mail server down")

    services.register_breach_handler("fragile_clock", broken)
    try:
        services.deadline_open(kind="fragile_clock", subject=world.c1, due_at=NOW)
        with pytest.raises(RuntimeError):
            services.sweep(NOW)
        assert Deadline.objects.get().state == DeadlineState.OPEN
    finally:
        services._breach_handlers.pop("fragile_clock")


def test_a_deadline_survives_a_worker_restart_because_it_is_a_row(world, breaches):
    """Nothing is held in a worker: a sweep by a fresh process (here, the command) breaches it."""
    from django.core.management import call_command

    services.deadline_open(kind="test_clock", subject=world.c1, due_at=timezone.now() - datetime.timedelta(hours=2))
    call_command("sweep_deadlines")
    assert Deadline.objects.get().state == DeadlineState.BREACHED


def test_sweep_records_a_heartbeat(world):
    services.sweep(NOW)
    assert Heartbeat.objects.get(name="sweeper").beat_at == NOW
    assert services.sweeper_is_alive(NOW + datetime.timedelta(minutes=2))
    assert not services.sweeper_is_alive(NOW + datetime.timedelta(minutes=4))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_breach_each_deadline_exactly_once(world, breaches):
    """Security battery C4, at test scale: 200 due deadlines, two sweepers started together."""
    children = Child.objects.bulk_create(
        Child(given_name="Sweep", family_name=f"Test{n}", responsible_authority=world.la_a, search_text="sweep")
        for n in range(200)
    )
    for n, child in enumerate(children):
        services.deadline_open(kind="test_clock", subject=child, due_at=NOW - datetime.timedelta(minutes=n))
    barrier = threading.Barrier(2)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(services.sweep(NOW).breached)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 200
    assert len(breaches) == 200
    assert len({pk for pk, _ in breaches}) == 200
    assert Deadline.objects.filter(state=DeadlineState.BREACHED).count() == 200
