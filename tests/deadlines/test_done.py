"""When a clock's work was done: on time (met) or after the breach, which stays a breach."""

import datetime

import pytest

from children.models import Child
from deadlines import services
from deadlines.models import Deadline, DeadlineState

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 24, 11, 0, tzinfo=datetime.UTC)
LATER = NOW + datetime.timedelta(hours=3)


def breached(child) -> Deadline:
    services.deadline_open(kind="test_clock", subject=child, due_at=NOW)
    services.sweep(NOW)
    return Deadline.objects.get(kind="test_clock", subject_id=child.pk)


def set_clock(child, *, done: bool, now=LATER) -> Deadline:
    services.deadlines_set(
        kind="test_clock", model=Child, clocks={child.pk: services.Clock(due_at=NOW, done=done)}, now=now
    )
    return Deadline.objects.get(kind="test_clock", subject_id=child.pk)


def last_reason(deadline) -> str:
    return deadline.history.order_by("-history_id").first().history_change_reason


def test_a_clock_met_in_time_was_done_when_it_was_met(world):
    services.deadline_open(kind="test_clock", subject=world.c1, due_at=NOW)
    services.deadline_meet(kind="test_clock", subject=world.c1, at=NOW - datetime.timedelta(minutes=5))

    deadline = Deadline.objects.get()
    assert deadline.state == DeadlineState.MET
    assert deadline.done_at == NOW - datetime.timedelta(minutes=5)


def test_work_done_after_the_breach_is_recorded_and_the_breach_stays(world):
    deadline = breached(world.c1)
    assert deadline.done_at is None

    services.deadline_meet(kind="test_clock", subject=world.c1, at=LATER)

    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.BREACHED and deadline.closed_at == NOW
    assert deadline.done_at == LATER
    assert last_reason(deadline) == "Done after the breach"


def test_a_set_of_clocks_records_late_work_and_forgets_it_when_it_is_undone(world):
    breached(world.c1)

    done = set_clock(world.c1, done=True)
    assert (done.state, done.done_at) == (DeadlineState.BREACHED, LATER)
    assert last_reason(done) == "Done after the breach"

    undone = set_clock(world.c1, done=False, now=LATER + datetime.timedelta(hours=1))
    assert (undone.state, undone.done_at) == (DeadlineState.BREACHED, None)
    assert last_reason(undone) == "No longer recorded done"
    assert Deadline.objects.count() == 1


def test_a_clock_started_already_done_was_done_when_it_started(world):
    deadline = set_clock(world.c1, done=True)
    assert (deadline.state, deadline.done_at, deadline.closed_at) == (DeadlineState.MET, LATER, LATER)


def test_the_running_clock_met_by_a_set_of_clocks_was_done_then(world):
    set_clock(world.c1, done=False, now=NOW - datetime.timedelta(hours=1))
    deadline = set_clock(world.c1, done=True, now=NOW - datetime.timedelta(minutes=1))
    assert (deadline.state, deadline.done_at) == (DeadlineState.MET, NOW - datetime.timedelta(minutes=1))
