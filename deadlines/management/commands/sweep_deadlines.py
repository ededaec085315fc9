"""Run the deadline sweep once, or keep running it (`--loop`) every DEADLINE_SWEEP_SECONDS."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from deadlines.services import sweep


class Command(BaseCommand):
    help = "Breach overdue deadlines, publish queued work the broker missed, and record a heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep sweeping until stopped")

    def handle(self, *args, loop=False, **options):
        while True:
            result = sweep(timezone.now())
            self.stdout.write(f"breached {result.breached}, published {result.published}")
            if not loop:
                return
            time.sleep(settings.DEADLINE_SWEEP_SECONDS)
