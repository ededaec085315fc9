"""The interview pages: list, caseload, the interview, its forms, the inbox."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children.models import Child
from interviews import services
from interviews.models import Notification, ReturnInterview, Status

pytestmark = pytest.mark.django_db


def many_interviews(world, count: int, *, worker=None) -> None:
    now = timezone.now()
    children = Child.objects.bulk_create(
        Child(given_name="Many", family_name=f"Child{n}", responsible_authority=world.la_a, search_text="many")
        for n in range(count)
    )
    ReturnInterview.objects.bulk_create(
        ReturnInterview(
            child=child,
            local_authority=world.la_a,
            returned_at=now - datetime.timedelta(hours=n % 90),
            due_at=now - datetime.timedelta(hours=n % 90) + datetime.timedelta(hours=72),
            triage="amber",
            triage_reasons=["2 missing episodes in the last 12 months"],
            worker=worker,
            status=Status.ALLOCATED if worker else Status.AWAITING_ALLOCATION,
        )
        for n, child in enumerate(children)
    )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("route", "persona"), [("interviews:list", "coordinator_a"), ("interviews:caseload", "rhi_worker")]
)
def test_list_pages_take_the_same_queries_for_10_and_100_rows(client, world, route, persona):
    # session, user, the user's session record (read, user, update, in a savepoint), MFA, the
    # memberships with their agencies, the authorities served (list check and scope), the count,
    # the rows with their children and workers, the unread count, the session saved (in a
    # savepoint), the access log's rows (one insert): 18 at most, the same whatever the number of
    # rows.
    client.force_login(getattr(world, persona))
    worker = world.rhi_worker if persona == "rhi_worker" else None
    client.get(reverse(route))  # the first request of a session writes it
    many_interviews(world, 10, worker=worker)
    with_10 = queries(client, reverse(route))
    many_interviews(world, 90, worker=worker)
    with_100 = queries(client, reverse(route))
    assert with_10 == with_100
    assert with_100 <= 18


def test_the_caseload_lists_overdue_first_then_by_time_left(client, world):
    from tests.factories import make_child

    from .conftest import returned_interview

    soon = returned_interview(world, make_child(responsible=world.la_a, given_name="Soon"), hours_ago=70)
    later = returned_interview(world, make_child(responsible=world.la_a, given_name="Later"), hours_ago=2)
    late = returned_interview(world, make_child(responsible=world.la_a, given_name="Late"), hours_ago=80)
    for interview in (soon, later, late):
        services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    client.force_login(world.rhi_worker)
    body = client.get(reverse("interviews:caseload")).content.decode()
    assert body.index("Late ") < body.index("Soon ") < body.index("Later ")
    assert "Overdue by 8 hours" in body
    assert "Due in 1 hour 59 minutes" in body or "Due in 2 hours" in body


def test_the_interview_page_shows_triage_reasons_and_the_clock(client, world, interview):
    client.force_login(world.coordinator_a)
    body = client.get(interview.get_absolute_url()).content.decode()
    for reason in interview.triage_reasons:
        assert reason in body
    assert "Due in 2 days" in body
    assert "Allocate" in body


def test_allocating_through_the_page_to_someone_not_offered_saves_nothing(client, world, interview):
    client.force_login(world.coordinator_a)
    response = client.post(reverse("interviews:allocate", args=[interview.pk]), {"worker": world.social_worker_a.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    interview.refresh_from_db()
    assert interview.worker is None


def test_an_outcome_in_the_future_through_the_page_says_why_and_saves_nothing(client, world, interview):
    client.force_login(world.coordinator_a)
    future = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("interviews:outcome", args=[interview.pk]), {"outcome": "completed", "at": future})
    assert "cannot be in the future" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == Status.AWAITING_ALLOCATION


def test_the_unread_count_is_on_every_page_and_reading_records_when(client, world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    client.force_login(world.rhi_worker)
    for url in (reverse("home"), reverse("interviews:caseload"), reverse("children:list")):
        assert '1<span class="govuk-visually-hidden"> unread</span>' in client.get(url).content.decode()
    notification = Notification.objects.get(user=world.rhi_worker)
    response = client.post(reverse("interviews:notification_read", args=[notification.pk]))
    assert response.url == interview.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_a_404(client, world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    client.force_login(world.coordinator_a)
    notification = Notification.objects.get(user=world.rhi_worker)
    assert client.post(reverse("interviews:notification_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    ("link", "lands_on"),
    [("/children/", "/children/"), ("//elsewhere.example/phish", None), ("https://elsewhere.example/", None)],
)
def test_a_notification_about_another_page_opens_it_but_never_another_site(client, world, link, lands_on):
    services.notify(
        users=[world.coordinator_a], message="Something needs you", kind="test", link=link, now=timezone.now()
    )
    client.force_login(world.coordinator_a)
    notification = Notification.objects.get(user=world.coordinator_a)
    response = client.post(reverse("interviews:notification_read", args=[notification.pk]))
    assert response.url == (lands_on or reverse("interviews:inbox"))
