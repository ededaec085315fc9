"""The episode page and the child's page lead to the return interview, as far as the reader may
see it."""

import pytest
from django.urls import reverse

from interviews import services

from .conftest import authorised, returned_interview

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("still")]


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_episode_page_shows_its_return_interview_with_the_time_left_and_the_worker(client, world):
    interview = returned_interview(world, world.c1, hours_ago=6)
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    episode = interview.episodes.get()

    html = page(client, world.coordinator_a, episode.get_absolute_url())

    part = html[html.index("Return interview</h2>") :]
    assert interview.get_absolute_url() in part
    assert "Due in 2 days 18 hours" in part
    assert "Rhian Worker" in part


def test_the_police_see_the_interview_on_their_episode_only_once_it_is_authorised(client, world):
    interview = returned_interview(world, world.c1, hours_ago=6)
    episode = interview.episodes.get()

    before = page(client, world.police_f1, episode.get_absolute_url())
    assert interview.get_absolute_url() not in before
    assert "No return interview you can see covers this return." in before

    authorised(world, interview)
    assert interview.get_absolute_url() in page(client, world.police_f1, episode.get_absolute_url())


def test_a_looked_after_childs_episode_shows_the_visit_clock_and_who_may_record_it(client, world):
    interview = returned_interview(world, world.c4, hours_ago=2)
    episode = interview.episodes.get()
    visit = reverse("interviews:visit", args=[episode.pk])

    hub = page(client, world.coordinator_a, episode.get_absolute_url())
    assert "Social worker’s visit" in hub and "Due in 22 hours" in hub and visit in hub
    assert visit not in page(client, world.iro_a, episode.get_absolute_url())


def test_the_child_page_lists_the_childs_return_interviews(client, world):
    interview = returned_interview(world, world.c1, hours_ago=80)
    services.interview_outcome_record(
        interview=interview,
        outcome="not_appropriate",
        at=interview.returned_at,
        reason="Child moved out of the area",
        by=world.coordinator_a,
    )

    html = page(client, world.social_worker_a, world.c1.get_absolute_url())

    part = html[html.index("Return interviews</h2>") :]
    assert interview.get_absolute_url() in part and "Not appropriate" in part
    assert "No return interview you can see." in page(client, world.coordinator_b, world.c4.get_absolute_url())
