"""Scenarios for the risk tests: episodes recorded through the police intake at given times."""

import datetime

from risk.models import Escalation
from tests.interviews.helpers import missing_episode, returned_episode  # noqa: F401

UTC = datetime.UTC
T0 = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday, GMT


def fired(rule: str, **filters) -> list[Escalation]:
    return list(Escalation.objects.filter(rule=rule, **filters))


def days(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)
