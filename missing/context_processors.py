"""What every page's layout needs: the service name, the navigation for the user's roles."""

from django.conf import settings
from django.urls import reverse

from episodes.scope import MATCH_DECIDERS
from organisations.roles import CHILD_READERS, Role
from reporting.dashboard import DASHBOARD_ROLES

# (label, url name, roles that see it; None means everyone signed in)
NAVIGATION = [
    ("Home", "home", None),
    ("Children", "children:list", CHILD_READERS),
    ("Episodes", "episodes:list", CHILD_READERS),
    ("Records to confirm", "episodes:held_list", MATCH_DECIDERS),
    ("Return interviews", "interviews:list", frozenset({Role.COORDINATOR, Role.MANAGER})),
    ("Caseload", "interviews:caseload", frozenset({Role.RHI_WORKER})),
    ("Escalations", "risk:escalation_list", frozenset({Role.COORDINATOR, Role.MANAGER, Role.SOCIAL_WORKER})),
    ("Meetings", "risk:meeting_list", frozenset({Role.COORDINATOR, Role.MANAGER, Role.SOCIAL_WORKER, Role.IRO})),
    ("Dashboard", "reporting:dashboard", DASHBOARD_ROLES),
    ("Your account", "your_account", None),
]


def navigation_for(user, path: str) -> list[dict]:
    roles = user.roles()
    items = []
    for label, url_name, allowed in NAVIGATION:
        if allowed is not None and not roles & allowed:
            continue
        items.append({"label": label, "url": reverse(url_name), "active": False})
    if settings.ADMIN_ENABLED and (user.is_staff and user.has_role(Role.ADMINISTRATOR)):
        items.append({"label": "Administration", "url": reverse("admin:index"), "active": False})
    # The page belongs to the item with the longest matching address ("Records to confirm" is
    # inside "Episodes"); Home only on the home page itself.
    matches = [item for item in items if path == item["url"] or (item["url"] != "/" and path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items


def homeward(request):
    context = {
        "service_name": "Homeward",
        "nav_items": [],
        "session_timeout_seconds": None,
        "session_keepalive_url": "",
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["nav_items"] = navigation_for(user, request.path)
        # The idle clock may have restarted up to SESSION_RENEW_SECONDS before this request.
        idle_seconds = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
        context["session_timeout_seconds"] = idle_seconds - settings.SESSION_RENEW_SECONDS
        context["session_keepalive_url"] = reverse("keepalive")
    return context
