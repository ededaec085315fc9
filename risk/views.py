"""The escalation pages: the list, one escalation with who it was sent to, and acknowledging it.

Each view reads through the scope (out of scope is a 404), calls one service and renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Escalation

PAGE_SIZE = 25


def _escalation_or_404(user, pk) -> Escalation:
    try:
        return selectors.escalation_for_user(user=user, pk=pk)
    except Escalation.DoesNotExist:
        raise Http404("No escalation found") from None


@login_required
def escalation_list(request):
    show = request.GET.get("show", "mine")
    if show not in ("mine", "all"):
        show = "mine"
    escalations = selectors.escalation_list(user=request.user, to_acknowledge=show == "mine")
    page = Paginator(escalations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "risk/escalation_list.html", {"page_obj": page, "show": show})


@login_required
def escalation_detail(request, pk):
    escalation = _escalation_or_404(request.user, pk)
    recipients = list(escalation.recipients.all())
    mine = next((r for r in recipients if r.user_id == request.user.pk), None)
    return render(
        request,
        "risk/escalation_detail.html",
        {
            "escalation": escalation,
            "rule": escalation.definition,
            "child": escalation.child,
            "recipients": recipients,
            "mine": mine,
        },
    )


@login_required
@require_POST
def escalation_acknowledge(request, pk):
    escalation = _escalation_or_404(request.user, pk)
    services.escalation_acknowledge(escalation=escalation, by=request.user)
    messages.success(request, "You acknowledged the escalation.")
    return redirect(escalation)
