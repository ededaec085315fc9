"""How the interview pages show time left and triage."""

import datetime

from django import template

register = template.Library()

TRIAGE_COLOURS = {"red": "red", "amber": "orange", "green": "green"}


def _span(delta: datetime.timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.filter
def countdown(delta: datetime.timedelta) -> str:
    """'Due in 5 hours 12 minutes' or 'Overdue by 1 day 3 hours'."""
    if delta <= datetime.timedelta(0):
        return f"Overdue by {_span(delta)}"
    return f"Due in {_span(delta)}"


@register.filter
def triage_colour(value: str) -> str:
    return TRIAGE_COLOURS.get(value, "grey")
