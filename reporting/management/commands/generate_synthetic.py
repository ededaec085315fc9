"""Build a synthetic history at scale for benchmarks (PostgreSQL only): see reporting/synthetic.py."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reporting import synthetic


class Command(BaseCommand):
    help = (
        "Generate synthetic children, episodes, return interviews, deadlines and escalations in SQL, "
        "for benchmarks. Refuses a database whose name has neither 'bench' nor 'synthetic'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, required=True, help="how many children")
        parser.add_argument("--years", type=int, default=10, help="years of history, ending now (default 10)")
        parser.add_argument(
            "--authorities", default="", help="ONS codes, comma-separated (default: every local authority)"
        )
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same history (default 1)")
        parser.add_argument(
            "--now",
            default=None,
            help="when the history ends, e.g. 2026-12-01T12:00+00:00 (default: now); with --seed, the same rows",
        )
        parser.add_argument(
            "--i-know-this-is-not-live",
            action="store_true",
            dest="not_live",
            help="write to a database whose name has neither 'bench' nor 'synthetic'",
        )

    def handle(self, *args, children, years, authorities, seed, now, not_live, **options):
        reason = synthetic.refusal(
            vendor=connection.vendor, name=str(connection.settings_dict["NAME"]), not_live=not_live
        )
        if reason:
            raise CommandError(reason)
        if children < 1 or not 1 <= years <= 30:
            raise CommandError("Give --children of at least 1 and --years from 1 to 30.")
        if now is not None:
            try:
                now = datetime.datetime.fromisoformat(now)
            except ValueError:
                now = None
            if now is None or now.tzinfo is None:
                raise CommandError("Give --now as a time with its offset from UTC, e.g. 2026-12-01T12:00+00:00.")
        codes = [code.strip() for code in authorities.split(",") if code.strip()]
        try:
            summary = synthetic.generate(children=children, years=years, authorities=codes or None, seed=seed, now=now)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Children: {summary.children} ({summary.looked_after} looked after)\n"
            f"Episodes: {summary.episodes}\n"
            f"Return interviews: {summary.interviews}\n"
            f"Deadlines: {summary.deadlines} ({summary.open_deadlines} open)\n"
            f"Escalations: {summary.escalations}\n"
            f"Seconds: {summary.seconds}"
        )
