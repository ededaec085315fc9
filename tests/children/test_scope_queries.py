"""The child scope as SQL: the same children whichever way it is written, and on PostgreSQL a
scope PostgreSQL can read from its indexes (docs/benchmarks.md: an `OR` with an `IN (subquery)`
arm made every page read every child)."""

import pytest
from django.db import connection

from children.models import Child
from interviews.models import ReturnInterview
from tests.factories import make_child
from tests.interviews.conftest import returned_interview

pytestmark = pytest.mark.django_db


def test_in_ids_finds_the_same_rows_as_in(world):
    ids = Child.objects.filter(responsible_authority=world.la_b).values("pk")
    assert set(Child.objects.filter(pk__in_ids=ids)) == {world.c3, world.c4}
    assert set(Child.objects.filter(pk__in_ids=ids)) == set(Child.objects.filter(pk__in=ids))
    assert not Child.objects.filter(pk__in_ids=Child.objects.none().values("pk")).exists()


def test_a_coordinator_sees_their_authorities_children_and_an_allocated_child_elsewhere(world):
    """The scope's parts, joined: responsible authority, host authority, and a scope extension
    (an interview allocated to the person, of a child of another council)."""
    elsewhere = make_child(responsible=world.la_b, given_name="Elsie", family_name="Where")
    interview = returned_interview(world, elsewhere)
    assert set(Child.objects.visible_to(world.coordinator_a)) == {world.c1, world.c4}
    ReturnInterview.objects.filter(pk=interview.pk).update(worker=world.coordinator_a)
    assert set(Child.objects.visible_to(world.coordinator_a)) == {world.c1, world.c4, elsewhere}
    assert set(Child.objects.visible_to(world.coordinator_b)) == {world.c3, world.c4, elsewhere}


@pytest.mark.postgres
def test_on_postgresql_the_scope_can_be_read_from_indexes(world):
    """With sequential scans priced out, the planner reads a coordinator's children from the
    authority indexes and the primary key: no arm of the scope forces a read of every child."""
    scope = Child.objects.visible_to(world.coordinator_a)
    sql, params = scope.order_by().values("pk").query.sql_with_params()
    assert "= ANY(ARRAY(" in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on children_child" not in plan, plan
    assert "children_child_responsible_authority_id" in plan, plan
