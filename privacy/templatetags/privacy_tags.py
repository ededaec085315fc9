"""Template helpers for restricted records: `{% load privacy_tags %}`.

`restriction_panel` draws, on a child's page, whether the record is restricted, the reader's
emergency access and the manager's actions, so the children app shows them without importing
the privacy app in Python.
"""

import datetime

from django import template

from missing.moments import uk_datetime
from privacy import selectors, services

register = template.Library()


@register.inclusion_tag("privacy/_restriction_panel.html", takes_context=True)
def restriction_panel(context, child):
    user = context["request"].user
    restriction = selectors.restriction_of(child)
    may_restrict = services.may_restrict(user, child)
    return {
        "child": child,
        "restriction": restriction,
        "members": [m.user for m in restriction.members.all()] if restriction and may_restrict else [],
        "may_restrict": may_restrict,
        "grant": selectors.live_grant(user=user, child=child) if restriction else None,
    }


@register.filter
def uk_time(value):
    """A subject access bundle's UTC time (ISO 8601, 'Z') as UK time; anything else as it is."""
    if isinstance(value, str) and len(value) >= 20 and value.endswith("Z") and value[10:11] == "T":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return uk_datetime(moment)
    return value
