"""The interview clocks are rows the sweep breaches: a reminder to the worker at 48 hours; at
72 hours the worker's manager and the coordinator are told, once."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from deadlines.models import Deadline, DeadlineState
from deadlines.services import sweep
from interviews import services
from interviews.models import Notification, ReturnInterview, Status
from organisations.roles import Role
from tests.factories import make_child, person

from .conftest import returned_interview

pytestmark = pytest.mark.django_db


def _breach(interview) -> Deadline:
    return Deadline.objects.get(kind=services.INTERVIEW_DUE, subject_id=interview.pk)


def test_the_reminder_goes_to_the_worker_at_48_hours_and_not_before(world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    Notification.objects.all().delete()
    at_48 = interview.returned_at + datetime.timedelta(hours=48)
    sweep(at_48 - datetime.timedelta(seconds=1))
    assert not Notification.objects.exists()
    sweep(at_48)
    reminder = Notification.objects.get()
    assert (reminder.user, reminder.kind) == (world.rhi_worker, "reminder")


def test_at_72_hours_the_workers_manager_and_the_coordinator_are_told_once(world, interview):
    charity_manager = person(Role.MANAGER, world.charity, full_name="Char Manager")
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    mail.outbox.clear()
    Notification.objects.all().delete()
    due = interview.due_at
    sweep(due - datetime.timedelta(seconds=1))
    assert not Notification.objects.filter(kind="breached").exists()
    sweep(due)
    sweep(due + datetime.timedelta(minutes=1))
    told = list(Notification.objects.filter(kind="breached").values_list("user", flat=True))
    assert sorted(told) == sorted([charity_manager.pk, world.coordinator_a.pk])
    assert _breach(interview).state == DeadlineState.BREACHED


def test_unallocated_the_breach_goes_to_the_councils_managers_and_coordinators(world, interview):
    sweep(interview.due_at)
    told = set(Notification.objects.filter(kind="breached").values_list("user", flat=True))
    assert told == {world.manager_a.pk, world.coordinator_a.pk}


def test_an_outcome_in_time_means_no_breach(world, interview):
    services.interview_outcome_record(
        interview=interview, by=world.coordinator_a, outcome=Status.COMPLETED, at=timezone.now()
    )
    sweep(interview.due_at + datetime.timedelta(hours=1))
    assert not Notification.objects.filter(kind="breached").exists()
    assert _breach(interview).state == DeadlineState.MET


def test_a_sweep_after_a_worker_restart_still_breaches_on_time(world):
    """Nothing waits in a worker's memory: a fresh process (the command) finds the row."""
    overdue = returned_interview(world, hours_ago=73)
    call_command("sweep_deadlines")
    assert _breach(overdue).state == DeadlineState.BREACHED
    assert Notification.objects.filter(kind="breached", interview=overdue).exists()


def test_screens_show_overdue_from_the_due_time_even_before_any_sweep(world):
    overdue = returned_interview(world, hours_ago=73)
    assert overdue.is_overdue()
    assert _breach(overdue).state == DeadlineState.OPEN


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_breach_notifications_are_sent_once_with_two_sweepers(world):
    interviews = [returned_interview(world, make_child(responsible=world.la_a), hours_ago=73) for _ in range(20)]
    now = timezone.now()
    barrier = threading.Barrier(2)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(sweep(now).breached)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    breached = Notification.objects.filter(kind="breached")
    # Each interview told its two people (the council's manager and coordinator) exactly once.
    assert breached.count() == 2 * len(interviews)
    assert {n.interview_id for n in breached} == {i.pk for i in interviews}
    assert ReturnInterview.objects.count() == 20
