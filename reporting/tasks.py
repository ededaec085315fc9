"""Celery tasks: thin wrappers that call services."""

from celery import shared_task

from . import pack_services, snapshot_services


@shared_task(name="reporting.tasks.generate_governance_pack", ignore_result=True)
def generate_governance_pack(pack_id: int) -> None:
    pack_services.governance_pack_generate(pack_id=pack_id)


@shared_task(name="reporting.tasks.refresh_dashboard_snapshots", ignore_result=True)
def refresh_dashboard_snapshots() -> int:
    return len(snapshot_services.dashboard_snapshots_refresh())
