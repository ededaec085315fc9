"""Template helpers for risk: `{% load risk_tags %}`.

`escalations_section` draws the escalations on a child's or an episode's page, so those apps
show them without importing risk in Python.
"""

from django import template

from risk import selectors

register = template.Library()


@register.inclusion_tag("risk/_escalations.html", takes_context=True)
def escalations_section(context, child=None, episode=None):
    """The escalations of a child or of an episode (already in the viewer's scope), in one query."""
    user = context["request"].user
    return {
        "escalations": selectors.escalations_of(user=user, child=child, episode=episode),
        "on_episode": bool(episode),
    }
