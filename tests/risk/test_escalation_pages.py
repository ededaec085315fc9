"""The escalation pages, the child's and episode's pages, the acknowledgement, the home page
partial and the API: each scoped (out of scope is a 404), each acknowledgement the recipient's."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines.services import sweep
from interviews.models import Notification
from risk import rules, selectors
from risk.models import Escalation, EscalationRecipient
from tests.factories import make_child

from .helpers import T0, hours, missing_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation(world) -> Escalation:
    missing_episode(world, last_seen=T0)
    sweep(T0 + hours(24))
    return Escalation.objects.get(rule=rules.MISSING_24_HOURS)


OUTSIDERS = ["coordinator_b", "police_f2", "analyst_a", "admin"]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_an_outsider_gets_404_on_every_escalation_route_and_sees_none_listed(client, world, escalation, persona):
    client.force_login(getattr(world, persona))
    assert client.get(escalation.get_absolute_url()).status_code == 404
    assert client.post(reverse("risk:escalation_acknowledge", args=[escalation.pk])).status_code == 404
    assert client.get(reverse("api-escalations-detail", args=[escalation.pk])).status_code == 404
    assert client.get(reverse("api-escalations-list")).json()["results"] == []
    assert escalation.child.full_name not in client.get(reverse("risk:escalation_list") + "?show=all").content.decode()


def test_the_coordinator_acknowledges_from_the_page_once(client, world, escalation):
    client.force_login(world.coordinator_a)
    page = client.get(escalation.get_absolute_url()).content.decode()
    assert "Acknowledge" in page and "Missing more than 24 hours" in page and "Wigan protocol §12" in page
    response = client.post(reverse("risk:escalation_acknowledge", args=[escalation.pk]), follow=True)
    assert "You acknowledged the escalation." in response.content.decode()
    mine = EscalationRecipient.objects.get(escalation=escalation, user=world.coordinator_a)
    assert mine.acknowledged_at is not None
    assert mine.history.latest().history_user == world.coordinator_a
    first = mine.acknowledged_at
    client.post(reverse("risk:escalation_acknowledge", args=[escalation.pk]))
    mine.refresh_from_db()
    assert mine.acknowledged_at == first
    # The others it was sent to still have it to acknowledge.
    assert EscalationRecipient.objects.filter(escalation=escalation, acknowledged_at__isnull=True).count() == 2


def test_someone_who_sees_the_child_but_was_not_sent_it_cannot_acknowledge(client, world, escalation):
    client.force_login(world.iro_a)
    page = client.get(escalation.get_absolute_url()).content.decode()
    assert 'value="Acknowledge"' not in page and ">Acknowledge<" not in page
    assert client.post(reverse("risk:escalation_acknowledge", args=[escalation.pk])).status_code == 403
    assert not EscalationRecipient.objects.filter(acknowledged_at__isnull=False).exists()


def test_the_notification_opens_the_escalation(client, world, escalation):
    client.force_login(world.social_worker_a)
    notification = Notification.objects.get(user=world.social_worker_a, link=escalation.get_absolute_url())
    response = client.post(reverse("interviews:notification_read", args=[notification.pk]))
    assert response.url == escalation.get_absolute_url()


def test_the_child_and_episode_pages_show_the_escalations(client, world, escalation):
    client.force_login(world.coordinator_a)
    for url in (world.c1.get_absolute_url(), escalation.episode.get_absolute_url()):
        body = client.get(url).content.decode()
        assert "Escalations" in body and "Missing more than 24 hours" in body and "Not acknowledged" in body
        assert escalation.get_absolute_url() in body


def test_the_episode_timeline_tells_the_firing_and_names_its_clock(world, escalation):
    from episodes.selectors import episode_timeline

    entries = episode_timeline(episode=escalation.episode, user=world.coordinator_a)
    titles = [entry.title for entry in entries]
    fired = next(entry for entry in entries if entry.title == "Escalation: Missing more than 24 hours")
    assert fired.when == escalation.fired_at and fired.url == escalation.get_absolute_url()
    assert "Escalation clock (Missing more than 24 hours) overdue" in titles
    assert not any(title.startswith("risk.") for title in titles)


def test_the_home_partial_lists_what_the_user_has_to_acknowledge(rf, world, escalation):
    pending = selectors.escalations_to_acknowledge(world.coordinator_a)
    assert list(pending) != []
    html = render_to_string("risk/_home_work.html", {"escalations_to_acknowledge": pending})
    assert "Chloe Ashdown" in html and "Missing more than 24 hours" in html
    assert list(selectors.escalations_to_acknowledge(world.coordinator_b)) == []
    assert list(selectors.escalations_to_acknowledge(world.iro_a)) == []
    EscalationRecipient.objects.filter(user=world.coordinator_a).update(acknowledged_at=T0 + hours(25))
    assert list(selectors.escalations_to_acknowledge(world.coordinator_a)) == []


def many_escalations(world, count: int) -> None:
    children = [make_child(responsible=world.la_a, social_worker=world.social_worker_a) for _ in range(count)]
    rows = Escalation.objects.bulk_create(
        Escalation(
            rule=rules.MISSING_24_HOURS,
            child=child,
            local_authority=world.la_a,
            trigger_key=f"test:{child.pk}",
            fired_at=T0 + datetime.timedelta(minutes=n),
            reason="Missing more than 24 hours",
        )
        for n, child in enumerate(children)
    )
    EscalationRecipient.objects.bulk_create(
        EscalationRecipient(escalation=row, user=world.coordinator_a, why="Missing hub coordinator") for row in rows
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("show", ["mine", "all"])
def test_the_list_takes_the_same_queries_for_10_and_100_rows(client, world, show):
    # session, user, the session record (in a savepoint), MFA, memberships with agencies, the
    # authorities served, the count, the rows with their children, the unread count, the
    # session saved: the same whatever the number of rows.
    client.force_login(world.coordinator_a)
    url = reverse("risk:escalation_list") + f"?show={show}"
    client.get(url)
    many_escalations(world, 10)
    with_10 = _queries(client, url)
    many_escalations(world, 90)
    with_100 = _queries(client, url)
    assert with_10 == with_100
    assert with_100 <= 17


def test_the_api_lists_and_reads_escalations_in_scope(client, world, escalation):
    client.force_login(world.coordinator_a)
    rows = client.get(reverse("api-escalations-list"), {"rule": rules.MISSING_24_HOURS}).json()["results"]
    assert [row["id"] for row in rows] == [escalation.pk]
    body = client.get(reverse("api-escalations-detail", args=[escalation.pk])).json()
    assert body["rule"] == rules.MISSING_24_HOURS and body["child"] == world.c1.pk
    assert body["episode"] == escalation.episode_id and body["acknowledged_at"] is None
    assert {p["why"] for p in body["sent_to"]} >= {"Missing hub coordinator", "Allocated social worker"}
    # Missing 24 hours, and one episode over 24 hours.
    assert client.get(reverse("api-escalations-list"), {"to_acknowledge": "true"}).json()["count"] == 2
    client.post(reverse("risk:escalation_acknowledge", args=[escalation.pk]))
    assert client.get(reverse("api-escalations-list"), {"to_acknowledge": "true"}).json()["count"] == 1
    assert client.get(reverse("api-escalations-list"), {"fired_after": "soon"}).status_code == 400


def test_the_episode_detail_carries_its_escalations(client, world, escalation):
    client.force_login(world.social_worker_a)
    body = client.get(reverse("api-episodes-detail", args=[escalation.episode_id])).json()
    rules_fired = {row["rule"] for row in body["escalations"]}
    assert rules_fired == {rules.MISSING_24_HOURS, rules.EPISODE_OVER_24_HOURS}
    assert all(set(row) == {"rule", "fired_at", "acknowledged_at"} for row in body["escalations"])
    client.post(reverse("risk:escalation_acknowledge", args=[escalation.pk]))
    body = client.get(reverse("api-episodes-detail", args=[escalation.episode_id])).json()
    row = next(r for r in body["escalations"] if r["rule"] == rules.MISSING_24_HOURS)
    assert row["acknowledged_at"] is not None


def test_the_escalations_api_schema_is_valid_and_generates_without_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("risk.api_urls"))])
    document = generator.get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert warnings == {}
    validate_schema(document)


def test_the_child_page_links_to_meetings_and_risk_assessments(client, world, escalation):
    client.force_login(world.coordinator_a)
    body = client.get(world.c1.get_absolute_url()).content.decode()
    assert "Convene a meeting about Chloe Ashdown" in body
    assert "Intervention meeting" in body  # asked for by the 24-hour episode
    assert "Risk assessments and action plans for Chloe Ashdown" in body


def test_the_coordinators_home_page_lists_the_escalation_until_it_is_acknowledged(client, world, escalation):
    client.force_login(world.coordinator_a)
    page = client.get(reverse("home")).content.decode()
    section = page[page.index("Escalations to acknowledge") :]
    assert escalation.get_absolute_url() in section and "Chloe Ashdown" in section
    assert "Meetings to convene" in page  # the hub convenes them

    for pending in selectors.escalations_to_acknowledge(world.coordinator_a):  # 24 hours fires two rules
        client.post(reverse("risk:escalation_acknowledge", args=[pending.pk]))
    assert "No escalation is waiting for you to acknowledge it." in client.get(reverse("home")).content.decode()
    client.force_login(world.police_f1)
    assert "Meetings to convene" not in client.get(reverse("home")).content.decode()
