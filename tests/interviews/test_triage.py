"""Triage red / amber / green at each rule's boundary (seeds/004, WMP, Wigan §12)."""

import datetime

import pytest

from interviews import rules

H = datetime.timedelta(hours=1)


def facts(**overrides) -> rules.TriageFacts:
    values = {
        "category": "missing",
        "risk_level": "low",
        "cse_concern": "",
        "duration": 2 * H,
        "age": 15,
        "missing_in_window": 1,
        "absences_in_window": 0,
        "flags": (),
    }
    values.update(overrides)
    return rules.TriageFacts(**values)


def colour(**overrides) -> str:
    return rules.triage(facts(**overrides))[0]


def test_one_short_low_risk_episode_is_green_with_its_reason():
    assert rules.triage(facts()) == ("green", ["Fewer than 2 missing episodes and no risk factors"])


@pytest.mark.parametrize(("episodes", "expected"), [(1, "green"), (2, "amber"), (3, "red")])
def test_more_than_two_missing_episodes_is_red(episodes, expected):
    assert colour(missing_in_window=episodes) == expected


@pytest.mark.parametrize(("absences", "expected"), [(0, "green"), (2, "amber"), (3, "red")])
def test_absences_alongside_missing_episodes_raise_the_triage(absences, expected):
    assert colour(absences_in_window=absences) == expected


def test_three_absences_make_a_low_risk_child_red_with_no_missing_episode():
    result, reasons = rules.triage(facts(category="absent", missing_in_window=0, absences_in_window=3))
    assert result == "red"
    assert "3 absences in the last 90 days" in reasons


def test_a_cse_flag_or_concern_is_red():
    assert colour(flags=("flag_cse",)) == "red"
    assert colour(cse_concern="yes") == "red"
    assert colour(cse_concern="unknown") == "green"


def test_other_flags_ask_for_more_information():
    assert colour(flags=("flag_mental_health",)) == "amber"
    assert colour(flags=("flag_substance_misuse",)) == "red"


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (12 * H - datetime.timedelta(minutes=1), "green"),
        (12 * H, "amber"),
        (24 * H - datetime.timedelta(minutes=1), "amber"),
        (24 * H, "red"),
    ],
)
def test_length_of_the_episode_at_12_and_24_hours(duration, expected):
    assert colour(duration=duration) == expected


@pytest.mark.parametrize(("age", "expected"), [(12, "red"), (13, "green"), (None, "green")])
def test_a_child_of_12_or_under_is_red(age, expected):
    assert colour(age=age) == expected


def test_the_police_risk_grade_counts():
    assert colour(risk_level="high") == "red"
    assert colour(risk_level="medium") == "amber"


def test_red_reasons_come_before_amber_ones():
    result, reasons = rules.triage(facts(risk_level="medium", flags=("flag_cse",)))
    assert result == "red"
    assert reasons == ["Child sexual exploitation (CSE)", "Police risk grade medium"]
