"""Template helpers for restricted records: `{% load privacy_tags %}`.

`restriction_panel` draws, on a child's page, whether the record is restricted, the reader's
emergency access and the manager's actions, so the children app shows them without importing
the privacy app in Python.
"""

from django import template

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
