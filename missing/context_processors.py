"""What every page's layout needs: the service name, the navigation for the user's roles."""

from django.conf import settings
from django.urls import reverse

from episodes.permissions import EPISODE_READERS
from organisations.roles import Role

# (label, url name, roles that see it; None means everyone signed in)
NAVIGATION = [
    ("Home", "home", None),
    (
        "Children",
        "children:list",
        {
            Role.COORDINATOR,
            Role.SOCIAL_WORKER,
            Role.MANAGER,
            Role.IRO,
            Role.CME_OFFICER,
            Role.RHI_WORKER,
            Role.POLICE_SPOC,
        },
    ),
    ("Episodes", "episodes:list", EPISODE_READERS),
    ("Your account", "your_account", None),
]


def navigation_for(user, path: str) -> list[dict]:
    roles = user.roles()
    items = []
    for label, url_name, allowed in NAVIGATION:
        if allowed is not None and not roles & allowed:
            continue
        url = reverse(url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    if settings.ADMIN_ENABLED and (user.is_staff and user.has_role(Role.ADMINISTRATOR)):
        items.append({"label": "Administration", "url": reverse("admin:index"), "active": path.startswith("/admin/")})
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
        context["session_timeout_seconds"] = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
        context["session_keepalive_url"] = reverse("keepalive")
    return context
