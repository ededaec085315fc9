"""GET /api/v1/episodes/ and /api/v1/episodes/{id}/: scoped like the pages, filtered like the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from episodes import services
from episodes.models import Episode
from tests.factories import make_child, make_episode

pytestmark = pytest.mark.django_db

LIST = "/api/v1/episodes/"


def detail(pk: int) -> str:
    return f"/api/v1/episodes/{pk}/"


def test_the_routes_have_their_agreed_names():
    assert reverse("api-episodes-list") == LIST
    assert reverse("api-episodes-detail", args=[7]) == detail(7)


@pytest.fixture
def gmp_episode(world) -> Episode:
    """An LA-A child's GMP episode."""
    return make_episode(child=world.c1, force="GMP", force_reference="MP/100", risk_level="medium")


# --- Scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator_a", "police_f1", "social_worker_a", "manager_a"])
def test_people_who_may_see_the_child_read_the_episode(client, world, gmp_episode, persona):
    client.force_login(getattr(world, persona))

    assert client.get(detail(gmp_episode.pk)).status_code == 200
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [gmp_episode.pk]


@pytest.mark.parametrize("persona", ["coordinator_b", "police_f2", "analyst_a", "admin"])
def test_an_outsider_gets_404_and_the_list_leaves_the_episode_out(client, world, gmp_episode, persona):
    make_episode(child=world.c3, force="GMP", local_authority="Stockport")
    client.force_login(getattr(world, persona))

    assert client.get(detail(gmp_episode.pk)).status_code == 404
    body = client.get(LIST).json()
    assert gmp_episode.pk not in [row["id"] for row in body["results"]]
    assert body["count"] == (1 if persona == "coordinator_b" else 0)


def test_an_out_of_scope_id_and_a_missing_id_look_the_same(client, world, gmp_episode):
    client.force_login(world.coordinator_b)
    out_of_scope = client.get(detail(gmp_episode.pk))
    missing = client.get(detail(999999))

    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()


def test_without_a_session_reading_is_refused(client, world, gmp_episode):
    assert client.get(LIST).status_code == 403
    assert client.get(detail(gmp_episode.pk)).status_code == 403


def test_an_api_key_cannot_read_episodes(client, world, gmp_episode):
    _, raw = services.api_key_create(agency=world.force_f1, name="GMP Niche extract")
    headers = {"authorization": f"Api-Key {raw}"}

    listing = client.get(LIST, headers=headers)
    one = client.get(detail(gmp_episode.pk), headers=headers)

    assert listing.status_code == one.status_code == 403
    assert "API key can only send police reports" in listing.json()["detail"]


def test_the_children_detail_endpoint_still_answers(client, world, gmp_episode):
    client.force_login(world.police_f1)

    response = client.get(reverse("api-children-detail", args=[world.c1.pk]))

    assert response.status_code == 200
    assert response.json()["family_name"] == "Ashdown"


# --- What an episode says ------------------------------------------------------------------------


def test_the_detail_has_the_times_the_child_and_the_police_record(client, world):
    episode = make_episode(
        child=world.c1,
        force="GMP",
        force_reference="MP/200",
        last_seen_at="2026-01-10T21:00",
        reported_at="2026-01-10T22:30",
        returned_at="2026-01-11T09:30",
        missing_from="home",
        missing_from_postcode="M1 1AE",
        found_location="Bus station",
        return_method="police",
        cse_concern="yes",
    )
    client.force_login(world.coordinator_a)

    body = client.get(detail(episode.pk)).json()

    assert body["state"] == "returned"
    assert body["category"] == "missing"
    assert body["whereabouts_known"] is False
    assert body["last_seen_at"] == "2026-01-10T21:00:00Z"
    assert body["reported_at"] == "2026-01-10T22:30:00Z"
    assert body["returned_at"] == "2026-01-11T09:30:00Z"
    assert body["duration_hours"] == 12.5
    assert body["child"] == {"id": world.c1.pk, "name": "Chloe Ashdown"}
    assert body["force"] == "GMP"
    assert body["force_reference"] == "MP/200"
    assert body["local_authority"] == {"id": world.la_a.pk, "name": "Manchester"}
    assert body["missing_from"] == "home"
    assert body["missing_from_postcode"] == "M1 1AE"
    assert body["found_location"] == "Bus station"
    assert body["return_method"] == "police"
    assert body["cse_concern"] == "yes"
    assert body["version"] == 1
    assert body["reclassifications"] == []
    assert body["safe_and_well"] is None
    assert body["linked"] == []


def test_the_detail_has_the_reclassifications_and_the_safe_and_well_decision(client, world):
    episode = make_episode(child=world.c1, force="GMP", returned_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    episode = services.episode_reclassify(
        episode=episode, by=world.police_f1, category="absent", risk_level="low", reason="Seen at a friend's"
    )
    services.safe_and_well_record(episode=episode, by=world.police_f1, not_held_reason="Agreed with the carer")
    client.force_login(world.coordinator_a)

    body = client.get(detail(episode.pk)).json()

    assert [(r["field"], r["from"], r["to"], r["reason"]) for r in body["reclassifications"]] == [
        ("category", "missing", "absent", "Seen at a friend's"),
        ("risk_level", "medium", "low", "Seen at a friend's"),
    ]
    assert body["safe_and_well"] == {
        "held_at": None,
        "outcome": "",
        "harm_disclosed": "",
        "not_held_reason": "Agreed with the carer",
    }


def test_linked_episodes_are_listed_only_when_the_reader_may_see_them(client, world):
    ours = make_episode(child=world.c1, force="GMP", force_reference="MP/301", went_missing_with="MP/302")
    theirs = make_episode(child=world.c3, force="GMP", force_reference="MP/302", local_authority="Stockport")
    assert list(ours.linked.all()) == [theirs]

    client.force_login(world.coordinator_a)
    assert client.get(detail(ours.pk)).json()["linked"] == []
    client.force_login(world.police_f1)
    assert client.get(detail(ours.pk)).json()["linked"] == [theirs.pk]


# --- Filters and ordering ------------------------------------------------------------------------


@pytest.fixture
def three_episodes(world):
    """A: c1, GMP, high, returned after 10 h. B: c1, missing since 30 June 23:30 UK time (absent,
    low). C: c4 (placed in LA-A), medium, returned after 2 h, last seen 1 July 00:30 UK time."""
    a = make_episode(
        child=world.c1,
        force="GMP",
        risk_level="high",
        last_seen_at="2026-06-01T08:00",
        reported_at="2026-06-01T09:00",
        returned_at="2026-06-01T18:00",
    )
    b = make_episode(
        child=world.c1,
        force="GMP",
        category="absent",
        risk_level="low",
        last_seen_at="2026-06-30T23:30",
        reported_at="2026-07-01T00:10",
    )
    c = make_episode(
        child=world.c4,
        force="GMP",
        risk_level="medium",
        last_seen_at="2026-07-01T00:30",
        reported_at="2026-07-01T01:00",
        returned_at="2026-07-01T02:30",
    )
    return a, b, c


def ids(client, **params) -> list[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_list_is_most_recently_last_seen_first(client, world, three_episodes):
    a, b, c = three_episodes
    client.force_login(world.coordinator_a)

    assert ids(client) == [c.pk, b.pk, a.pk]


def test_filters_by_state_category_risk_child_and_local_authority(client, world, three_episodes):
    a, b, c = three_episodes
    client.force_login(world.coordinator_a)

    assert ids(client, state="missing") == [b.pk]
    assert ids(client, state="returned") == [c.pk, a.pk]
    assert ids(client, category="absent") == [b.pk]
    assert ids(client, risk_level="high") == [a.pk]
    assert ids(client, child=world.c4.pk) == [c.pk]
    assert ids(client, local_authority=world.la_a.pk) == [c.pk, b.pk, a.pk]
    assert ids(client, local_authority=world.la_b.pk) == []
    assert ids(client, state="missing", category="missing") == []


def test_last_seen_dates_are_uk_days_both_ends_included(client, world, three_episodes):
    a, b, c = three_episodes
    client.force_login(world.coordinator_a)

    # 30 June 23:30 BST is 22:30 UTC: still 30 June in the UK.
    assert ids(client, last_seen_from="2026-06-30", last_seen_to="2026-06-30") == [b.pk]
    assert ids(client, last_seen_from="2026-07-01") == [c.pk]
    assert ids(client, last_seen_to="2026-06-01") == [a.pk]


def test_ordering_by_time_missing_counts_an_open_episode_up_to_now(client, world, three_episodes):
    a, b, c = three_episodes
    client.force_login(world.coordinator_a)

    assert ids(client, ordering="-duration") == [b.pk, a.pk, c.pk]
    assert ids(client, ordering="duration") == [c.pk, a.pk, b.pk]
    assert ids(client, ordering="last_seen_at") == [a.pk, b.pk, c.pk]


@pytest.mark.parametrize(
    "params", [{"state": "lost"}, {"last_seen_from": "2026-06-31"}, {"child": "Chloe"}, {"ordering": "child"}]
)
def test_a_filter_that_cannot_be_read_is_400(client, world, three_episodes, params):
    client.force_login(world.coordinator_a)

    assert client.get(LIST, params).status_code == 400


def test_the_list_pages(client, world, three_episodes):
    client.force_login(world.coordinator_a)

    body = client.get(LIST, {"limit": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2 and body["next"]


# --- Queries -------------------------------------------------------------------------------------


def episode_queries(client, url, params=None) -> tuple[int, int]:
    """(all queries, queries reading episodes) for one request, after a first request has set up
    the session (allauth records it on the first request only)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    return len(sql), sum('FROM "episodes_' in s for s in sql)


@pytest.mark.parametrize("persona", ["coordinator_a", "police_f1"])
def test_the_list_makes_the_same_queries_for_10_and_100_episodes(client, world, persona):
    """Reading episodes takes two queries: the count, then the page with child, force and local
    authority joined. The rest are the session, MFA and the reader's memberships (the scope)."""
    client.force_login(getattr(world, persona))

    def queries_for(count: int) -> tuple[int, int]:
        Episode.objects.all().delete()
        for _ in range(count):
            make_episode(child=make_child(responsible=world.la_a), force="GMP")
        assert client.get(LIST, {"limit": 200}).json()["count"] == count
        return episode_queries(client, LIST, {"limit": 200})

    ten = queries_for(10)
    assert queries_for(100) == ten
    assert ten[1] == 2


def test_the_detail_makes_the_same_queries_however_much_history(client, world):
    """The episode (child, force, local authority and safe-and-well check joined), its
    reclassifications, and the linked episodes the reader may see."""
    client.force_login(world.coordinator_a)
    quiet = make_episode(child=world.c1, force="GMP", force_reference="MP/901")
    busy = make_episode(child=world.c1, force="GMP", force_reference="MP/902")
    for category, risk in [("absent", "low"), ("missing", "high"), ("absent", "medium"), ("missing", "low")]:
        busy = services.episode_reclassify(
            episode=busy, by=world.police_f1, category=category, risk_level=risk, reason="Re-graded"
        )
    for index in range(3):
        make_episode(child=world.c1, force="GMP", force_reference=f"MP/91{index}", went_missing_with="MP/902")

    assert episode_queries(client, detail(busy.pk)) == episode_queries(client, detail(quiet.pk))
    assert episode_queries(client, detail(busy.pk))[1] == 3
