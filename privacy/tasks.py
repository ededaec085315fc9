"""Celery tasks: thin wrappers that call the privacy module's functions."""

from celery import shared_task
from django.utils import timezone

from . import partitions, retention


@shared_task(name="privacy.tasks.make_access_log_partitions", ignore_result=True)
def make_access_log_partitions() -> None:
    partitions.ensure_month_partitions(timezone.now())


@shared_task(name="privacy.tasks.make_retention_reviews", ignore_result=True)
def make_retention_reviews() -> None:
    retention.retention_reviews_make(now=timezone.now())
