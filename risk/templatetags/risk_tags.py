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
    from risk.services import can_manage_meeting

    user = context["request"].user
    return {
        "escalations": selectors.escalations_of(user=user, child=child, episode=episode),
        "on_episode": episode is not None,
        "child": child,
        "meeting_records": selectors.meeting_records_of(child=child) if episode is None else [],
        "can_convene": episode is None and can_manage_meeting(user),
    }
