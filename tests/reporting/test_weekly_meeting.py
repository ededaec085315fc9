"""The weekly missing meeting list: every episode open at some time in the week, grouped by
child, within the reader's scope."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reporting.weekly import week_of
from tests.factories import make_episode

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Wednesday 25 November 2026, noon: the week runs from Monday 23 to Sunday 29 November.
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: int, hour: int = 12) -> str:
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=UTC).isoformat()


def episode(child, last_seen, returned=None, **row):
    return make_episode(child=child, last_seen_at=last_seen, reported_at=last_seen, returned_at=returned or "", **row)


def listing(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("weekly_meeting_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_every_episode_open_in_the_week_is_listed_under_its_child(client, world):
    ran_into_the_week = episode(world.c1, at(22, 20), at(23, 9), force_reference="MP/1")
    this_week = episode(world.c1, at(24), at(24, 18), force_reference="MP/2")
    still_missing = episode(world.c4, at(25, 6), force_reference="MP/3")
    ended_before = episode(world.c1, at(20), at(22, 23), force_reference="MP/4")

    page = listing(client, world.coordinator_a)

    assert "Week of Monday 23 November 2026 to Sunday 29 November 2026" in page
    assert "3 episodes of 2 children" in page
    chloe = page[page.index("Chloe Ashdown</a></h2>") : page.index("Casey Oduya</a></h2>")]
    assert ran_into_the_week.get_absolute_url() in chloe and this_week.get_absolute_url() in chloe
    assert chloe.index("MP/1") < chloe.index("MP/2")  # in the order they happened
    assert still_missing.get_absolute_url() in page and "Not yet" in page
    assert ended_before.get_absolute_url() not in page


def test_another_week_is_chosen_by_any_day_in_it(client, world):
    last_week = episode(world.c1, at(18), at(18, 20))
    page = listing(client, world.coordinator_a, week="2026-11-19")
    assert "Week of Monday 16 November 2026" in page and last_week.get_absolute_url() in page
    assert "No episode you can see was open this week." in listing(client, world.coordinator_a, week="2026-11-02")


def test_the_list_holds_only_the_readers_children(client, world):
    mine = episode(world.c1, at(24))
    theirs = episode(world.c3, at(24), local_authority="Stockport")
    page = listing(client, world.coordinator_a)
    assert mine.get_absolute_url() in page and theirs.get_absolute_url() not in page


def test_roles_that_do_not_hold_the_meeting_are_refused(client, world):
    for user in (world.analyst_a, world.rhi_worker):
        client.force_login(user)
        assert client.get(reverse("weekly_meeting_list")).status_code == 403


def test_a_week_with_the_clocks_going_back_is_169_hours_of_uk_midnights():
    monday, start, end = week_of(datetime.date(2026, 10, 21))
    assert monday == datetime.date(2026, 10, 19)
    assert start == datetime.datetime(2026, 10, 18, 23, 0, tzinfo=UTC)  # midnight BST
    assert end == datetime.datetime(2026, 10, 26, 0, 0, tzinfo=UTC)  # midnight GMT
    assert end - start == datetime.timedelta(hours=169)


def test_a_week_that_is_not_a_date_says_so_and_shows_this_week(client, world):
    page = listing(client, world.coordinator_a, week="next tuesday")
    assert "“next tuesday” is not a date, so this week is shown. Give a day as 2026-11-23." in page
    assert "Week of Monday 23 November 2026" in page
    assert "is not a date" not in listing(client, world.coordinator_a, week="2026-11-23")
