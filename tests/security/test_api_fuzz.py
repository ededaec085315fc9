"""Schemathesis against the API's own OpenAPI schema (the API issue): for every operation,
requests generated from the schema, sent as a signed-in coordinator with MFA (every operation)
and as a police partner system's key (every write), get no server error and no status code the
schema does not document."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from episodes import services

pytestmark = pytest.mark.django_db

# The schema /api/schema/ serves, generated in-process (the served copy needs a signed-in user).
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)
schema.app = get_wsgi_application()
CHECKS = [not_a_server_error, status_code_conformance]
EXAMPLES = hypothesis_settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def in_test_transaction():
    """Requests go through the WSGI handler in this thread, on the test's own database
    transaction: as in Django's test client, the end of a request must not close it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@EXAMPLES
def test_as_a_signed_in_coordinator(case, client, world, in_test_transaction):
    client.force_login(world.coordinator_a)
    response = case.call(cookies={"sessionid": client.cookies["sessionid"].value})
    case.validate_response(response, checks=CHECKS)


# A key sends police reports and reads nothing: the write is what it can reach.
@schema.include(method="POST").parametrize()
@EXAMPLES
def test_as_a_police_partner_key(case, world, in_test_transaction):
    _, key = services.api_key_create(agency=world.force_f1, name="GMP extract")
    response = case.call(headers={"Authorization": f"Api-Key {key}"})
    case.validate_response(response, checks=CHECKS)
