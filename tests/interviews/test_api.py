"""GET /api/v1/return-interviews/ with its filters, and the episode detail's return_interview."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews import services
from interviews.models import Status
from tests.factories import make_child

from .conftest import returned_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(world):
    overdue = returned_interview(world, make_child(responsible=world.la_a), hours_ago=80)
    fresh = returned_interview(world, make_child(responsible=world.la_a), hours_ago=2)
    done = returned_interview(world, make_child(responsible=world.la_a), hours_ago=10)
    services.interview_allocate(interview=fresh, worker=world.rhi_worker, by=world.coordinator_a)
    services.interview_outcome_record(
        interview=done, by=world.coordinator_a, outcome=Status.COMPLETED, at=timezone.now()
    )
    return {"overdue": overdue, "fresh": fresh, "done": done}


def ids(client, **params):
    response = client.get(reverse("api-return-interviews-list"), params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_filters_status_worker_due_and_breached(client, world, three):
    client.force_login(world.coordinator_a)
    assert ids(client) == {i.pk for i in three.values()}
    assert ids(client, status="completed") == {three["done"].pk}
    assert ids(client, worker=world.rhi_worker.pk) == {three["fresh"].pk}
    assert ids(client, breached="true") == {three["overdue"].pk}
    cut = (timezone.now() + datetime.timedelta(hours=24)).isoformat()
    assert ids(client, due_before=cut) == {three["overdue"].pk}
    assert ids(client, due_after=cut) == {three["fresh"].pk, three["done"].pk}


def test_a_bad_filter_is_a_400(client, world, three):
    client.force_login(world.coordinator_a)
    assert client.get(reverse("api-return-interviews-list"), {"due_before": "soon"}).status_code == 400


def test_the_detail_computes_within_72_hours(client, world, three):
    client.force_login(world.coordinator_a)
    body = client.get(reverse("api-return-interviews-detail", args=[three["done"].pk])).json()
    assert body["status"] == "completed" and body["within_72_hours"] is True
    assert body["child"]["id"] == three["done"].child_id


def test_the_episode_detail_carries_its_return_interview(client, world, three):
    client.force_login(world.coordinator_a)
    interview = three["done"]
    episode = interview.episodes.get()
    body = client.get(reverse("api-episodes-detail", args=[episode.pk])).json()
    summary = body["return_interview"]
    assert set(summary) == {"id", "status", "due_at", "completed_at", "within_72_hours", "triage"}
    assert summary["status"] == "completed" and summary["within_72_hours"] is True


def test_a_police_spoc_sees_the_episode_but_not_an_unshared_interview(client, world, three):
    client.force_login(world.police_f1)
    episode = three["done"].episodes.get()
    body = client.get(reverse("api-episodes-detail", args=[episode.pk])).json()
    assert body["return_interview"] is None


def test_the_schema_documents_the_interview_routes(client, world):
    client.force_login(world.coordinator_a)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    common = {"401", "403", "405", "406", "429"}
    assert set(paths["/api/v1/return-interviews/"]["get"]["responses"]) == {"200", "400"} | common
    assert set(paths["/api/v1/return-interviews/{id}/"]["get"]["responses"]) == {"200", "400", "404"} | common


def test_the_interviews_api_schema_is_valid_and_generates_without_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("interviews.api_urls"))])
    document = generator.get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert warnings == {}
    validate_schema(document)
