"""The compose file runs everything production needs; Docker itself is not needed to check it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_every_service_the_product_needs_is_there():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat"}


def test_app_services_build_the_image_and_run_their_own_command():
    commands = {name: SERVICES[name]["command"] for name in APP_SERVICES}
    for name in APP_SERVICES:
        assert SERVICES[name]["build"] == "."
    assert commands["migrate"][:3] == ["python", "manage.py", "migrate"]
    assert commands["web"][:2] == ["gunicorn", "missing.wsgi:application"]
    assert "sync" in commands["web"]
    assert commands["worker"][:4] == ["celery", "-A", "missing", "worker"]
    assert commands["beat"][:4] == ["celery", "-A", "missing", "beat"]


def test_app_services_get_production_settings_and_both_servers():
    for name in APP_SERVICES:
        env = SERVICES[name]["environment"]
        assert env["DJANGO_ENV"] == "prod"
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refuses to start without one


def test_long_running_services_have_health_checks():
    for name in ("db", "redis", "web", "worker", "beat"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "/health/" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_data_lives_in_volumes_and_services_wait_for_what_they_need():
    assert set(COMPOSE["volumes"]) == {"pgdata", "media"}
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "media:/data/media" in SERVICES["web"]["volumes"]
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_dockerfile_installs_the_pinned_requirements_and_runs_as_a_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.12" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert "\nUSER homeward" in dockerfile
