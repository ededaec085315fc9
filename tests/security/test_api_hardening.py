"""The API under hostile use: a budget per key and per person (429 with Retry-After), bodies over
the size limit refused before they are read (413, nothing written), and every error answer
documented in the OpenAPI schema."""

import json

import pytest
import yaml
from django.core.management import call_command
from rest_framework.throttling import SimpleRateThrottle

from episodes import services
from episodes.models import Episode
from tests.factories import report_row

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/police-reports/"
CHILDREN = "/api/v1/children/"


@pytest.fixture
def rates(monkeypatch):
    """Small budgets, so a test can spend one."""

    def set_rates(**rates):
        for scope, rate in rates.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return set_rates


def test_a_person_who_spends_their_budget_waits_and_others_do_not(client, world, rates):
    rates(api_user="3/min")
    client.force_login(world.coordinator_a)
    assert [client.get(CHILDREN).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(CHILDREN)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"]
    client.force_login(world.coordinator_b)
    assert client.get(CHILDREN).status_code == 200


def test_each_partner_key_has_its_own_budget(client, world, rates):
    rates(api_key="2/min")
    _, gmp = services.api_key_create(agency=world.force_f1, name="GMP extract")
    _, gmp_other = services.api_key_create(agency=world.force_f1, name="GMP second system")

    def send(key, reference):
        row = report_row(force_reference=reference, local_authority=world.la_a.name)
        return client.post(
            REPORTS, data=json.dumps(row), content_type="application/json", headers={"authorization": f"Api-Key {key}"}
        )

    assert [send(gmp, f"MP/{n}").status_code for n in range(2)] == [201, 201]
    assert send(gmp, "MP/2").status_code == 429
    assert not Episode.objects.filter(force_reference="MP/2").exists()
    assert send(gmp_other, "MP/3").status_code == 201


def test_a_body_over_the_limit_is_refused_unread_and_nothing_is_written(client, world, settings):
    settings.API_MAX_REQUEST_BYTES = 2000
    _, key = services.api_key_create(agency=world.force_f1, name="GMP extract")
    row = report_row(force_reference="MP/BIG", local_authority=world.la_a.name, circumstances="x" * 3000)
    response = client.post(
        REPORTS, data=json.dumps(row), content_type="application/json", headers={"authorization": f"Api-Key {key}"}
    )
    assert response.status_code == 413
    assert "the API accepts at most 2,000" in response.json()["detail"]
    assert not Episode.objects.exists()


def test_every_operation_documents_its_error_answers(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["paths"], "the schema has operations"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "403", "406", "429"} <= statuses, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "413", "415"} <= statuses, (method, path)
            if "{" in path:
                assert "404" in statuses, (method, path)
            assert operation["responses"]["429"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
