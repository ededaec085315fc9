"""The data protection officer's review queue of break-glass uses (security battery Z8)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from organisations.roles import Role

from . import selectors, services
from .forms import BreakGlassReviewForm
from .models import AccessLogEntry, BreakGlassGrant
from .services import OutOfScope, note_access


def _require_officer(user):
    if not user.has_role(Role.DATA_PROTECTION_OFFICER):
        raise PermissionDenied("Break-glass uses are reviewed by a data protection officer.")


@login_required
def review_list(request):
    _require_officer(request.user)
    grants = list(selectors.break_glass_to_review(request.user))
    for grant in grants:
        note_access(request, what="break-glass uses to review", child=grant.child)
    return render(request, "privacy/break_glass_reviews.html", {"grants": grants})


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    _require_officer(request.user)
    grant = (
        BreakGlassGrant.objects.filter(pk=pk, child__in=selectors.children_of_officer(request.user).values("pk"))
        .select_related("user", "child", "reviewed_by")
        .first()
    )
    if grant is None:
        raise OutOfScope("No break-glass use found", model=BreakGlassGrant, pk=pk)
    form = BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_review(grant=grant, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error("note", " ".join(error.messages))
        else:
            messages.success(request, f"The break-glass use by {grant.user.full_name} is reviewed.")
            return redirect("privacy:break_glass_reviews")
    note_access(request, what="review of a break-glass use", child=grant.child)
    reads = AccessLogEntry.objects.filter(
        user=grant.user, child_id=grant.child_id, at__gte=grant.granted_at, at__lt=grant.expires_at
    ).order_by("at", "id")
    return render(request, "privacy/break_glass_review.html", {"grant": grant, "form": form, "reads": reads})
