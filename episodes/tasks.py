"""Celery tasks: thin wrappers that call services."""

from celery import shared_task

from . import services


@shared_task(name="episodes.tasks.run_import_job", ignore_result=True)
def run_import_job(job_id: int) -> None:
    services.import_job_run(job_id=job_id)


@shared_task(name="episodes.tasks.resume_stale_import_jobs", ignore_result=True)
def resume_stale_import_jobs() -> None:
    services.import_jobs_resume_stale()
