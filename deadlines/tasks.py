"""Celery tasks: thin wrappers that call services."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="deadlines.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> dict:
    result = services.sweep(timezone.now())
    return {"breached": result.breached, "published": result.published}
