"""A local authority may tighten a rule's numbers, never loosen them below the statutory floor:
a looser number is refused with a clear message and nothing is saved. Every change keeps its
history, in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from risk import rules, services
from risk.models import RuleThreshold

pytestmark = pytest.mark.django_db

LOOSER = "A rule threshold cannot be looser than the statutory floor"


@pytest.mark.parametrize(
    ("rule", "field", "value"),
    [
        (rules.MISSING_24_HOURS, "threshold", 25),
        (rules.MISSING_72_HOURS, "respond_within", 6),
        (rules.MISSING_7_DAYS, "threshold", 8),
        (rules.THREE_EPISODES_IN_A_MONTH, "threshold", 4),
        (rules.THREE_EPISODES_IN_A_MONTH, "window_days", 29),
        (rules.REPEAT_ABSENCE_LOCATION, "threshold", 6),
        (rules.CHILD_PROTECTION_MISSING, "respond_within", 8),
    ],
)
def test_a_number_looser_than_the_floor_is_refused_and_nothing_is_saved(world, rule, field, value):
    with pytest.raises(ValidationError) as refused:
        services.rule_threshold_set(local_authority=world.la_a, rule=rule, by=world.admin, **{field: value})
    assert LOOSER in refused.value.message_dict[field][0]
    assert not RuleThreshold.objects.exists()
    assert not RuleThreshold.history.exists()


def test_the_message_names_the_floor_and_its_source(world):
    with pytest.raises(ValidationError) as refused:
        services.rule_threshold_set(
            local_authority=world.la_a, rule=rules.MISSING_24_HOURS, by=world.admin, threshold=36
        )
    assert refused.value.message_dict["threshold"] == [
        "A rule threshold cannot be looser than the statutory floor: hours missing before the rule fires "
        "cannot be more than 24 hours (Wigan protocol §12)"
    ]


def test_a_setting_the_rule_does_not_have_or_zero_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        services.rule_threshold_set(
            local_authority=world.la_a, rule=rules.MISSING_24_HOURS, by=world.admin, window_days=40
        )
    assert "has no such setting" in refused.value.message_dict["window_days"][0]
    with pytest.raises(ValidationError):
        services.rule_threshold_set(
            local_authority=world.la_a, rule=rules.MISSING_24_HOURS, by=world.admin, threshold=0
        )
    assert not RuleThreshold.objects.exists()


def test_tightening_is_saved_with_who_and_why_and_emptying_returns_to_the_default(world):
    row = services.rule_threshold_set(
        local_authority=world.la_a,
        rule=rules.THREE_EPISODES_IN_A_MONTH,
        by=world.admin,
        threshold=2,
        window_days=60,
        reason="Board decision, November",
    )
    assert (row.threshold, row.window_days) == (2, 60)
    services.rule_threshold_set(local_authority=world.la_a, rule=rules.THREE_EPISODES_IN_A_MONTH, by=world.admin)
    row.refresh_from_db()
    assert row.threshold is None
    history = list(row.history.order_by("history_date"))
    assert [h.history_change_reason for h in history] == ["Board decision, November", "Thresholds changed"]
    assert {h.history_user for h in history} == {world.admin}
    assert services.ThresholdBook({world.la_a.pk}).get(world.la_a.pk, rules.BY_CODE[row.rule]).threshold == 3


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def test_the_admin_refuses_a_looser_number_with_the_message_and_saves_nothing(admin_client, world):
    response = admin_client.post(
        reverse("admin:risk_rulethreshold_add"),
        {"local_authority": world.la_a.pk, "rule": rules.MISSING_72_HOURS, "threshold": 96, "reason": "Try"},
    )
    assert response.status_code == 200
    assert LOOSER in response.content.decode()
    assert not RuleThreshold.objects.exists()


def test_the_admin_saves_a_tighter_number_through_the_service_with_history(admin_client, world):
    response = admin_client.post(
        reverse("admin:risk_rulethreshold_add"),
        {"local_authority": world.la_a.pk, "rule": rules.MISSING_72_HOURS, "threshold": 48, "reason": "Pilot"},
    )
    assert response.status_code == 302
    row = RuleThreshold.objects.get()
    assert row.threshold == 48
    assert row.history.get().history_user == world.admin
    history = admin_client.get(reverse("admin:risk_rulethreshold_history", args=[row.pk]))
    assert history.status_code == 200 and "Pilot" in history.content.decode()
