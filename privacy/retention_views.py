"""The retention pages of a council's managers and data protection officers: the month's review
of the records past their date, a child's retention, placing and lifting a legal hold, and the
manager's confirmation of a deletion. The rules are in privacy/retention.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from children.models import Child

from . import retention
from .forms import ConfirmDeletionForm, LegalHoldForm, LiftLegalHoldForm
from .models import ErasureRecord, LegalHold
from .services import OutOfScope, note_access, note_children


def _reviewer(request):
    if not retention.is_reviewer(request.user):
        raise PermissionDenied("Retention is reviewed by a council’s managers and data protection officers.")
    return request.user


def _child(request, pk) -> Child:
    """The child, when the reader reviews its retention; otherwise a 404 (logged as refused)."""
    try:
        return retention.retention_children_for(request.user).select_related("responsible_authority").get(pk=pk)
    except Child.DoesNotExist:
        raise OutOfScope("No child found", model=Child, pk=pk) from None


@login_required
def review(request):
    """The latest review of each of the reader's authorities, and the records under a hold."""
    user = _reviewer(request)
    latest = {}
    for review in retention.reviews_for(user).prefetch_related("entries__rule__local_authority"):
        latest.setdefault(review.local_authority_id, review)
    listed = {entry.child_id for review in latest.values() for entry in review.entries.all()}
    reach = retention.retention_children_for(user)
    children = {child.pk: child for child in reach.filter(pk__in=listed)}
    erased = {e.child_id: e for e in ErasureRecord.objects.filter(child_id__in=listed).select_related("erased_by")}
    held = retention.held_child_ids(reach.filter(pk__in=listed))
    reviews = [
        (
            review,
            [
                (entry, children.get(entry.child_id), erased.get(entry.child_id), entry.child_id in held)
                for entry in review.entries.all()
                if entry.child_id in children or entry.child_id in erased
            ],
        )
        for review in latest.values()
    ]
    holds = list(LegalHold.objects.filter(child__in=reach, lifted_at__isnull=True).select_related("child", "placed_by"))
    note_children(request, [*children.values(), *(hold.child for hold in holds)], what="retention review")
    return render(request, "privacy/retention_review.html", {"reviews": reviews, "holds": holds})


@login_required
def child_retention(request, pk):
    child = _child(request, pk)
    found = retention.child_retention(child)
    today = timezone.localdate()
    hold = retention.hold_in_force(child)
    note_access(request, what="retention of a record", child=child)
    return render(
        request,
        "privacy/retention_child.html",
        {
            "child": child,
            "retention": found,
            "reached": bool(found and found.reached(today)),
            "hold": hold,
            "past_holds": child.legal_holds.filter(lifted_at__isnull=False).select_related("placed_by", "lifted_by"),
            "may_delete": retention.may_confirm_deletion(request.user, child),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold_place(request, pk):
    child = _child(request, pk)
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.legal_hold_place(child=child, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", " ".join(error.messages))
        else:
            messages.success(request, "The record is under a legal hold: it will not be listed for deletion.")
            return redirect("privacy:retention_child", pk=child.pk)
    note_access(request, what="retention of a record", child=child)
    return render(request, "privacy/retention_hold.html", {"form": form, "child": child, "lifting": False})


@login_required
@require_http_methods(["GET", "POST"])
def hold_lift(request, pk):
    child = _child(request, pk)
    hold = retention.hold_in_force(child)
    if hold is None:
        return redirect("privacy:retention_child", pk=child.pk)
    form = LiftLegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.legal_hold_lift(hold=hold, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", " ".join(error.messages))
        else:
            messages.success(request, "The legal hold is lifted.")
            return redirect("privacy:retention_child", pk=child.pk)
    note_access(request, what="retention of a record", child=child)
    return render(request, "privacy/retention_hold.html", {"form": form, "child": child, "lifting": True, "hold": hold})


@login_required
@require_http_methods(["GET", "POST"])
def erase(request, pk):
    """The manager confirms the deletion of a record past its retention date."""
    child = _child(request, pk)
    if not retention.may_confirm_deletion(request.user, child):
        raise PermissionDenied("Only a manager of the child’s council can confirm a deletion.")
    form = ConfirmDeletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = retention.child_erase(child=child, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason" if error.code == "reason" else None, " ".join(error.messages))
        else:
            note_access(request, what="deleted at the end of its retention", child=erasure.child_id)
            messages.success(
                request,
                f"Child number {erasure.child_id}’s record is deleted. The erasure log keeps who, when and under "
                "which rule.",
            )
            return redirect("privacy:retention_review")
    note_access(request, what="retention of a record", child=child)
    found = retention.child_retention(child)
    return render(
        request,
        "privacy/retention_erase.html",
        {"form": form, "child": child, "retention": found, "hold": retention.hold_in_force(child)},
        status=400 if form.errors else 200,
    )
