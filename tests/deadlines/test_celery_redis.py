"""A real round trip: the outbox publishes to Redis, a Celery worker runs the sweep task."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from deadlines import services
from deadlines.models import Heartbeat

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_task_round_trip_through_redis_and_a_worker(settings):
    from missing.celery import app

    app.conf.broker_url = settings.REDIS_URL
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            services.enqueue("deadlines.tasks.sweep_deadlines")
        deadline = time.monotonic() + 20
        while not Heartbeat.objects.filter(name="sweeper").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert Heartbeat.objects.filter(name="sweeper").exists(), "the worker never ran the sweep task"
