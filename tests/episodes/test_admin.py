"""The admin: administrators create API keys (shown once) and revoke them; case records are
read-only there, with their history."""

import json
import re

import pytest
from django.urls import reverse

from episodes import services
from episodes.models import ApiKey, Episode, HeldReport, ImportJob, Reclassification, SafeAndWellCheck, hash_api_key
from tests.factories import make_episode, report_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def shown_key(response) -> str:
    """The key in the page the administrator lands on after saving."""
    (key,) = re.findall(r"\bhw_[A-Za-z0-9_-]{40,}", response.content.decode())
    return key


def test_an_administrator_creates_a_key_and_sees_it_once(admin_client, world):
    response = admin_client.post(
        reverse("admin:episodes_apikey_add"), {"agency": world.force_f1.pk, "name": "GMP Niche extract"}, follow=True
    )

    assert response.status_code == 200
    raw = shown_key(response)
    key = ApiKey.objects.get()
    assert key.agency == world.force_f1 and key.name == "GMP Niche extract"
    assert key.key_hash == hash_api_key(raw) and raw.startswith(key.prefix)
    assert key.created_by == world.admin
    assert key.history.get().history_user == world.admin
    # Never shown again: the key's own page and the list hold only its prefix.
    for page in (reverse("admin:episodes_apikey_change", args=[key.pk]), reverse("admin:episodes_apikey_changelist")):
        body = admin_client.get(page).content.decode()
        assert key.prefix in body and raw not in body and key.key_hash not in body


def test_the_new_key_sends_reports_for_its_force(admin_client, world):
    raw = shown_key(
        admin_client.post(
            reverse("admin:episodes_apikey_add"), {"agency": world.force_f1.pk, "name": "Niche"}, follow=True
        )
    )
    admin_client.logout()

    response = admin_client.post(
        "/api/v1/police-reports/",
        data=json.dumps(report_row()),
        content_type="application/json",
        headers={"authorization": f"Api-Key {raw}"},
    )

    assert response.status_code == 201


@pytest.mark.parametrize(("data", "field"), [({"agency": "", "name": "Niche"}, "agency"), ({"name": "   "}, "name")])
def test_a_key_needs_a_police_force_and_a_name(admin_client, world, data, field):
    data = {"agency": world.force_f1.pk, **data}

    response = admin_client.post(reverse("admin:episodes_apikey_add"), data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not ApiKey.objects.exists()


def test_a_council_cannot_be_given_a_key(admin_client, world):
    response = admin_client.post(reverse("admin:episodes_apikey_add"), {"agency": world.council_a.pk, "name": "x"})

    assert "agency" in response.context["adminform"].form.errors
    assert not ApiKey.objects.exists()


def test_revoking_keys_stops_them_at_once_and_keeps_them(admin_client, world):
    key, raw = services.api_key_create(agency=world.force_f1, name="Niche")
    other, _ = services.api_key_create(agency=world.force_f2, name="Athena")

    response = admin_client.post(
        reverse("admin:episodes_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}
    )

    assert response.status_code == 302
    key.refresh_from_db()
    other.refresh_from_db()
    assert key.revoked_at is not None and other.revoked_at is None
    assert key.history.latest().history_change_reason == "API key revoked"
    assert key.history.latest().history_user == world.admin
    admin_client.logout()
    refused = admin_client.post(
        "/api/v1/police-reports/",
        data=json.dumps(report_row()),
        content_type="application/json",
        headers={"authorization": f"Api-Key {raw}"},
    )
    assert refused.status_code == 401


def test_a_key_is_neither_edited_nor_deleted(admin_client, world):
    key, _ = services.api_key_create(agency=world.force_f1, name="Niche")

    admin_client.post(reverse("admin:episodes_apikey_change", args=[key.pk]), {"agency": key.agency_id, "name": "X"})
    deleted = admin_client.post(reverse("admin:episodes_apikey_delete", args=[key.pk]), {"post": "yes"})

    key.refresh_from_db()
    assert key.name == "Niche"
    assert deleted.status_code == 403
    assert ApiKey.objects.filter(pk=key.pk).exists()


CASE_MODELS = [Episode, HeldReport, Reclassification, SafeAndWellCheck, ImportJob]


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_case_records_are_listed_but_cannot_be_added_or_deleted_in_the_admin(admin_client, world, model):
    opts = model._meta

    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403


def test_an_episode_is_shown_read_only_with_its_history(admin_client, world):
    episode = make_episode(child=world.c1, force="GMP", force_reference="MP/77")
    services.episode_reclassify(episode=episode, by=world.police_f1, category="absent", risk_level="low", reason="x")
    change = reverse("admin:episodes_episode_change", args=[episode.pk])

    page = admin_client.get(change)
    posted = admin_client.post(change, {"force_reference": "MP/78"})
    history = admin_client.get(reverse("admin:episodes_episode_history", args=[episode.pk]))
    deleted = admin_client.post(reverse("admin:episodes_episode_delete", args=[episode.pk]), {"post": "yes"})

    assert page.status_code == 200 and 'name="force_reference"' not in page.content.decode()
    assert posted.status_code == 403
    assert history.status_code == 200 and "Reclassified: x" in history.content.decode()
    assert deleted.status_code == 403
    episode.refresh_from_db()
    assert episode.force_reference == "MP/77"


@pytest.mark.parametrize("persona", ["coordinator_a", "police_f1"])
def test_people_who_are_not_administrators_cannot_reach_the_keys(client, world, persona):
    client.force_login(getattr(world, persona))

    response = client.get(reverse("admin:episodes_apikey_changelist"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
