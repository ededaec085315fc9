"""The data protection officer's search of the access log; restricting a child's record and
breaking the glass."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from children.models import Child

from . import selectors, services
from .forms import BreakGlassForm, LiftForm, RestrictForm
from .models import AccessKind
from .services import OutOfScope, note_access

# --- Restricted records and break-glass ---------------------------------------------------------


def _visible_child(user, pk) -> Child:
    try:
        return Child.objects.visible_to(user).select_related("responsible_authority", "host_authority").get(pk=pk)
    except Child.DoesNotExist:
        raise OutOfScope("No child found", model=Child, pk=pk) from None


def _refusal_message(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def child_restrict(request, pk):
    """Restrict a child's record, or change who is named on its restriction (managers)."""
    child = _visible_child(request.user, pk)
    if not services.may_restrict(request.user, child):
        raise PermissionDenied("Only a manager of a council serving the child can restrict its record.")
    restriction = selectors.restriction_of(child)
    people = selectors.people_who_may_be_named(child).exclude(pk=request.user.pk)
    initial = (
        {"reason": restriction.reason, "members": [m.user for m in restriction.members.all()]} if restriction else {}
    )
    form = RestrictForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.child_restrict(
                child=child, by=request.user, reason=form.cleaned_data["reason"], members=form.cleaned_data["members"]
            )
        except ValidationError as error:
            form.add_error(None, _refusal_message(error))
        else:
            messages.success(request, "The record is restricted: only the people named, and you, can see it.")
            return redirect(child)
    note_access(request, what="restriction of a record", child=child)
    return render(request, "privacy/restrict.html", {"form": form, "child": child, "restriction": restriction})


@login_required
@require_http_methods(["GET", "POST"])
def restriction_lift(request, pk):
    child = _visible_child(request.user, pk)
    restriction = selectors.restriction_of(child)
    if restriction is None:
        return redirect(child)
    if not services.may_restrict(request.user, child):
        raise PermissionDenied("Only a manager of a council serving the child can lift its restriction.")
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.restriction_lift(restriction=restriction, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, _refusal_message(error))
        else:
            messages.success(request, "The restriction is lifted: everyone who works with the child can see it again.")
            return redirect(child)
    note_access(request, what="restriction of a record", child=child)
    return render(request, "privacy/lift.html", {"form": form, "child": child})


def _restricted_child(user, pk) -> Child | None:
    """The child, when it is restricted and `user` would see it were it not."""
    child = Child.objects.in_scope_before_restrictions(user).filter(pk=pk).first()
    if child is None or selectors.restriction_of(child) is None:
        return None
    return child


@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def break_glass(request, pk):
    """Emergency access to a restricted record (security battery Z8). Anyone out of the child's
    scope gets the plain 404; anyone who may already see it goes to the record."""
    if Child.objects.visible_to(request.user).filter(pk=pk).exists():
        return redirect("children:detail", pk=pk)
    child = _restricted_child(request.user, pk)
    if child is None:
        raise OutOfScope("No child found", model=Child, pk=pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.break_glass(
                    child=child, by=request.user, reason=form.cleaned_data["reason"], code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error(
                    getattr(error, "code", None) if getattr(error, "code", None) in form.fields else None,
                    _refusal_message(error),
                )
            else:
                note_access(
                    request,
                    kind=AccessKind.EMERGENCY,
                    what="break-glass",
                    child=child,
                    reason=form.cleaned_data["reason"],
                )
                # Security battery S4: a step-up of privilege gets a new session key, so a key
                # learnt before it does not carry the emergency access.
                request.session.cycle_key()
                messages.success(
                    request, "You have emergency access to this record. The child’s managers have been told."
                )
                return redirect(child)
        services.break_glass_refused(
            request, child=child, reason=request.POST.get("reason", ""), why=_form_problem(form)
        )
    return render(request, "privacy/restricted.html", {"form": form, "child_pk": child.pk})


def _form_problem(form) -> str:
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)


def restricted_record_page(request, *, child_id: int):
    """What someone in scope sees instead of a restricted child's page (called for a refused
    read, privacy.middleware): that the record is restricted, and the break-glass form. None when
    the child is not restricted or out of their scope, so the plain 404 stands."""
    if child_id is None or not getattr(request.user, "is_authenticated", False):
        return None
    child = _restricted_child(request.user, child_id)
    if child is None:
        return None
    return render(request, "privacy/restricted.html", {"form": BreakGlassForm(), "child_pk": child.pk}, status=404)
