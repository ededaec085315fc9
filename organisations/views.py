"""The signed-in person's own account page: their roles and where to manage sign-in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def your_account(request):
    return render(request, "organisations/your_account.html", {"memberships": request.user.active_memberships()})
