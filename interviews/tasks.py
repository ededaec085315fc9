"""Celery tasks: thin wrappers that call services."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="interviews.tasks.email_pending_notifications", ignore_result=True)
def email_pending_notifications() -> int:
    return services.notifications_email_pending(timezone.now())
