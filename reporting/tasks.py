"""Celery tasks: thin wrappers that call services."""

from celery import shared_task

from . import pack_services


@shared_task(name="reporting.tasks.generate_governance_pack", ignore_result=True)
def generate_governance_pack(pack_id: int) -> None:
    pack_services.governance_pack_generate(pack_id=pack_id)
