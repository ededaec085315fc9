"""Security battery W1, W2, S7: headers on real responses, and production settings pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_pages_carry_a_strict_content_security_policy(client, world):
    client.force_login(world.coordinator_a)
    response = client.get(reverse("children:list"))
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "'nonce-" in directives["script-src"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"


def test_the_nonce_in_the_header_is_the_one_on_the_page_scripts(client, world):
    client.force_login(world.coordinator_a)
    response = client.get(reverse("home"))
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_signed_in_pages_are_never_cached_and_leak_no_referrer(client, world):
    client.force_login(world.coordinator_a)
    response = client.get(world.c1.get_absolute_url())
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def prod_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DJANGO_ENV="prod", SECRET_KEY="k" * 60 + "-production-like-secret", ALLOWED_HOSTS="homeward.example.org")
    env.update(extra)
    return env


def test_production_settings_pass_check_deploy():
    """W1: zero warnings from Django's deployment checklist."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=prod_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_host_only_and_http_only():
    """S7: read the production settings as production loads them."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.HOMEWARD_REQUIRE_MFA)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=prod_env(DJANGO_SETTINGS_MODULE="missing.settings"),
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "Lax",
        "31536000",
        "True",
    ], result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = prod_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_demo_data_is_refused_in_production():
    """Security battery A9."""
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=prod_env(DATABASE_URL="sqlite:///:memory:"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "never loaded into a production database" in result.stderr


def test_signing_out_tells_the_browser_to_forget_the_site(client, world):
    client.force_login(world.coordinator_a)
    response = client.post(reverse("account_logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
