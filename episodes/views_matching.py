"""Records to confirm: police records that may be about a child already known, waiting for a
coordinator to say which child (or that it is a new child). Never merged silently."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from privacy.services import note_access

from . import selectors_matching as selectors
from . import services
from .forms_matching import HeldDecisionForm
from .models import HeldReport
from .scope import MATCH_DECIDERS

PAGE_SIZE = 50


def _require_decider(user) -> None:
    if not user.has_role(*MATCH_DECIDERS):
        raise PermissionDenied("Records to confirm are for missing hub coordinators and managers.")


def _held_or_404(user, pk) -> HeldReport:
    try:
        return selectors.held_report_for_user(user=user, pk=pk)
    except HeldReport.DoesNotExist:
        raise Http404("No record found") from None


@login_required
def held_list(request):
    _require_decider(request.user)
    page = Paginator(selectors.held_reports_waiting(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "episodes/held_list.html",
        {
            "page_obj": page,
            "waiting": [(held, selectors.police_details(held)) for held in page.object_list],
            "decided": selectors.held_reports_recently_decided(request.user),
            "decided_days": selectors.RECENTLY_DECIDED_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def held_detail(request, pk):
    held = _held_or_404(request.user, pk)
    note_access(request, what="police record held for matching")
    comparison = selectors.held_report_comparison(held, user=request.user)
    data = request.POST if request.method == "POST" else None
    form = HeldDecisionForm(data, candidates=[c.child for c in comparison.candidates])
    if request.method == "POST" and form.is_valid():
        try:
            if form.is_new_child:
                episode = services.held_report_new_child(held=held, by=request.user)
            else:
                episode = services.held_report_link(held=held, child=form.child, by=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            reference = f"{held.force.code} {held.force_reference}"
            if form.is_new_child:
                text = f"A record was created for {episode.child.full_name}, with police record {reference}."
            else:
                text = f"Police record {reference} is now an episode of {episode.child.full_name}."
            messages.success(request, text)
            return redirect(episode)
        held = _held_or_404(request.user, pk)
    return render(
        request,
        "episodes/held_detail.html",
        {
            "held": held,
            "comparison": comparison,
            "form": form,
            "waiting": held.decision == HeldReport.Decision.WAITING,
            "history": selectors.held_report_history(held),
        },
    )
