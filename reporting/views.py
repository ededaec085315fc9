"""Each role's home page: what needs doing today. Later issues add their work to it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from children.models import Child
from children.selectors import children_allocated_to
from organisations.roles import AGGREGATE_ONLY, Role


@login_required
def home(request):
    user = request.user
    visible = Child.objects.visible_to(user)
    context = {
        "memberships": user.active_memberships(),
        "aggregate_only": user.roles() <= AGGREGATE_ONLY and bool(user.roles()),
        "is_admin": user.has_role(Role.ADMINISTRATOR) or user.is_superuser,
        "child_count": visible.count(),
        "allocated": children_allocated_to(user).select_related("responsible_authority")[:20],
        "recent": visible.order_by("-created_at").select_related("responsible_authority")[:10]
        if user.has_role(Role.COORDINATOR, Role.MANAGER)
        else [],
    }
    return render(request, "home.html", context)


@login_required
def keepalive(request):
    """Touched by the session-timeout warning's "Stay signed in" button; renews the idle timer."""
    return HttpResponse(status=204)
