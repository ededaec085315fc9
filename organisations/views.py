"""The signed-in person's own account page (their roles, where to manage sign-in), and ending one
of their other sessions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services


@login_required
def your_account(request):
    return render(request, "organisations/your_account.html", {"memberships": request.user.active_memberships()})


@login_required
@require_POST
def session_end(request, session_id: int):
    session = services.session_end(request, session_id)
    if not request.user.is_authenticated:  # it was this session
        return redirect("account_login")
    messages.success(
        request, f"You signed out the session from {session.ip} ({session.user_agent or 'unknown browser'})."
    )
    return redirect("usersessions_list")
