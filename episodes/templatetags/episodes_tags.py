"""Template helpers for episodes: `{% load episodes_tags %}`.

`child_episodes` draws the episode section of a child's page, so the children app shows a
child's episodes without importing episodes in Python.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from episodes import permissions, selectors

register = template.Library()


@register.filter
def duration_words(value: datetime.timedelta | None) -> str:
    """timedelta(hours=26, minutes=5) -> '1 day 2 hours'; timedelta(minutes=50) -> '50 minutes'.

    Hours and minutes under a day, days and hours beyond: the precision people use for an episode.
    """
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)

    def unit(number: int, name: str) -> str:
        return f"{number} {name}{'' if number == 1 else 's'}"

    if days:
        return " ".join([unit(days, "day")] + ([unit(hours, "hour")] if hours else []))
    if hours:
        return " ".join([unit(hours, "hour")] + ([unit(minutes, "minute")] if minutes else []))
    return unit(minutes, "minute")


@register.simple_tag
def episode_duration(episode, duration: datetime.timedelta | None) -> str:
    """How long the episode lasted, or has lasted so far: while the child is away, a <time> that
    static/homeward/ticking.mjs keeps true while the page stays open. A tag, not an included
    template: lists draw it on every row."""
    words = duration_words(duration)
    if episode.returned_at:
        return words
    state = "Away" if episode.category == "away" else "Missing"
    return format_html(
        '<time data-tick="elapsed" datetime="{}" data-before="{} for " data-after=" so far">{} for {} so far</time>',
        episode.last_seen_at.isoformat(),
        state,
        state,
        words,
    )


@register.inclusion_tag("episodes/_child_episodes.html", takes_context=True)
def child_episodes(context, child):
    """The child page's episode section: counts over 30 days, 90 days and 12 months, and every
    episode of the child (the child is in the viewer's scope, so their episodes are too)."""
    user = context["request"].user
    now = timezone.now()
    return {
        "child": child,
        "counts": selectors.child_episode_counts(child=child, now=now),
        "rows": [(episode, episode.duration(now)) for episode in selectors.child_episodes(child=child)],
        "can_record": permissions.can_record_report(user),
        "can_record_away": child.is_looked_after and permissions.can_record_away(user),
    }
