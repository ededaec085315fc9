"""Security battery H5: the application's database role may add to the access log but not
change, delete or empty it, while it still writes case data. Checked on PostgreSQL with the
privileges `grant_app_role` gives, the trigger aside (the refusal is 'permission denied')."""

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from privacy.models import AccessKind, AccessLogEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def app_role(world):
    """A fresh role (rolled back with the test's transaction), granted as in production."""
    role = f"homeward_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    out = StringIO()
    call_command("grant_app_role", role, stdout=out)
    assert f"{role} may now only add to: privacy_accesslogentry, privacy_erasurerecord." in out.getvalue()
    return role


def as_role(role: str, sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(role: str, sql: str) -> str:
    with pytest.raises(DatabaseError) as error:
        as_role(role, sql)
    return str(error.value)


def test_the_application_role_adds_to_the_access_log_but_cannot_change_delete_or_empty_it(app_role, world):
    entry = AccessLogEntry.objects.create(
        user=world.coordinator_a, kind=AccessKind.VIEW, what="child", path="/children/1/", child_id=world.c1.pk
    )
    inserted = as_role(
        app_role,
        "INSERT INTO privacy_accesslogentry (at, user_id, organisation, kind, what, path, reason, request_id)"
        " VALUES (now(), %s, '', 'view', 'child', '/children/1/', '', %s)",
        [world.coordinator_a.pk, str(uuid.uuid4())],
    )
    assert inserted == 1
    assert as_role(app_role, "SELECT 1 FROM privacy_accesslogentry") == 2
    for sql in (
        f"UPDATE privacy_accesslogentry SET reason = 'covering tracks' WHERE id = {entry.pk}",
        f"DELETE FROM privacy_accesslogentry WHERE id = {entry.pk}",
        "TRUNCATE privacy_accesslogentry",
    ):
        assert "permission denied" in refused(app_role, sql), sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'privacy_accesslogentry'::regclass"
        )
        partitions = [name for (name,) in cursor.fetchall()]
    assert partitions, "the access log is partitioned on PostgreSQL"
    for partition in partitions:  # not around the parent either
        assert "permission denied" in refused(app_role, f"DELETE FROM {partition}")
    entry.refresh_from_db()
    assert entry.reason == ""


def test_the_application_role_still_writes_case_data(app_role, world):
    updated = as_role(app_role, "UPDATE children_child SET phone = '07700 900999' WHERE id = %s", [world.c1.pk])
    assert updated == 1


def test_granting_an_unknown_role_says_so(world):
    with pytest.raises(CommandError, match="There is no database role called 'nobody_here'"):
        call_command("grant_app_role", "nobody_here")
