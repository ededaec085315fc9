"""Security battery Z1, Z2, Z4 for episodes: every episode route, as every persona, leaks nothing.

Fixture episodes, all recorded by GMP (force F1): E1 about C1 (LA-A), E3 about C3 (LA-B), E4 about
C4 (LA-B's child placed in LA-A). The expected visibility is written out by hand.
"""

import pytest
from django.urls import reverse

from episodes.models import Episode, HeldReport
from tests.factories import make_child, make_episode

pytestmark = pytest.mark.django_db

VISIBLE = {
    "coordinator_a": {"e1", "e4"},
    "coordinator_b": {"e3", "e4"},
    "social_worker_a": {"e1", "e4"},
    "manager_a": {"e1", "e4"},
    "iro_a": {"e1", "e4"},
    "rhi_worker": set(),  # interviews allocated to them arrive with the return interviews
    "police_f1": {"e1", "e3", "e4"},  # every child with an episode recorded by GMP
    "police_f2": set(),
    "analyst_a": set(),
    "admin": set(),
}
EPISODE_ROUTES = [
    "episodes:detail",
    "episodes:record_return",
    "episodes:reclassify",
    "episodes:safe_and_well",
    "episodes:close",
    "episodes:reopen",
    "interviews:visit",
    "api-episodes-detail",
]
# Who decides records held for matching in LA-A.
HELD_DECIDERS_A = {"coordinator_a", "manager_a"}


@pytest.fixture
def episodes(world):
    return {
        "e1": make_episode(child=world.c1),
        "e3": make_episode(child=world.c3, local_authority="Stockport"),
        "e4": make_episode(child=world.c4),
    }


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_episode_routes_answer_404_out_of_scope_and_never_fail_in_scope(client, world, episodes, persona):
    client.force_login(getattr(world, persona))
    for name, episode in episodes.items():
        visible = name in VISIBLE[persona]
        for route in EPISODE_ROUTES:
            status = client.get(reverse(route, args=[episode.pk])).status_code
            if visible:
                # 302: the action does not apply to this episode now (e.g. no return yet) and sends you back.
                assert status in (200, 302, 403), f"{persona} GET {route} for {name}: {status}"
            else:
                assert status == 404, f"{persona} GET {route} for {name}: {status}"
        if visible:
            assert client.get(reverse("episodes:detail", args=[episode.pk])).status_code == 200
        # A write to an out-of-scope episode is a 404 and changes nothing.
        response = client.post(
            reverse("episodes:reclassify", args=[episode.pk]),
            {"category": "absent", "risk_level": "low", "reason": "probe", "version": episode.version},
        )
        if not visible:
            assert response.status_code == 404
            assert Episode.objects.get(pk=episode.pk).version == episode.version


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_episode_lists_and_api_totals_show_only_episodes_in_scope(client, world, episodes, persona):
    client.force_login(getattr(world, persona))
    page = client.get(reverse("episodes:list"))
    body = page.content.decode() if page.status_code == 200 else ""
    api = client.get(reverse("api-episodes-list")).json()
    for name, episode in episodes.items():
        visible = name in VISIBLE[persona]
        assert (reverse("episodes:detail", args=[episode.pk]) in body) == visible, f"{persona} list {name}"
        assert (episode.pk in [row["id"] for row in api["results"]]) == visible, f"{persona} api {name}"
    assert api["count"] == len(VISIBLE[persona])


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_a_held_record_is_seen_only_by_the_deciders_of_its_authority(client, world, persona):
    known = make_child(responsible=world.la_a, given_name="Jayden", family_name="Holt")
    held = make_episode(given_name="Jaden", family_name="Holt", date_of_birth=known.date_of_birth.isoformat())
    assert isinstance(held, HeldReport)
    client.force_login(getattr(world, persona))
    status = client.get(reverse("episodes:held_detail", args=[held.pk])).status_code
    assert status == (200 if persona in HELD_DECIDERS_A else 404), persona
    listing = client.get(reverse("episodes:held_list"))
    assert ("Jaden" in listing.content.decode()) == (persona in HELD_DECIDERS_A)


def test_an_out_of_scope_episode_and_a_missing_one_look_the_same(client, world, episodes):
    client.force_login(world.police_f2)
    for route in ("episodes:detail", "api-episodes-detail"):
        assert client.get(reverse(route, args=[episodes["e1"].pk])).status_code == 404
        assert client.get(reverse(route, args=[999999])).status_code == 404


def test_anonymous_clients_are_sent_to_sign_in_and_the_api_refuses_them(client, world, episodes):
    for route in ("episodes:list", "episodes:create", "episodes:import", "episodes:held_list"):
        response = client.get(reverse(route))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.get(reverse("api-episodes-list")).status_code in (401, 403)
    assert client.post(reverse("api-police-reports"), {}, content_type="application/json").status_code == 401
