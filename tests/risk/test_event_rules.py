"""Event rules, checked when an episode is created or changes: 3 episodes in a month, 2 or more
episodes, 3 absences in 90 days, 5 absences from one place in 30 days, a child on a child
protection plan missing. Each at its boundary, each firing once per run of episodes."""

import pytest

from episodes.services import episode_reclassify
from risk import rules
from risk.models import Escalation
from tests.factories import make_child

from .helpers import T0, days, fired, hours, missing_episode, returned_episode

pytestmark = pytest.mark.django_db


def returned(world, child, start, **row):
    return returned_episode(world, child, last_seen=start, returned=start + hours(3), **row)


def test_the_third_episode_30_days_after_the_first_fires_an_intervention_meeting_rule(world):
    returned(world, world.c1, T0)
    returned(world, world.c1, T0 + days(12))
    assert fired(rules.THREE_EPISODES_IN_A_MONTH) == []
    third = returned(world, world.c1, T0 + days(30) + hours(8))  # later in the day still counts
    (escalation,) = fired(rules.THREE_EPISODES_IN_A_MONTH)
    assert escalation.episode == third
    assert "3 missing episodes in 30 days" in escalation.reason


def test_the_third_episode_31_days_after_the_first_does_not(world):
    returned(world, world.c1, T0)
    returned(world, world.c1, T0 + days(12))
    returned(world, world.c1, T0 + days(31))
    assert fired(rules.THREE_EPISODES_IN_A_MONTH) == []


def test_a_fourth_episode_in_the_same_month_does_not_fire_again_and_a_resent_record_neither(world):
    for day in (0, 5, 10, 15):
        episode = returned(world, world.c1, T0 + days(day))
    assert len(fired(rules.THREE_EPISODES_IN_A_MONTH)) == 1
    episode_reclassify(
        episode=episode, by=world.police_f1, category="missing", risk_level="high", reason="New information"
    )
    assert len(fired(rules.THREE_EPISODES_IN_A_MONTH)) == 1


def test_the_second_episode_asks_for_a_support_discussion_and_the_first_does_not(world):
    returned(world, world.c1, T0)
    assert fired(rules.TWO_OR_MORE_EPISODES) == []
    second = returned(world, world.c1, T0 + days(100))
    (escalation,) = fired(rules.TWO_OR_MORE_EPISODES)
    assert escalation.episode == second
    # DfE ¶46: the discussion is the social worker's.
    assert {r.user for r in escalation.recipients.all()} == {world.social_worker_a}


def test_three_absences_in_90_days_fire_a_safeguarding_review_and_91_days_do_not(world):
    other = make_child(responsible=world.la_a)
    for child, last in ((world.c1, 90), (other, 91)):
        for day in (0, 40, last):
            missing_episode(world, child, last_seen=T0 + days(day), category="absent", risk_level="no_apparent_risk")
    assert [e.child for e in fired(rules.REPEAT_ABSENCE_CHILD)] == [world.c1]


def test_the_fifth_absence_from_one_address_in_30_days_fires_once(world):
    children = [make_child(responsible=world.la_a) for _ in range(6)]
    for n, child in enumerate(children[:4]):
        missing_episode(
            world,
            child,
            last_seen=T0 + days(n * 7),
            category="absent",
            risk_level="no_apparent_risk",
            missing_from_postcode="m1 1ae",
        )
    assert fired(rules.REPEAT_ABSENCE_LOCATION) == []
    fifth = missing_episode(
        world,
        children[4],
        last_seen=T0 + days(29),
        category="absent",
        risk_level="no_apparent_risk",
        missing_from_postcode="M1 1AE",
    )
    (escalation,) = fired(rules.REPEAT_ABSENCE_LOCATION)
    assert escalation.episode == fifth and escalation.child == children[4]
    assert "5 absences from M1 1AE in 30 days" in escalation.reason
    missing_episode(
        world,
        children[5],
        last_seen=T0 + days(29),
        category="absent",
        risk_level="no_apparent_risk",
        missing_from_postcode="M1 1AE",
    )
    assert len(fired(rules.REPEAT_ABSENCE_LOCATION)) == 1


def test_five_absences_from_one_address_over_31_days_do_not_fire(world):
    for n in range(5):
        missing_episode(
            world,
            make_child(responsible=world.la_a),
            last_seen=T0 + days(n * 7.75),
            category="absent",
            risk_level="no_apparent_risk",
            missing_from_postcode="M1 1AE",
        )
    assert fired(rules.REPEAT_ABSENCE_LOCATION) == []


def test_a_child_on_a_child_protection_plan_missing_fires_a_strategy_meeting_rule(world):
    child = make_child(responsible=world.la_a, legal_status="child_protection", social_worker=world.social_worker_a)
    missing_episode(world, child, last_seen=T0)
    (escalation,) = fired(rules.CHILD_PROTECTION_MISSING)
    assert escalation.child == child


def test_a_child_protection_episode_reported_after_the_child_returned_does_not(world):
    child = make_child(responsible=world.la_a, legal_status="child_protection")
    from tests.interviews.helpers import feed_time

    missing_episode(world, child, last_seen=T0, returned_at=feed_time(T0 + hours(0.5)))
    assert fired(rules.CHILD_PROTECTION_MISSING) == []


def test_five_episodes_in_90_days_bring_in_senior_management(world):
    for day in (0, 20, 40, 60):
        returned(world, world.c1, T0 + days(day))
    assert fired(rules.CONTINUING_REPEAT_EPISODES) == []
    returned(world, world.c1, T0 + days(80))
    assert len(fired(rules.CONTINUING_REPEAT_EPISODES)) == 1


def test_another_authoritys_tightened_window_applies_to_its_own_children_only(world):
    from risk import services

    services.rule_threshold_set(
        local_authority=world.la_b, rule=rules.THREE_EPISODES_IN_A_MONTH, window_days=45, by=world.admin
    )
    for child in (world.c1, world.c3):
        for day in (0, 20, 40):
            returned(world, child, T0 + days(day))
    assert [e.child for e in fired(rules.THREE_EPISODES_IN_A_MONTH)] == [world.c3]
    assert Escalation.objects.filter(child=world.c1, rule=rules.THREE_EPISODES_IN_A_MONTH).count() == 0
