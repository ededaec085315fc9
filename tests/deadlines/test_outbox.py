"""Work handed to Celery is a row first: a broker outage delays it but never drops it."""

import datetime

import pytest
from django.db import transaction

from deadlines import services
from deadlines.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down(monkeypatch):
    from missing.celery import app

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(app, "send_task", refuse)


@pytest.fixture
def broker_up(monkeypatch):
    from missing.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=None, kwargs=None: sent.append((name, args, kwargs)))
    return sent


def test_a_message_is_published_when_its_transaction_commits(broker_up):
    with transaction.atomic():
        services.enqueue("deadlines.tasks.sweep_deadlines")
        assert broker_up == []
    assert broker_up == [("deadlines.tasks.sweep_deadlines", [], {})]
    assert OutboxMessage.objects.get().published_at is not None


def test_a_rolled_back_change_sends_nothing(broker_up):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue("deadlines.tasks.sweep_deadlines")
        raise RuntimeError("the change failed")
    assert broker_up == [] and not OutboxMessage.objects.exists()


def test_with_the_broker_down_the_work_waits_and_the_sweep_sends_it_later(broker_down, monkeypatch):
    with transaction.atomic():
        message = services.enqueue("deadlines.tasks.sweep_deadlines", args=[1])
    message.refresh_from_db()
    assert message.published_at is None and message.attempts == 1
    assert "broker down" in message.last_error

    from missing.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=None, kwargs=None: sent.append(name))
    later = message.created_at + datetime.timedelta(minutes=1)
    assert services.sweep(later).published == 1
    assert sent == ["deadlines.tasks.sweep_deadlines"]
    assert services.sweep(later).published == 0  # sent once
