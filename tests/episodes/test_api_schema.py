"""The OpenAPI schema documents the episodes API: every status code each endpoint answers, and
the API key as a security scheme."""

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/police-reports/"
EPISODES = "/api/v1/episodes/"
EPISODE = "/api/v1/episodes/{id}/"


@pytest.fixture
def schema():
    """The schema of the episodes API alone, so a warning here is one of ours."""
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("episodes.api_urls"))])
    document = generator.get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return document, warnings


def test_the_episodes_api_schema_is_valid_and_generates_without_warnings(schema):
    document, warnings = schema

    assert warnings == {}
    validate_schema(document)
    assert set(document["paths"]) == {REPORTS, EPISODES, EPISODE}


def test_every_answer_of_each_endpoint_is_documented(schema):
    paths = schema[0]["paths"]

    # Each operation's own answers, and those every operation may give (missing.api.COMMON_ERRORS).
    common = {"401", "403", "405", "406", "429"}
    assert set(paths[REPORTS]["post"]["responses"]) == {"200", "201", "202", "400", "409", "413", "415"} | common
    assert set(paths[EPISODES]["get"]["responses"]) == {"200", "400"} | common
    assert set(paths[EPISODE]["get"]["responses"]) == {"200", "400", "404"} | common


def test_the_api_key_is_a_security_scheme_for_sending_reports_only(schema):
    document = schema[0]

    assert document["components"]["securitySchemes"]["apiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": document["components"]["securitySchemes"]["apiKey"]["description"],
    }
    assert {"apiKey": []} in document["paths"][REPORTS]["post"]["security"]
    assert {"apiKey": []} not in document["paths"][EPISODES]["get"]["security"]


def test_the_report_fields_are_the_feed_columns_with_the_required_ones_marked(schema):
    from episodes.feed import COLUMNS, REQUIRED

    body = schema[0]["components"]["schemas"]["PoliceReportInputRequest"]

    assert set(body["properties"]) == {*COLUMNS, "version"}
    assert sorted(body["required"]) == sorted(REQUIRED)


def test_the_served_schema_lists_the_episodes_endpoints(client, world):
    client.force_login(world.coordinator_a)

    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert {REPORTS, EPISODES, EPISODE} <= set(response.json()["paths"])
