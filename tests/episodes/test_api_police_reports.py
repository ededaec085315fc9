"""POST /api/v1/police-reports/: one feed row as JSON, from a partner system's key or a signed-in
person, through the same intake as the feed file."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from children.models import Child
from deadlines.models import Deadline
from episodes import services
from episodes.models import (
    ApiKey,
    Episode,
    HeldReport,
    MatchCandidate,
    Reclassification,
    SafeAndWellCheck,
    hash_api_key,
)
from tests.factories import UserFactory, make_child, person, report_row

pytestmark = pytest.mark.django_db

URL = "/api/v1/police-reports/"


def test_the_route_has_its_agreed_name():
    assert reverse("api-police-reports") == URL


@pytest.fixture
def gmp_key(world) -> str:
    _, raw = services.api_key_create(agency=world.force_f1, name="GMP Niche extract")
    return raw


@pytest.fixture
def wmp_key(world) -> str:
    _, raw = services.api_key_create(agency=world.force_f2, name="WMP Athena extract")
    return raw


def send(client, row, key=None, **extra):
    headers = {"authorization": f"Api-Key {key}"} if key else {}
    return client.post(URL, data=json.dumps({**row, **extra}), content_type="application/json", headers=headers)


def rows_everywhere() -> dict[str, int]:
    """Every table a report can write to, with its history."""
    models = [Episode, Reclassification, SafeAndWellCheck, HeldReport, MatchCandidate, Child, Deadline]
    counts = {model.__name__: model.objects.count() for model in models}
    for model in (Episode, Reclassification, SafeAndWellCheck, HeldReport, Child):
        counts[f"{model.__name__} history"] = model.history.count()
    counts["links"] = Episode.linked.through.objects.count()
    return counts


# --- With a key ---------------------------------------------------------------------------------


def test_a_new_record_sent_with_a_key_creates_the_episode_and_answers_201(client, gmp_key):
    row = report_row(force_reference="MP/1001", given_name="Ayşe", family_name="Yılmaz", risk_level="high")

    response = send(client, row, gmp_key)

    assert response.status_code == 201
    body = response.json()
    assert body["outcome"] == "created"
    episode = Episode.objects.get(force__code="GMP", force_reference="MP/1001")
    assert body["episode"]["id"] == episode.pk
    assert body["episode"]["child"] == {"id": episode.child_id, "name": "Ayşe Yılmaz"}
    assert body["episode"]["force"] == "GMP"
    assert body["episode"]["risk_level"] == "high"
    assert body["episode"]["state"] == "missing"
    assert body["episode"]["version"] == 1
    assert episode.source == "api"
    created = episode.history.get()
    assert created.history_change_reason == "Police API, key GMP Niche extract"
    assert created.history_user is None


def test_the_same_json_again_is_unchanged_and_writes_no_row_anywhere(client, gmp_key):
    row = report_row(force_reference="MP/1002")
    assert send(client, row, gmp_key).status_code == 201
    before = rows_everywhere()

    response = send(client, row, gmp_key)

    assert response.status_code == 200
    assert response.json()["outcome"] == "unchanged"
    assert response.json()["episode"]["version"] == 1
    assert rows_everywhere() == before


def test_a_re_graded_risk_is_an_update_with_a_reclassification(client, gmp_key):
    row = report_row(force_reference="MP/1003", risk_level="medium")
    send(client, row, gmp_key)

    response = send(client, {**row, "risk_level": "high"}, gmp_key)

    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "updated"
    assert body["episode"]["risk_level"] == "high"
    assert body["episode"]["version"] == 2
    assert body["episode"]["reclassifications"] == [
        {
            "field": "risk_level",
            "from": "medium",
            "to": "high",
            "changed_at": body["episode"]["reclassifications"][0]["changed_at"],
            "reason": "Police record re-graded",
        }
    ]
    reclassification = Reclassification.objects.get()
    assert reclassification.source == "Police API, key GMP Niche extract"


def test_a_return_with_its_safe_and_well_check_is_shown_on_the_episode(client, gmp_key):
    now = timezone.localtime()
    row = report_row(
        force_reference="MP/1004",
        returned_at=(now - datetime.timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"),
        return_method="police",
        found_location="Piccadilly Gardens",
        found_postcode="m1 1ae",
        safe_and_well_at=(now - datetime.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"),
        safe_and_well_outcome="No harm disclosed; stayed at a friend's",
        harm_disclosed="no",
    )

    episode = send(client, row, gmp_key).json()["episode"]

    assert episode["state"] == "returned"
    assert episode["found_postcode"] == "M1 1AE"
    assert episode["duration_hours"] == pytest.approx(70 / 60, abs=0.02)
    assert episode["safe_and_well"]["outcome"] == "No harm disclosed; stayed at a friend's"
    assert episode["safe_and_well"]["harm_disclosed"] == "no"
    assert episode["safe_and_well"]["not_held_reason"] == ""


def test_went_missing_with_may_be_a_list_and_links_the_children(client, gmp_key):
    first = send(client, report_row(force_reference="MP/2001"), gmp_key).json()["episode"]

    second = send(client, report_row(force_reference="MP/2002"), gmp_key, went_missing_with=["MP/2001"])
    second = second.json()["episode"]

    assert second["linked"] == [first["id"]]
    assert Episode.objects.get(pk=second["id"]).went_missing_with == "MP/2001"


def test_null_and_absent_optional_fields_are_blank(client, gmp_key):
    row = report_row(force_reference="MP/2003")
    del row["date_of_birth"]

    response = send(client, {**row, "gender": None, "officer": None}, gmp_key)

    assert response.status_code == 201
    child = Child.objects.get(pk=response.json()["episode"]["child"]["id"])
    assert child.date_of_birth is None


def test_a_field_that_is_not_a_feed_column_is_ignored_and_named(client, gmp_key):
    response = send(client, report_row(), gmp_key, nickname="Jay")

    assert response.status_code == 201
    assert response.json()["warnings"] == ["nickname: not a police feed field; ignored"]


def test_an_uncertain_match_is_held_for_a_coordinator_and_answers_202(client, world, gmp_key):
    row = report_row(
        force_reference="MP/3001",
        given_name="Chloe",
        family_name="Ashdwon",
        date_of_birth=world.c1.date_of_birth.isoformat(),
    )
    episodes_before = Episode.objects.count()

    response = send(client, row, gmp_key)

    assert response.status_code == 202
    held = HeldReport.objects.get()
    assert response.json() == {"outcome": "held for matching", "held_report": held.pk, "warnings": []}
    assert list(held.candidates.all()) == [world.c1]
    assert Episode.objects.count() == episodes_before


def test_a_time_in_the_hour_repeated_when_the_clocks_go_back_is_accepted_with_a_warning(client, gmp_key):
    row = report_row(
        force_reference="MP/3002",
        last_seen_at="2025-10-26T01:30",
        reported_at="2025-10-26T03:00",
        returned_at="2025-10-26T09:00",
    )

    response = send(client, row, gmp_key)

    assert response.status_code == 201
    assert response.json()["episode"]["last_seen_at"] == "2025-10-26T01:30:00+01:00"
    assert response.json()["warnings"] == [
        "last_seen_at: 2025-10-26 01:30 happened twice in the UK (the clocks went back); "
        "read as the first, British Summer Time"
    ]


# --- Rows that break the rules: 400, field by field, and nothing written -------------------------

FUTURE = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"family_name": "  "}, "family_name", "is required"),
        ({"reported_at": None}, "reported_at", "is required"),
        ({"category": "runaway"}, "category", "'runaway' is not one of: missing, absent"),
        ({"returned_at": "2020-01-01T10:00"}, "returned_at", "is before last_seen_at"),
        ({"last_seen_at": FUTURE}, "last_seen_at", "is in the future"),
        ({"force": "XYZ"}, "force", "'XYZ' is not a police force known to Homeward"),
        ({"local_authority": "Atlantis"}, "local_authority", "'Atlantis' is not a local authority known to Homeward"),
        ({"date_of_birth": "2001-01-01"}, "date_of_birth", "makes the person"),
        ({"home_postcode": "not a postcode"}, "home_postcode", "'not a postcode' is not a UK postcode"),
        ({"given_name": {"first": "Amy"}}, "given_name", "must be text"),
        ({"went_missing_with": [1, 2]}, "went_missing_with", "Give references as text separated by ';'"),
        ({"version": "latest"}, "version", "A valid integer is required."),
    ],
)
def test_a_row_that_breaks_a_rule_is_refused_naming_the_field_and_writes_nothing(
    client, gmp_key, overrides, column, reason
):
    row = report_row(force_reference="MP/4001")
    before = rows_everywhere()

    response = send(client, {**row, **overrides}, gmp_key)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert column in errors
    assert errors[column][0].startswith(reason)
    assert rows_everywhere() == before


def test_an_absent_required_field_is_reported_like_a_blank_one(client, gmp_key):
    row = report_row(force_reference="MP/4002")
    del row["force_reference"], row["last_seen_at"]

    response = send(client, row, gmp_key)

    assert response.status_code == 400
    assert response.json()["errors"] == {"force_reference": ["is required"], "last_seen_at": ["is required"]}
    assert not Episode.objects.exists()


def test_every_broken_rule_of_a_row_is_reported_at_once(client, gmp_key):
    response = send(client, report_row(category="runaway", risk_level="huge", home_postcode="nowhere"), gmp_key)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"category", "risk_level", "home_postcode"}


def test_a_body_that_is_not_a_json_object_is_refused(client, gmp_key):
    headers = {"authorization": f"Api-Key {gmp_key}"}
    not_json = client.post(URL, data="force=GMP", content_type="application/json", headers=headers)
    a_list = client.post(URL, data="[]", content_type="application/json", headers=headers)
    a_form = client.post(URL, data={"force": "GMP"}, headers=headers)

    assert not_json.status_code == 400
    assert a_list.status_code == 400
    assert a_form.status_code == 415
    assert not Episode.objects.exists()


# --- Who may send: keys and people ----------------------------------------------------------------


def test_without_a_key_or_a_session_the_answer_is_401_asking_for_a_key(client, world):
    response = send(client, report_row())

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert not Episode.objects.exists()


@pytest.mark.parametrize("header", ["Api-Key hw_not-a-real-key", "Api-Key", "Api-Key two parts", "api-key ünïcode"])
def test_an_unknown_or_malformed_key_is_401(client, world, header):
    response = client.post(
        URL, data=json.dumps(report_row()), content_type="application/json", headers={"authorization": header}
    )

    assert response.status_code == 401
    assert not Episode.objects.exists()


def test_a_revoked_key_is_401_and_writes_nothing(client, world, gmp_key):
    services.api_key_revoke(key=ApiKey.objects.get())
    before = rows_everywhere()

    response = send(client, report_row(), gmp_key)

    assert response.status_code == 401
    assert response.json()["detail"] == "This API key is not valid or has been revoked."
    assert rows_everywhere() == before


def test_another_forces_key_is_403_naming_the_keys_force_and_writes_nothing(client, world, wmp_key):
    before = rows_everywhere()

    response = send(client, report_row(force="GMP"), wmp_key)

    assert response.status_code == 403
    assert "West Midlands Police (WMP)" in response.json()["detail"]
    assert rows_everywhere() == before


def test_another_forces_key_is_403_even_when_the_row_has_other_errors(client, world, wmp_key):
    response = send(client, report_row(force="GMP", category="runaway"), wmp_key)

    assert response.status_code == 403


def test_only_the_keys_hash_is_stored_and_its_use_is_recorded(client, world, gmp_key):
    key = ApiKey.objects.get()
    assert key.key_hash == hash_api_key(gmp_key)
    assert gmp_key not in {key.key_hash, key.prefix, key.name}
    assert gmp_key.startswith(key.prefix)
    assert key.last_used_at is None

    send(client, report_row(), gmp_key)

    key.refresh_from_db()
    assert key.last_used_at is not None
    assert key.history.count() == 1  # using a key leaves no history row


def test_a_police_spoc_signed_in_sends_their_own_forces_record(client, world):
    client.force_login(world.police_f1)

    response = send(client, report_row(force="GMP", force_reference="MP/5001"))

    assert response.status_code == 201
    episode = Episode.objects.get(force_reference="MP/5001")
    assert episode.history.get().history_user == world.police_f1
    assert episode.history.get().history_change_reason == "Police API, Percy Constable"


def test_a_police_spoc_of_another_force_is_403_and_writes_nothing(client, world):
    client.force_login(world.police_f2)
    before = rows_everywhere()

    response = send(client, report_row(force="GMP"))

    assert response.status_code == 403
    assert rows_everywhere() == before


def test_a_coordinator_sends_records_for_their_councils_area_only(client, world):
    client.force_login(world.coordinator_a)
    assert send(client, report_row(local_authority="Manchester")).status_code == 201

    client.force_login(world.coordinator_b)
    before = rows_everywhere()
    assert send(client, report_row(local_authority="Manchester")).status_code == 403
    assert rows_everywhere() == before


@pytest.mark.parametrize("persona", ["social_worker_a", "rhi_worker", "analyst_a", "iro_a"])
def test_people_whose_role_does_not_record_police_reports_are_403(client, world, persona):
    client.force_login(getattr(world, persona))

    response = send(client, report_row())

    assert response.status_code == 403
    assert not Episode.objects.exists()


def test_a_signed_in_person_without_two_factor_authentication_is_refused(client, world):
    no_mfa = UserFactory(mfa=False)
    person_with_role = person("police_spoc", world.force_f1, mfa=False)
    for user in (no_mfa, person_with_role):
        client.force_login(user)
        assert send(client, report_row()).status_code == 403
    assert not Episode.objects.exists()


# --- Two writers: the version the client read ---------------------------------------------------


def test_a_report_from_a_stale_version_is_409_with_what_changed_and_writes_nothing(client, world, gmp_key):
    row = report_row(force_reference="MP/6001", risk_level="medium")
    send(client, row, gmp_key)
    send(client, {**row, "risk_level": "high"}, gmp_key)
    before = rows_everywhere()

    response = send(client, {**row, "risk_level": "low", "found_location": "Home"}, gmp_key, version=1)

    assert response.status_code == 409
    body = response.json()
    assert body["version"] == 2
    assert {"field": "Risk grade", "then": "Medium", "now": "High"} in body["changes"]
    assert rows_everywhere() == before
    assert Episode.objects.get(force_reference="MP/6001").risk_level == "high"


def test_a_report_from_the_current_version_is_applied(client, world, gmp_key):
    row = report_row(force_reference="MP/6002", risk_level="medium")
    send(client, row, gmp_key)

    response = send(client, {**row, "risk_level": "low"}, gmp_key, version=1)

    assert response.status_code == 200
    assert response.json()["episode"]["version"] == 2


def test_a_coordinator_sending_for_a_placed_child_sees_the_episode(client, world):
    """The host authority's coordinator sends a record about a child placed in their area."""
    placed = make_child(
        responsible=world.la_b,
        host_authority=world.la_a,
        given_name="Priya",
        family_name="Shah",
        legal_status="looked_after_s20",
    )
    client.force_login(world.coordinator_a)

    response = send(
        client,
        report_row(
            local_authority="Manchester",
            given_name="Priya",
            family_name="Shah",
            date_of_birth=placed.date_of_birth.isoformat(),
        ),
    )

    assert response.status_code == 201
    assert response.json()["episode"]["child"]["id"] == placed.pk
