"""The offer to end one's other sessions, shown where sign-in settings change (battery S6)."""

from django import template

from organisations.services import other_sessions

register = template.Library()


@register.inclusion_tag("organisations/_other_sessions_offer.html", takes_context=True)
def other_sessions_offer(context):
    request = context["request"]
    return {"count": len(other_sessions(request)), "csrf_token": context.get("csrf_token")}
