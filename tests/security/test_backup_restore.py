"""Backup and restore (security battery B2, B4, B5): scripts/backup dumps the test database
encrypted, scripts/restore puts it into a new empty database, checks every table against the
manifest and records the restore in the access log. The rows must be committed for pg_dump to
see them, hence transactional tests; each restore goes into a database of its own, dropped after."""

import os
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from privacy.models import AccessKind, AccessLogEntry
from tests.factories import make_episode

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCRIPTS = Path(settings.BASE_DIR) / "scripts"


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def source_url() -> str:
    return database_url(connection.settings_dict["NAME"])


def psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def run(script: str, *args, key: Path, database: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "BACKUP_KEY_FILE": str(key), "DJANGO_ENV": "test", "PYTHON": sys.executable}
    env["DATABASE_URL"] = database or source_url()
    return subprocess.run([SCRIPTS / script, *map(str, args)], env=env, capture_output=True, text=True, timeout=300)


def manifest_tables(text: str) -> dict[str, tuple[int, str]]:
    return {
        name: (int(rows), checksum)
        for kind, name, rows, checksum in (line.split() for line in text.splitlines() if line.startswith("table "))
    }


def target_manifest(url: str) -> dict[str, tuple[int, str]]:
    out = subprocess.run(
        ["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f", SCRIPTS / "backup-manifest.sql"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return manifest_tables(out)


@pytest.fixture
def key(tmp_path) -> Path:
    path = tmp_path / "backup.key"
    path.write_text(secrets.token_urlsafe(32))
    path.chmod(0o600)
    return path


@pytest.fixture
def empty_database():
    """A new, empty database on the same server, dropped after the test."""
    name = f"homeward_restore_{uuid.uuid4().hex[:12]}"
    psql(source_url(), f"CREATE DATABASE {name}")
    yield database_url(name)
    psql(source_url(), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def backup(world, key, tmp_path) -> Path:
    """A backup of a small world: people, three children, episodes and who read them."""
    for child in (world.c1, world.c3, world.c4):
        make_episode(child=child)
    for user, child in ((world.coordinator_a, world.c1), (world.manager_a, world.c1), (world.coordinator_b, world.c3)):
        AccessLogEntry.objects.create(user=user, kind=AccessKind.VIEW, what="child record", path="/", child_id=child.pk)
    path = tmp_path / "homeward.dump.enc"
    result = run("backup", path, key=key)
    assert result.returncode == 0, result.stderr
    assert f"encrypted dump: {path}" in result.stdout
    return path


def access_log(url: str) -> list[str]:
    return psql(url, "SELECT id, user_id, kind, child_id FROM privacy_accesslogentry ORDER BY id").splitlines()


def test_restore_into_an_empty_database_matches_every_table_and_is_recorded(world, backup, key, empty_database):
    result = run("restore", "--by", world.admin.email, backup, empty_database, key=key)

    assert result.returncode == 0, result.stderr
    assert "Checked: every table matches the manifest" in result.stdout
    expected = manifest_tables(Path(f"{backup}.manifest").read_text())
    assert expected["episodes_episode"][0] == 3 and expected["children_child"][0] == 3
    restored = target_manifest(empty_database)
    # Everything as in the backup, but the access log: it gained the row recording the restore.
    differ = {name for name in expected.keys() | restored.keys() if expected.get(name) != restored.get(name)}
    assert differ and all(name.startswith("privacy_accesslogentry_") for name in differ)
    source_rows, restored_rows = access_log(source_url()), access_log(empty_database)
    assert len(source_rows) == 3 and restored_rows[:3] == source_rows
    (record,) = psql(
        empty_database, "SELECT user_id, what, reason FROM privacy_accesslogentry WHERE kind = 'restore'"
    ).splitlines()
    assert record == (
        f"{world.admin.pk}|Restored the database from homeward.dump.enc|"
        "Checked after the restore: every table matches its manifest."
    )


def test_the_backup_is_unreadable_without_its_key(world, backup, key, empty_database, tmp_path):
    assert not backup.read_bytes().startswith(b"PGDMP")
    listing = subprocess.run(["pg_restore", "-l", backup], capture_output=True, text=True)
    assert listing.returncode != 0
    wrong = tmp_path / "wrong.key"
    wrong.write_text(secrets.token_urlsafe(32))

    result = run("restore", "--by", world.admin.email, backup, empty_database, key=wrong)

    assert result.returncode == 2
    assert "wrong key" in result.stderr
    assert psql(empty_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0"


def test_restore_refuses_a_database_that_is_not_empty(world, backup, key):
    before = access_log(source_url())

    result = run("restore", "--by", world.admin.email, backup, source_url(), key=key)

    assert result.returncode == 2
    assert "is not empty" in result.stderr and "restore only into a new, empty database" in result.stderr
    assert access_log(source_url()) == before


def test_restore_names_the_tables_that_differ_from_the_manifest(world, backup, key, empty_database):
    manifest = Path(f"{backup}.manifest")
    manifest.write_text(
        re.sub(r"(?m)^table children_child .*$", "table children_child 4 " + "0" * 32, manifest.read_text())
    )

    result = run("restore", "--by", world.admin.email, backup, empty_database, key=key)

    assert result.returncode == 1
    assert "tables that differ from the manifest: children_child" in result.stderr
    assert psql(empty_database, "SELECT reason FROM privacy_accesslogentry WHERE kind = 'restore'") == (
        "Checked after the restore: some tables differ from its manifest."
    )


def test_a_restore_by_someone_not_an_administrator_is_not_recorded_and_says_so(world, backup, key, empty_database):
    result = run("restore", "--by", world.coordinator_a.email, backup, empty_database, key=key)

    assert result.returncode == 3
    assert "is not an active administrator" in result.stderr
    assert psql(empty_database, "SELECT count(*) FROM privacy_accesslogentry WHERE kind = 'restore'") == "0"
