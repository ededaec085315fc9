"""Checks behind /health/: the database, the cache, the Celery broker and the sweeper heartbeat."""

import dataclasses

from django.http import JsonResponse
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from deadlines.services import sweeper_is_alive


@dataclasses.dataclass
class SweeperHeartbeat(HealthCheck):
    """Red when the deadline sweep has not run for three intervals (security battery R2)."""

    def run(self):
        if not sweeper_is_alive(timezone.now()):
            raise ServiceUnavailable("The deadline sweeper has not run recently.")


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker (Redis, or the filesystem queue in the demo) accepts a connection."""

    def run(self):
        from missing.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as error:
            raise ServiceUnavailable(f"Broker unreachable: {type(error).__name__}") from error


class HealthView(HealthCheckView):
    """Always JSON, whatever the client accepts: monitors and load balancers read it."""

    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        Broker,
        SweeperHeartbeat,
    )

    async def get(self, request, *args, **kwargs):
        await super().get(request, *args, **kwargs)
        return self.render_to_response_json(503 if any(r.error for r in self.results) else 200)

    def render_to_response_json(self, status):
        checks = {
            CHECK_NAMES.get(type(r.check).__name__, type(r.check).__name__): "ok" if not r.error else str(r.error)
            for r in self.results
        }
        return JsonResponse({"status": "ok" if status == 200 else "error", "checks": checks}, status=status)


CHECK_NAMES = {"Database": "database", "Cache": "cache", "Broker": "broker", "SweeperHeartbeat": "sweeper"}
