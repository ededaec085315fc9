"""The service navigation: what each role sees, and which item the page belongs to."""

import pytest

from missing.context_processors import navigation_for

pytestmark = pytest.mark.django_db


def labels(items):
    return [item["label"] for item in items]


def active(items):
    return [item["label"] for item in items if item["active"]]


def test_a_coordinator_sees_children_episodes_and_records_to_confirm(world):
    items = navigation_for(world.coordinator_a, "/")
    assert labels(items) == [
        "Home",
        "Children",
        "Episodes",
        "Records to confirm",
        "Return interviews",
        "Escalations",
        "Meetings",
        "Dashboard",
        "Your account",
    ]
    assert active(items) == ["Home"]


def test_the_page_belongs_to_the_item_with_the_longest_matching_address(world):
    assert active(navigation_for(world.coordinator_a, "/episodes/to-confirm/3/")) == ["Records to confirm"]
    assert active(navigation_for(world.coordinator_a, "/episodes/12/return/")) == ["Episodes"]


def test_police_see_episodes_but_not_records_to_confirm_and_analysts_neither(world):
    assert labels(navigation_for(world.police_f1, "/")) == ["Home", "Children", "Episodes", "Your account"]
    assert labels(navigation_for(world.analyst_a, "/")) == ["Home", "Dashboard", "Your account"]


def test_escalations_and_meetings_are_where_people_work_with_them(world):
    assert labels(navigation_for(world.iro_a, "/")) == ["Home", "Children", "Episodes", "Meetings", "Your account"]
    assert active(navigation_for(world.social_worker_a, "/risk/meetings/4/")) == ["Meetings"]
    assert active(navigation_for(world.manager_a, "/risk/escalations/")) == ["Escalations"]
