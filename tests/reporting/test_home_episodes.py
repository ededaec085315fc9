"""The home page's episode work: overdue safe-and-well checks, children missing now and records
waiting to be confirmed, for coordinators and police SPOCs."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines.models import Deadline, DeadlineState
from deadlines.services import sweep
from episodes import services
from episodes.deadlines import SAFE_AND_WELL
from tests.factories import home_page, make_episode

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def ago(**delta) -> str:
    return (NOW - datetime.timedelta(**delta)).isoformat()


def returned(child, *, hours_ago: float, **row):
    """An episode whose child returned `hours_ago`, with no safe-and-well check yet."""
    row.setdefault("last_seen_at", ago(hours=hours_ago + 5))
    row.setdefault("reported_at", ago(hours=hours_ago + 4))
    return make_episode(child=child, returned_at=ago(hours=hours_ago), **row)


def overdue_section(page: str) -> str:
    return page[page.index("Overdue safe-and-well checks") : page.index("Children missing now")]


def test_a_check_not_recorded_24_hours_after_return_is_overdue_from_the_due_time(client, world):
    due_now = returned(world.c1, hours_ago=24, force_reference="MP/1")  # due exactly now
    not_yet = returned(world.c4, hours_ago=23, minutes=59, force_reference="MP/2")  # due in a minute

    section = overdue_section(home_page(client, world.coordinator_a))

    assert due_now.get_absolute_url() in section and "20 Nov 2026 12:00" in section
    assert not_yet.get_absolute_url() not in section
    # Computed live: the sweep has not run, so the deadline is still open.
    assert Deadline.objects.get(subject_id=due_now.pk, kind=SAFE_AND_WELL).state == DeadlineState.OPEN


def test_a_breached_check_stays_on_the_list_until_it_is_recorded(client, world, clock):
    episode = returned(world.c1, hours_ago=30)
    sweep(NOW)
    assert Deadline.objects.get(subject_id=episode.pk, kind=SAFE_AND_WELL).state == DeadlineState.BREACHED
    assert episode.get_absolute_url() in overdue_section(home_page(client, world.coordinator_a))

    clock.shift(datetime.timedelta(hours=2))
    services.safe_and_well_record(episode=episode, by=world.police_f1, not_held_reason="Child declined; carer agreed")

    assert episode.get_absolute_url() not in overdue_section(home_page(client, world.coordinator_a))
    # Still a breach in the figures, now with the time the check was recorded.
    deadline = Deadline.objects.get(subject_id=episode.pk, kind=SAFE_AND_WELL)
    assert deadline.state == DeadlineState.BREACHED
    assert deadline.done_at == NOW + datetime.timedelta(hours=2)


def test_police_see_only_their_own_forces_overdue_checks(client, world):
    gmp = returned(world.c3, hours_ago=30, local_authority="Stockport")
    wmp = returned(world.c3, hours_ago=30, force="WMP", local_authority="Stockport")

    gmp_page = overdue_section(home_page(client, world.police_f1))
    wmp_page = overdue_section(home_page(client, world.police_f2))

    assert gmp.get_absolute_url() in gmp_page and wmp.get_absolute_url() not in gmp_page
    assert wmp.get_absolute_url() in wmp_page and gmp.get_absolute_url() not in wmp_page


def test_outsiders_do_not_see_another_authoritys_overdue_checks(client, world):
    episode = returned(world.c1, hours_ago=30)
    page = home_page(client, world.coordinator_b)
    assert episode.get_absolute_url() not in page and "Chloe Ashdown" not in page


def test_children_missing_now_longest_first(client, world):
    make_episode(child=world.c1, last_seen_at=ago(hours=3), reported_at=ago(hours=3), force_reference="MP/3")
    make_episode(child=world.c4, last_seen_at=ago(hours=30), reported_at=ago(hours=29), force_reference="MP/30")
    back = returned(world.c1, hours_ago=1)

    page = home_page(client, world.coordinator_a)
    section = page[page.index("Children missing now") : page.index("New episodes since")]

    assert section.index("Casey Oduya") < section.index("Chloe Ashdown")
    assert "Missing for 1 day 6 hours so far" in section and "Missing for 3 hours so far" in section
    assert back.get_absolute_url() not in section


def test_children_missing_now_highest_risk_grade_first_then_longest(client, world):
    from tests.factories import make_child

    graded = [  # (family name, risk grade, hours missing)
        ("Lowlong", "low", 90),
        ("Highshort", "high", 2),
        ("Mediumlong", "medium", 80),
        ("Highlong", "high", 40),
        ("Noapparent", "no_apparent_risk", 100),
        ("Mediumshort", "medium", 5),
    ]
    for name, grade, hours in graded:
        child = make_child(responsible=world.la_a, family_name=name)
        make_episode(child=child, last_seen_at=ago(hours=hours), reported_at=ago(hours=hours), risk_level=grade)

    page = home_page(client, world.coordinator_a)
    section = page[page.index("Children missing now") : page.index("New episodes since")]

    names = [name for name, _, _ in graded]
    assert sorted(names, key=section.index) == [
        "Highlong",
        "Highshort",
        "Mediumlong",
        "Mediumshort",
        "Lowlong",
        "Noapparent",
    ]


def test_past_twenty_children_missing_now_the_page_says_how_many_and_links_to_them_all(client, world):
    from tests.factories import make_child

    for n in range(21):
        child = make_child(responsible=world.la_a, family_name=f"Missing{n:02}")
        make_episode(child=child, last_seen_at=ago(hours=100 - n), reported_at=ago(hours=99 - n))

    page = home_page(client, world.coordinator_a)
    section = page[page.index("Children missing now") : page.index("New episodes since")]

    assert "Missing00" in section and "Missing19" in section and "Missing20" not in section
    assert "The 20 at highest risk and missing longest are shown." in section
    assert "See all 21 children missing now" in section


def test_a_social_worker_sees_the_children_allocated_to_them(client, world):
    page = home_page(client, world.social_worker_a)
    allocated = page[page.index("Children allocated to you") :]
    assert "Chloe Ashdown" in allocated and "Casey Oduya" not in allocated
    assert "Children allocated to you" not in home_page(client, world.coordinator_a)


def new_section(page: str) -> str:
    start = page.index("New episodes since")
    return page[start : page.index("<h2", start)]


def test_new_episodes_since_the_start_of_the_last_working_day(client, world, clock):
    """On Monday 7 December the hub sees what arrived since Friday 00:00 (UK), newest first."""
    uk = zoneinfo.ZoneInfo("Europe/London")
    clock.move_to(datetime.datetime(2026, 12, 3, 23, 59, tzinfo=uk))
    thursday = make_episode(child=world.c1, force_reference="MP/THU", last_seen_at=ago(hours=1))
    clock.move_to(datetime.datetime(2026, 12, 4, 0, 0, tzinfo=uk))
    friday = make_episode(child=world.c4, force_reference="MP/FRI", last_seen_at=ago(days=20))
    clock.move_to(datetime.datetime(2026, 12, 6, 18, 0, tzinfo=uk))
    sunday = make_episode(child=world.c1, force_reference="MP/SUN", last_seen_at=ago(hours=3))
    clock.move_to(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=uk))

    section = new_section(home_page(client, world.coordinator_a))
    assert "New episodes since Friday 4 December" in section
    assert thursday.get_absolute_url() not in section
    # A report of an older episode counts from when it arrived; the newest is first.
    assert section.index(sunday.get_absolute_url()) < section.index(friday.get_absolute_url())
    assert sunday.get_absolute_url() not in new_section(home_page(client, world.coordinator_b))


def test_a_coordinator_sees_how_many_records_wait_to_be_confirmed(client, world):
    make_episode(given_name="Chloe", family_name="Ashdwon", date_of_birth=world.c1.date_of_birth.isoformat())

    page = home_page(client, world.coordinator_a)

    assert "1 police record is waiting for you to confirm which child it is about" in page
    assert reverse("episodes:held_list") in page
    assert "Records to confirm" not in home_page(client, world.police_f1)
    assert "No police records are waiting for you to confirm" in home_page(client, world.coordinator_b)


@pytest.mark.parametrize("persona", ["social_worker_a", "iro_a", "analyst_a"])
def test_other_roles_have_no_episode_work_on_their_home_page(client, world, persona):
    returned(world.c1, hours_ago=30)
    page = home_page(client, getattr(world, persona))
    assert "Overdue safe-and-well checks" not in page and "Children missing now" not in page


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len([q for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))])


def test_the_home_page_takes_the_same_queries_for_10_and_100_episodes(client, world):
    client.force_login(world.coordinator_a)
    client.get(reverse("home"))  # the first request records the session in the session list

    def add(n, start):
        for i in range(n):
            child = world.c1 if i % 2 else world.c4
            if i % 3:
                make_episode(child=child, last_seen_at=ago(hours=start + i), reported_at=ago(hours=start + i))
            else:
                returned(child, hours_ago=start + i + 25)

    add(10, 1)
    with_10 = _queries(client)
    add(90, 20)
    with_100 = _queries(client)
    # session, user, memberships with their authorities; the children added last with the count
    # of all; the unread notifications and the records to confirm, counted together; overdue
    # checks, missing now and new episodes, each with its count; the three interview lists, each
    # with its count; escalations, actions, tasks, meetings; the access log. The session is saved
    # only every SESSION_RENEW_SECONDS; a coordinator is allocated no children, so none are read.
    assert with_10 == with_100
    assert with_10 <= 12
