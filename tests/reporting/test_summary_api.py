"""GET /api/v1/reports/summary/: the dashboard's figures as JSON, the same numbers as the page
for the same filters, for the same readers and in the same scope; bad parameters are a 400
naming each field."""

import datetime

import pytest
import time_machine
from django.urls import include, path, reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from episodes.models import Category, Episode, EpisodeState, Source
from privacy.models import AccessKind, AccessLogEntry
from tests.factories import make_child

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
URL = "/api/v1/reports/summary/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def episode(child, day, month=11, hours=5, category=Category.MISSING) -> Episode:
    last_seen = datetime.datetime(2026, month, day, 12, tzinfo=UTC)
    return Episode.objects.create(
        child=child,
        local_authority=child.responsible_authority,
        category=category,
        last_seen_at=last_seen,
        reported_at=last_seen,
        returned_at=last_seen + datetime.timedelta(hours=hours),
        state=EpisodeState.RETURNED,
        source=Source.FORM,
    )


@pytest.fixture
def history(world):
    amy = make_child(responsible=world.la_a, given_name="Amy", family_name="Ashworth")
    dan = make_child(responsible=world.la_b, given_name="Dan", family_name="Stock")
    episode(amy, 3)
    episode(amy, 12, hours=30, category=Category.ABSENT)
    episode(world.c4, 20)  # Stockport's child placed in Manchester, in both authorities' figures
    episode(amy, 15, month=10)
    episode(dan, 7)
    return world


def figures(body) -> dict[str, tuple[int, int]]:
    return {f["name"]: (f["value"], f["previous"]) for f in body["headlines"] + body["interviews"]}


def test_the_summary_gives_the_same_numbers_as_the_dashboard_page(client, history):
    world = history
    client.force_login(world.manager_a)
    params = {"local_authority": world.la_a.pk, "from": "2026-11-01", "to": "2026-11-30"}

    body = client.get(URL, params).json()
    board = client.get(
        reverse("reporting:dashboard"),
        {"local_authority": world.la_a.pk, "period_from": "2026-11-01", "period_to": "2026-11-30"},
    ).context["board"]

    assert body["local_authorities"] == [world.la_a.pk]
    assert body["period"] == {"start": "2026-11-01", "end": "2026-11-30"}
    assert body["previous_period"] == {"start": "2026-10-02", "end": "2026-10-31"}
    assert figures(body)["episodes"] == (3, 1)
    assert figures(body)["children"] == (2, 1)
    assert figures(body)["repeat"] == (1, 0)
    assert figures(body)["absent"] == (1, 0)
    assert figures(body)["completed"] == (0, 0)
    assert [(f["label"], f["value"], f["previous"], f["change"]) for f in body["headlines"]] == [
        (f.label, f.value, f.previous, f.change) for f in board.headlines
    ]
    assert [(f["label"], f["value"], f["percent"]) for f in body["interviews"]] == [
        (f.label, f.value, f.percent) for f in board.interviews
    ]
    assert [(b["measure"], [(r["key"], r["count"], r["children"]) for r in b["rows"]]) for b in body["breakdowns"]] == [
        (b.measure, [(r.key, r.count, r.children) for r in b.rows]) for b in board.breakdowns
    ]
    duration = next(b for b in body["breakdowns"] if b["measure"] == "duration")
    assert duration["rows"][0] == {"key": "under-6h", "label": "Under 6 hours", "count": 2, "children": 2}
    assert "Ashworth" not in str(body)


def test_without_parameters_the_summary_is_last_month_for_all_the_readers_authorities(client, history):
    client.force_login(history.coordinator_b)

    body = client.get(URL).json()

    assert body["period"] == {"start": "2026-11-01", "end": "2026-11-30"}
    assert body["local_authorities"] == [history.la_b.pk]
    assert figures(body)["episodes"] == (2, 0)  # Dan's, and Casey's placed in Manchester
    logged = AccessLogEntry.objects.get(user=history.coordinator_b)
    assert (logged.kind, logged.child_id) == (AccessKind.API, None)


def test_an_analyst_gets_the_managers_figures_with_small_counts_withheld(client, history):
    client.force_login(history.manager_a)
    managers = client.get(URL).json()
    client.force_login(history.analyst_a)

    response = client.get(URL)

    assert response.status_code == 200
    analysts = response.json()
    assert (managers["suppressed"], analysts["suppressed"]) == (False, True)
    pairs = list(
        zip(managers["headlines"] + managers["interviews"], analysts["headlines"] + analysts["interviews"], strict=True)
    )
    pairs += [
        ({"value": mine[column]}, {"value": theirs[column]})
        for a, b in zip(managers["breakdowns"], analysts["breakdowns"], strict=True)
        for mine, theirs in zip(a["rows"], b["rows"], strict=True)
        for column in ("count", "children")
    ]
    for mine, theirs in pairs:
        if mine["value"] == 0:
            assert theirs["value"] == 0
        elif mine["value"] <= 5:
            assert theirs["value"] is None
        else:
            assert theirs["value"] in (mine["value"], None)
    assert any(theirs["value"] is None for _, theirs in pairs)


def test_another_authority_is_a_400_naming_the_field(client, history):
    client.force_login(history.coordinator_b)

    response = client.get(URL, {"local_authority": history.la_a.pk})

    assert response.status_code == 400
    assert response.json() == {"local_authority": ["Local authority must be one of the authorities in the list"]}


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"from": "yesterday", "to": "2026-11-30"}, {"from": ["Start of the period must be a date, like 2026-11-01"]}),
        ({"from": "2026-11-01"}, {"to": ["End of the period must be given with its start"]}),
        ({"to": "2026-11-01"}, {"from": ["Start of the period must be given with its end"]}),
        (
            {"from": "2026-11-30", "to": "2026-11-01"},
            {"to": ["End of the period must be the same as or after its start"]},
        ),
        (
            {"from": "1999-12-31", "to": "2000-01-31"},
            {"from": ["Start of the period must be on or after 1 January 2000"]},
        ),
        ({"from": "2020-01-01", "to": "2026-11-30"}, {"to": ["The period can be at most 5 years long"]}),
        (
            {"local_authority": "Manchester"},
            {"local_authority": ["Local authority must be one of the authorities in the list"]},
        ),
    ],
)
def test_bad_parameters_are_a_400_with_each_field_and_nothing_is_logged(client, history, params, errors):
    client.force_login(history.manager_a)

    response = client.get(URL, params)

    assert response.status_code == 400
    assert response.json() == errors
    assert not AccessLogEntry.objects.filter(user=history.manager_a).exists()


@pytest.mark.parametrize("persona", ["social_worker_a", "police_f1", "rhi_worker", "iro_a", "admin"])
def test_roles_without_the_dashboard_get_404(client, history, persona):
    client.force_login(getattr(history, persona))
    assert client.get(URL).status_code == 404


def test_signed_out_clients_are_refused(client, history):
    assert client.get(URL).status_code in (401, 403)


def test_the_summary_is_in_the_openapi_schema(client, history):
    client.force_login(history.manager_a)

    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/reports/summary/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"local_authority", "from", "to"}
    # Its own answers, and those every operation may give (missing.api.COMMON_ERRORS).
    assert set(operation["responses"]) == {"200", "400", "404"} | {"401", "403", "405", "406", "429"}


def test_the_reports_api_schema_is_valid_and_generates_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("reporting.api_urls"))])
    document = generator.get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()

    assert warnings == {}
    validate_schema(document)
    assert set(document["paths"]) == {URL}
