"""Every escalation route, as every persona, leaks nothing: out of scope is a 404 (security
battery Z1, Z2). An escalation is seen by whoever may see its child."""

import pytest
from django.urls import reverse

from deadlines.services import sweep
from risk import rules
from risk.models import Escalation, EscalationRecipient

from .helpers import T0, hours, missing_episode

pytestmark = pytest.mark.django_db

VISIBLE = {
    "coordinator_a": {"c1", "c4"},
    "coordinator_b": {"c3", "c4"},
    "social_worker_a": {"c1", "c4"},
    "manager_a": {"c1", "c4"},
    "iro_a": {"c1", "c4"},
    "rhi_worker": set(),
    "police_f1": {"c1", "c3", "c4"},  # each child has a GMP episode
    "police_f2": set(),
    "analyst_a": set(),
    "admin": set(),
}


@pytest.fixture
def escalations(world):
    for name in ("c1", "c3", "c4"):
        missing_episode(world, getattr(world, name), last_seen=T0)
    sweep(T0 + hours(24))
    return {
        name: Escalation.objects.get(rule=rules.MISSING_24_HOURS, child=getattr(world, name))
        for name in VISIBLE["police_f1"]
    }


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_escalation_routes_answer_404_out_of_scope(client, world, escalations, persona):
    user = getattr(world, persona)
    client.force_login(user)
    listed = {
        row["id"]
        for row in client.get(reverse("api-escalations-list"), {"rule": rules.MISSING_24_HOURS}).json()["results"]
    }
    assert listed == {escalations[name].pk for name in VISIBLE[persona]}
    for name, escalation in escalations.items():
        visible = name in VISIBLE[persona]
        for route in ("risk:escalation_detail", "api-escalations-detail"):
            status = client.get(reverse(route, args=[escalation.pk])).status_code
            assert status == (200 if visible else 404), f"{persona} GET {route} for {name}"
        response = client.post(reverse("risk:escalation_acknowledge", args=[escalation.pk]))
        sent = EscalationRecipient.objects.filter(escalation=escalation, user=user).exists()
        assert response.status_code == (404 if not visible else 302 if sent else 403), f"{persona} POST for {name}"
        if not visible:
            assert not EscalationRecipient.objects.filter(
                escalation=escalation, acknowledged_at__isnull=False, user=user
            ).exists()
