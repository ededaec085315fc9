"""Celery tasks: thin wrappers that call services."""

from celery import shared_task

from . import services


@shared_task(name="episodes.tasks.run_import_job", ignore_result=True)
def run_import_job(job_id: int) -> None:
    services.import_job_run(job_id=job_id)
