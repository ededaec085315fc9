"""The return interview work on each role's home page: the hub allocates and watches the
clocks, a manager authorises and hears of breaches, a worker works their caseload, a social
worker visits a looked-after child after a return."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews import services
from interviews.models import ReturnInterview, SocialWorkerVisit, Status
from tests.factories import make_agreement

from .conftest import completed_record, returned_interview
from .helpers import interview_of, returned_episode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("still")]


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading: str) -> str:
    """The part of the page under `heading`, up to the next heading."""
    start = page.index(heading)
    end = page.find("<h2", start)
    return page[start : end if end != -1 else None]


def test_the_hub_sees_breached_interviews_those_due_within_24_hours_and_returns_to_allocate(client, world):
    breached = returned_interview(world, world.c1, hours_ago=73)
    due_soon = returned_interview(world, world.c4, hours_ago=60)
    later = returned_interview(world, world.c3, hours_ago=1)  # LA-B only: not LA-A's hub

    page = home(client, world.coordinator_a)

    past = section(page, "Return interviews past the 72 hours")
    assert breached.get_absolute_url() in past and "Overdue by 1 hour" in past
    assert due_soon.get_absolute_url() not in past
    soon = section(page, "Return interviews due in the next 24 hours")
    assert due_soon.get_absolute_url() in soon and "Due in 12 hours" in soon
    waiting = section(page, "Returns waiting for an interview worker")
    assert breached.get_absolute_url() in waiting and due_soon.get_absolute_url() in waiting
    assert later.get_absolute_url() not in page  # another council's child


def test_a_restricted_childs_interview_leaves_the_hubs_lists(client, world):
    from privacy import services as privacy

    hidden = returned_interview(world, world.c1, hours_ago=73)
    shown = returned_interview(world, world.c4, hours_ago=73)
    privacy.child_restrict(child=world.c1, by=world.manager_a, reason="Honour-based abuse risk from the family")

    page = home(client, world.coordinator_a)

    assert shown.get_absolute_url() in section(page, "Return interviews past the 72 hours")
    assert hidden.get_absolute_url() not in page
    # The manager who restricted the record still sees it.
    assert hidden.get_absolute_url() in home(client, world.manager_a)


def test_an_allocated_interview_leaves_the_allocation_list_and_shows_its_worker(client, world):
    interview = returned_interview(world, world.c1, hours_ago=60)
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)

    page = home(client, world.coordinator_a)

    assert interview.get_absolute_url() not in section(page, "Returns waiting for an interview worker")
    assert "Every return interview has a worker." in page
    assert "Rhian Worker" in section(page, "Return interviews due in the next 24 hours")


def test_a_worker_sees_their_interviews_due_soonest_and_a_link_to_the_caseload(client, world):
    soon = returned_interview(world, world.c1, hours_ago=50)
    not_yet = returned_interview(world, world.c4, hours_ago=2)
    for interview in (soon, not_yet):
        services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)

    page = home(client, world.rhi_worker)

    mine = section(page, "Your interviews due in the next 24 hours or overdue")
    assert soon.get_absolute_url() in mine and "Due in 22 hours" in mine
    assert not_yet.get_absolute_url() not in mine
    assert reverse("interviews:caseload") in mine
    assert "Returns waiting for an interview worker" not in page  # the hub's work, not theirs


def test_a_manager_sees_records_to_authorise_but_not_one_they_wrote(client, world):
    interview = completed_record(world, returned_interview(world, world.c1, hours_ago=10))

    page = home(client, world.manager_a)

    records = section(page, "Interview records waiting for your authorisation")
    assert reverse("interviews:review", args=[interview.pk]) in records and "Rhian Worker" in records
    services.record_authorise(interview=interview, by=world.manager_a, agreement=make_agreement())
    assert "No interview record is waiting for your authorisation." in home(client, world.manager_a)


def test_the_social_worker_records_the_visit_after_a_looked_after_childs_absence_from_the_home_page(client, world):
    child = world.c4
    child.social_worker = world.social_worker_a
    child.save()
    returned = timezone.now() - datetime.timedelta(hours=20)
    episode = returned_episode(
        world, child, last_seen=returned - datetime.timedelta(hours=3), returned=returned, category="absent"
    )
    assert not ReturnInterview.objects.filter(episodes=episode).exists()  # no interview after this absence

    visits = section(home(client, world.social_worker_a), "Visits due after a return")
    link = reverse("interviews:visit", args=[episode.pk])
    assert link in visits and "Due in 4 hours" in visits

    visited = timezone.localtime() - datetime.timedelta(hours=1)
    response = client.post(
        link,
        {
            "visited_at": visited.strftime("%Y-%m-%dT%H:%M"),
            "seen_alone": "yes",
            "notes": "Seen at the placement.",
        },
    )
    assert response.status_code == 302 and response["Location"] == episode.get_absolute_url()
    assert SocialWorkerVisit.objects.get(episode=episode).recorded_by == world.social_worker_a
    assert "No visit to a returned child is waiting for you." in home(client, world.social_worker_a)


def test_someone_else_cannot_record_the_visit(client, world):
    returned = timezone.now() - datetime.timedelta(hours=2)
    episode = returned_episode(world, world.c4, last_seen=returned - datetime.timedelta(hours=3), returned=returned)
    client.force_login(world.iro_a)  # sees the child, but does not visit for the hub
    assert client.get(reverse("interviews:visit", args=[episode.pk])).status_code == 403
    assert interview_of(episode).status == Status.AWAITING_ALLOCATION


def test_a_long_list_shows_its_first_ten_lines_and_says_how_many_more(client, world):
    from tests.factories import make_child

    for _ in range(11):
        returned_interview(world, make_child(responsible=world.la_a), hours_ago=80)

    past = section(home(client, world.coordinator_a), "Return interviews past the 72 hours")

    assert past.count("Overdue by") == 10
    assert "and 1 more in the interview list" in past


def test_each_list_shows_ten_lines_however_the_others_overlap_it(client, world):
    """Eleven interviews due within 24 hours, the one due last allocated: the allocation list
    holds ten of them, the due-soon list all eleven. Each list stops at its own tenth line."""
    from tests.factories import make_child

    for n in range(11):
        interview = returned_interview(world, make_child(responsible=world.la_a), hours_ago=60 - n)
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)

    page = home(client, world.coordinator_a)
    soon = section(page, "Return interviews due in the next 24 hours")
    to_allocate = section(page, "Returns waiting for an interview worker")

    assert soon.count('<tr class="govuk-table__row">') - 1 == 10  # less the heading's row
    assert "and 1 more in the interview list" in soon
    assert interview.get_absolute_url() not in soon  # due last, the eleventh
    assert to_allocate.count('<tr class="govuk-table__row">') - 1 == 10
    assert "more in the interview list" not in to_allocate
