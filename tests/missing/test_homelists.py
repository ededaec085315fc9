"""The lists of a home page read in one query (missing/homelists.py): each list's first lines
in its own order, how many there are in all, a row in two lists, a list read whole."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from children.models import Child
from missing.homelists import HomeList, Wanted
from tests.factories import authority, make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def children():
    la = authority("E08000003")
    names = ["Ava", "Ben", "Cara", "Dan", "Eve", "Finn", "Gus"]
    return {name: make_child(responsible=la, given_name=name, family_name="Test") for name in names}


def given_names(found: HomeList) -> list[str]:
    return [child.given_name for child in found.rows]


def test_each_list_has_its_first_lines_in_its_own_order_and_its_total(children):
    early = Q(given_name__in=["Ava", "Ben", "Cara", "Dan"])
    late = Q(given_name__in=["Dan", "Eve", "Finn", "Gus"])
    with CaptureQueriesContext(connection) as queries:
        found = HomeList.several(
            Child.objects.all(),
            {
                "early": Wanted(early, ("-given_name",), lines=2),
                "late": Wanted(late, ("given_name",), lines=3),
                "every_early": Wanted(early, ("given_name",), lines=None),
            },
        )
    assert len(queries) == 1
    assert given_names(found["early"]) == ["Dan", "Cara"]
    assert (found["early"].total, found["early"].more) == (4, 2)
    # Dan is in both lists: the first of the late ones, though read for the early ones too.
    assert given_names(found["late"]) == ["Dan", "Eve", "Finn"]
    assert (found["late"].total, found["late"].more) == (4, 1)
    assert given_names(found["every_early"]) == ["Ava", "Ben", "Cara", "Dan"]
    assert found["every_early"].more == 0


def test_a_list_with_no_row_is_empty_and_the_rows_are_whole_models(children):
    found = HomeList.several(
        Child.objects.select_related("responsible_authority"),
        {"none": Wanted(Q(given_name="Zed"), ("given_name",)), "ava": Wanted(Q(given_name="Ava"), ("pk",))},
    )
    assert (found["none"].rows, found["none"].total) == ([], 0)
    (ava,) = found["ava"].rows
    assert ava == children["Ava"]
    assert ava.family_name == "Test"
    with CaptureQueriesContext(connection) as queries:
        assert ava.responsible_authority.ons_code == "E08000003"
    assert len(queries) == 0
