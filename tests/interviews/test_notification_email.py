"""Every notification is emailed once its change commits; an email the mail server refused is sent
by a later sweep, once, and the inbox holds the message whatever happens to the email."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from interviews import services
from interviews.models import Notification

pytestmark = pytest.mark.django_db


class MailServerDown(OSError):
    pass


def _tell(world, *users):
    return services.notify(users=users, message="Return interview breached", kind="breached", now=timezone.now())


def _refuse(*args, **kwargs):
    raise MailServerDown("Connection refused")


def test_the_email_goes_after_the_change_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _tell(world, world.coordinator_a, world.manager_a)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.coordinator_a.email, world.manager_a.email])
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_change_rolled_back_sends_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _tell(world, world.coordinator_a)
    # The change never committed: Django drops the callback, nothing is emailed.
    assert len(callbacks) == 1 and not mail.outbox


def test_a_refused_email_is_sent_by_the_next_sweep_and_only_once(
    world, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    monkeypatch.setattr(services, "send_mass_mail", _refuse)
    with django_capture_on_commit_callbacks(execute=True):
        _tell(world, world.coordinator_a)
    waiting = Notification.objects.get()
    assert waiting.emailed_at is None and waiting.email_attempts == 1
    assert "Could not send 1 notification emails: MailServerDown" in caplog.text
    monkeypatch.undo()

    later = waiting.created_at + services.EMAIL_RETRY_AFTER
    assert services.notifications_email_pending(later - datetime.timedelta(seconds=1)) == 0
    assert services.notifications_email_pending(later) == 1
    assert [m.to for m in mail.outbox] == [[world.coordinator_a.email]]
    assert services.notifications_email_pending(later + datetime.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1
    waiting.refresh_from_db()
    assert waiting.emailed_at == later


def test_after_the_last_attempt_the_message_stays_in_the_inbox_only(world, monkeypatch):
    _tell(world, world.coordinator_a)  # no commit in this test: the sweep is the only sender
    monkeypatch.setattr(services, "send_mass_mail", _refuse)
    at = timezone.now() + services.EMAIL_RETRY_AFTER
    for _ in range(services.EMAIL_MAX_ATTEMPTS + 2):
        services.notifications_email_pending(at)
    waiting = Notification.objects.get()
    assert waiting.email_attempts == services.EMAIL_MAX_ATTEMPTS
    monkeypatch.undo()
    assert services.notifications_email_pending(at) == 0 and not mail.outbox
    assert Notification.objects.filter(user=world.coordinator_a, read_at__isnull=True).count() == 1


def test_celery_beat_runs_the_email_sweep_every_minute(world, monkeypatch):
    from django.conf import settings

    from interviews.tasks import email_pending_notifications

    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == email_pending_notifications.name]
    assert entry["schedule"] == 60.0
    monkeypatch.setattr(services, "send_mass_mail", _refuse)
    _tell(world, world.coordinator_a)
    Notification.objects.update(created_at=timezone.now() - services.EMAIL_RETRY_AFTER)
    monkeypatch.undo()
    assert email_pending_notifications.apply().get() == 1
    assert [m.to for m in mail.outbox] == [[world.coordinator_a.email]]
