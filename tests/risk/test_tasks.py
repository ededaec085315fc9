"""What a firing creates when it is not a meeting: the support discussion after a second episode
(DfE ¶46), given to the child's social worker, done once, seen only by people who see the child."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from risk import rules, services
from risk.models import EscalationTask

from .helpers import T0, days, fired, hours, returned_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world) -> EscalationTask:
    for day in (0, 40):
        returned_episode(world, world.c1, last_seen=T0 + days(day), returned=T0 + days(day) + hours(2))
    (escalation,) = fired(rules.TWO_OR_MORE_EPISODES)
    return escalation.task


def test_a_second_episode_gives_the_social_worker_a_support_discussion_task(world, task):
    assert task.kind == rules.SUPPORT_DISCUSSION and task.assigned_to == world.social_worker_a
    assert any("Task: Discussion with the child and family" in item for item in task.escalation.created_work)


def test_the_social_worker_marks_it_done_from_the_page(client, world, task):
    client.force_login(world.social_worker_a)
    page = client.get(task.escalation.get_absolute_url()).content.decode()
    assert "Mark the task done" in page
    response = client.post(
        reverse("risk:task_done", args=[task.escalation.pk]), {"notes": "Met the family"}, follow=True
    )
    assert "The task was marked done." in response.content.decode()
    task.refresh_from_db()
    assert task.done_by == world.social_worker_a and task.notes == "Met the family"
    assert task.history.get(history_change_reason="Done").history_user == world.social_worker_a


def test_someone_else_cannot_complete_it_and_an_outsider_gets_404(client, world, task):
    with pytest.raises(PermissionDenied):
        services.task_complete(task=task, by=world.iro_a)
    client.force_login(world.coordinator_b)
    assert client.post(reverse("risk:task_done", args=[task.escalation.pk])).status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_the_task_is_on_the_social_workers_home_page_until_it_is_done(client, world, task):
    client.force_login(world.social_worker_a)
    home = client.get(reverse("home")).content.decode()
    assert "Tasks from escalations" in home
    assert "Discussion with the child and family" in home and task.escalation.get_absolute_url() in home
    services.task_complete(task=task, by=world.social_worker_a)
    home = client.get(reverse("home")).content.decode()
    assert "Discussion with the child and family" not in home
    assert "No task from an escalation is waiting for you." in home


def test_a_task_nobody_holds_is_on_the_hub_home_page_and_never_another_authoritys(client, world, task):
    task.assigned_to = None
    task.save()
    client.force_login(world.coordinator_a)
    home = client.get(reverse("home")).content.decode()
    assert "review earlier actions</a> (Chloe Ashdown), asked for on" in home
    assert "the child has no social worker" in home
    client.force_login(world.coordinator_b)
    assert "Discussion with the child and family" not in client.get(reverse("home")).content.decode()
