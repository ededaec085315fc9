"""/health/ reports the database, the cache, the broker and the sweeper heartbeat as JSON."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from deadlines.models import Heartbeat

pytestmark = pytest.mark.django_db(transaction=True)


def test_health_is_ok_when_the_sweeper_beat_recently(client):
    Heartbeat.objects.create(name="sweeper", beat_at=timezone.now())
    response = client.get(reverse("health"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "sweeper": "ok"},
    }


def test_health_fails_when_the_sweeper_heartbeat_is_stale(client):
    """Security battery R2: red when the heartbeat is older than three sweep intervals."""
    Heartbeat.objects.create(name="sweeper", beat_at=timezone.now() - datetime.timedelta(minutes=4))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert "The deadline sweeper has not run recently." in response.json()["checks"]["sweeper"]


def test_health_fails_when_the_sweeper_never_ran(client):
    assert client.get(reverse("health")).json()["checks"]["sweeper"] != "ok"


def test_health_fails_when_the_broker_is_unreachable(client, settings):
    from missing.celery import app

    Heartbeat.objects.create(name="sweeper", beat_at=timezone.now())
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("health"))
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert "Broker unreachable" in response.json()["checks"]["broker"]
