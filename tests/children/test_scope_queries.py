"""The child scope as SQL: the same children whichever way it is written, and on PostgreSQL a
scope PostgreSQL can read from its indexes (docs/benchmarks.md: an `OR` with an `IN (subquery)`
arm made every page read every child)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from children.models import Child
from children.scope import of_visible_children
from interviews.models import ReturnInterview
from missing.requestmemo import RequestMemoMiddleware, once_per_request
from tests.factories import make_child, make_episode
from tests.interviews.conftest import returned_interview

pytestmark = pytest.mark.django_db

EMERGENCY = "Reported missing overnight, police need her photo and associates now"
HOUR = datetime.timedelta(hours=1)


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
    assert "child_responsible_scope_idx" in plan, plan


def test_the_scope_read_by_index_holds_the_same_children_as_the_scope(world):
    """Read from the indexes (a UNION ALL of the rules) or as one OR, the scope lets each person
    see the same episodes, a restricted child's included for whoever it is open to."""
    from episodes.models import Episode
    from privacy import services as privacy

    for child in (world.c1, world.c3, world.c4):
        make_episode(child=child)
    privacy.child_restrict(child=world.c4, by=world.manager_a, reason="Honour-based abuse risk from the family")
    people = (world.coordinator_a, world.coordinator_b, world.manager_a, world.police_f1, world.rhi_worker)
    for person in people:
        by_index = Episode.objects.filter(of_visible_children(person, by_index=True))
        assert set(by_index) == set(Episode.objects.visible_to(person)), person
    assert not Episode.objects.filter(of_visible_children(world.analyst_a, by_index=True)).exists()


@pytest.mark.postgres
def test_on_postgresql_the_scope_read_by_index_reads_no_childs_row(world):
    """The scope of the tasking page's episode lists reads the ids of the authority's children
    from the authority indexes without any child's row: one arm of a UNION ALL for each rule,
    each an index-only scan."""
    from episodes.models import Episode

    by_index = Episode.objects.filter(of_visible_children(world.coordinator_a, by_index=True))
    sql, params = by_index.order_by().values("pk").query.sql_with_params()
    assert "UNION ALL" in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using child_responsible_scope_idx" in plan, plan
    assert "Index Only Scan using child_host_scope_idx" in plan, plan


def test_a_childs_episodes_are_seen_by_whoever_sees_the_child(world):
    """Episodes are scoped through the child scope compiled to SQL: the same children, and
    nothing at all for someone who sees no named child."""
    from episodes.models import Episode

    mine, theirs = make_episode(child=world.c1), make_episode(child=world.c3)
    hosted = make_episode(child=world.c4)
    assert set(Episode.objects.visible_to(world.coordinator_a)) == {mine, hosted}
    assert set(Episode.objects.visible_to(world.coordinator_b)) == {theirs, hosted}
    assert not Episode.objects.visible_to(world.analyst_a).exists()
    assert not Episode.objects.visible_to(AnonymousUser()).exists()


def test_the_scope_is_compiled_again_on_the_next_request(client, world):
    """Compiled once for a request, with the time of that request, the scope is forgotten when
    it ends: a break-glass grant that has run out by the next request no longer shows the
    child's episodes."""
    from privacy import services as privacy
    from privacy.models import BreakGlassGrant

    make_episode(child=world.c1)
    privacy.child_restrict(child=world.c1, by=world.manager_a, reason="Honour-based abuse risk from the family")
    now = timezone.now()
    BreakGlassGrant.objects.create(
        user=world.coordinator_a, child=world.c1, reason=EMERGENCY, granted_at=now, expires_at=now + HOUR
    )
    client.force_login(world.coordinator_a)
    with time_machine.travel(now + HOUR / 2, tick=False):
        assert "Ashdown" in client.get(reverse("episodes:list")).content.decode()
    with time_machine.travel(now + 2 * HOUR, tick=False):
        assert "Ashdown" not in client.get(reverse("episodes:list")).content.decode()


def test_a_value_is_built_once_per_request_and_every_time_outside_one():
    built = []

    def build():
        built.append(1)
        return len(built)

    assert once_per_request("key", build) == 1
    assert once_per_request("key", build) == 2  # no request: built again

    def view(request):
        return HttpResponse(f"{once_per_request('key', build)} {once_per_request('key', build)}")

    middleware = RequestMemoMiddleware(view)
    assert middleware(RequestFactory().get("/")).content == b"3 3"
    assert middleware(RequestFactory().get("/")).content == b"4 4"
