"""A coordinator overrides the triage with a reason; the rules' colour stays beside it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from interviews import services

pytestmark = pytest.mark.django_db


def test_a_coordinator_overrides_the_triage_with_a_reason(world, interview):
    services.triage_override(interview=interview, triage="red", reason="Known to the CSE team", by=world.coordinator_a)
    interview.refresh_from_db()
    assert interview.effective_triage == "red"
    assert interview.triage != "red"
    latest = interview.history.first()
    assert latest.history_user == world.coordinator_a
    assert "Known to the CSE team" in latest.history_change_reason


def test_an_override_without_a_reason_saves_nothing(world, interview):
    with pytest.raises(ValidationError) as error:
        services.triage_override(interview=interview, triage="red", reason=" ", by=world.coordinator_a)
    assert "Say why" in str(error.value)
    interview.refresh_from_db()
    assert interview.triage_override == ""


def test_only_a_coordinator_serving_the_child_overrides(world, interview):
    with pytest.raises(PermissionDenied):
        services.triage_override(interview=interview, triage="red", reason="x", by=world.coordinator_b)
