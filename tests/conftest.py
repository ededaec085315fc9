"""Shared fixtures: one user per role in two authorities and two police forces, and the
service requirements (PostgreSQL, Redis, Chromium) that skip visibly, or fail under
REQUIRE_SERVICES=1."""

import os
import shutil
import uuid

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import World, build_world

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return path if os.path.exists(path) else shutil.which("chromium")


def _missing_service(marker: str) -> str | None:
    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if marker == "browser" and chromium_path() is None:
        return "needs Chromium: apt-get install chromium (or set CHROMIUM)"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker):
            reason = _missing_service(marker)
            if reason and REQUIRE_SERVICES:
                pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
            elif reason:
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HOMEWARD_REQUIRE_MFA = True
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Each test starts with an empty cache: the sign-in limit per address (every browser test
    # signs in from 127.0.0.1) must not carry over from earlier tests or from a parallel worker
    # sharing the same Redis.
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    # Templates fail loudly on an undefined variable in our own templates.
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")


class InvalidTemplateVariable(str):
    """Raises when a template renders a variable that does not exist, naming it.

    Django also uses string_if_invalid for `{% if %}` tests, where it must stay falsy; only
    interpolating it (`{{ missing }}`) raises.
    """

    def __mod__(self, name):
        raise AssertionError(f"Undefined template variable: {name}")


@pytest.fixture
def world(db) -> World:
    return build_world()
