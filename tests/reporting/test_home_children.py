"""The home page's children: how many the person can see, each counted once, and for the hub and
managers the children added most recently, newest first, within their scope."""

import datetime

import pytest
import time_machine

from organisations.models import Membership
from organisations.roles import Role
from privacy import services as privacy
from tests.factories import home_page, make_child

pytestmark = pytest.mark.django_db

# After the shared children (c1, c3, c4) were added: those added here are the newest.
START = datetime.datetime(2030, 11, 4, 9, 0, tzinfo=datetime.UTC)


def recent_section(page: str) -> str:
    start = page.index("Children added most recently")
    return page[start : page.index("</ul>", start)]


def added(world, count: int, **fields) -> list:
    """`count` children of authority A, one a day after START, the oldest first."""
    children = []
    for n in range(count):
        with time_machine.travel(START + datetime.timedelta(days=n), tick=False):
            children.append(make_child(responsible=world.la_a, **fields))
    return children


def test_the_count_names_each_child_the_person_can_see_once(client, world):
    assert "You can see 2 children's records." in home_page(client, world.coordinator_a)
    # Serving both authorities, they see c4 as B's child and as a child placed in A: once.
    Membership.objects.create(user=world.coordinator_a, agency=world.council_b, role=Role.COORDINATOR)

    assert "You can see 3 children's records." in home_page(client, world.coordinator_a)
    assert "You can see 2 children's records." in home_page(client, world.coordinator_b)


def test_a_restricted_child_is_not_counted_or_listed_for_those_it_is_hidden_from(client, world):
    privacy.child_restrict(child=world.c1, by=world.manager_a, reason="Honour-based abuse risk from the family")

    page = home_page(client, world.coordinator_a)

    assert "You can see 1 child's record." in page
    assert world.c1.get_absolute_url() not in recent_section(page)
    assert world.c4.get_absolute_url() in recent_section(page)


def test_the_hub_sees_the_ten_children_added_last_newest_first(client, world):
    children = added(world, 12)

    section = recent_section(home_page(client, world.coordinator_a))

    shown = [child for child in children if child.get_absolute_url() in section]
    assert shown == children[2:], "the ten newest of the twelve"
    positions = [section.index(child.get_absolute_url()) for child in shown]
    assert positions == sorted(positions, reverse=True), "newest first"
    assert world.c1.get_absolute_url() not in section  # added before all twelve


def test_the_children_added_last_are_those_in_scope(client, world):
    (newest_in_a,) = added(world, 1)
    with time_machine.travel(START + datetime.timedelta(days=30), tick=False):
        newer_in_b = make_child(responsible=world.la_b)

    section = recent_section(home_page(client, world.coordinator_a))

    assert newest_in_a.get_absolute_url() in section
    assert newer_in_b.get_absolute_url() not in section
    assert section.index(newest_in_a.get_absolute_url()) < section.index(world.c4.get_absolute_url())


def test_a_social_worker_has_the_count_and_no_list_of_children_added(client, world):
    page = home_page(client, world.social_worker_a)

    assert "You can see 2 children's records." in page
    assert "Children added most recently" not in page
