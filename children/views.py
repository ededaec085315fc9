"""Pages for finding, reading, recording and changing children's records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from organisations.roles import CHILD_EDITORS, HISTORY_READERS, Role
from privacy.selectors import viewers_of
from privacy.services import OutOfScope, note_access, note_children

from . import selectors, services
from .forms import ChildForm, ChildSearchForm
from .history import child_history

PAGE_SIZE = 25
# How many of the latest reads a manager sees on the child's page.
VIEWERS_SHOWN = 20


def _child_or_404(user, pk):
    try:
        return selectors.child_for_user(user=user, pk=pk)
    except selectors.Child.DoesNotExist:
        raise OutOfScope("No child found", model=selectors.Child, pk=pk) from None


def _require_editor(user):
    if not user.has_role(*CHILD_EDITORS):
        raise PermissionDenied("Your role cannot create or change children's records.")


@login_required
def child_list(request):
    form = ChildSearchForm(request.GET or None)
    children = selectors.child_search(user=request.user)
    if form.is_valid():
        children = selectors.child_search(
            user=request.user, query=form.cleaned_data["q"], date_of_birth=form.cleaned_data["date_of_birth"]
        )
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    note_children(request, page.object_list, what="list of children")
    return render(
        request,
        "children/child_list.html",
        {
            "form": form,
            "page_obj": page,
            "can_create": request.user.has_role(*CHILD_EDITORS),
            "searched": bool(request.GET.get("q") or request.GET.get("date_of_birth")),
        },
    )


@login_required
def child_detail(request, pk):
    child = _child_or_404(request.user, pk)
    note_access(request, what="child record", child=child)
    show_history = request.user.has_role(*HISTORY_READERS)
    return render(
        request,
        "children/child_detail.html",
        {
            "child": child,
            "aliases": child.aliases.all(),
            "pen_picture": [
                ("Description", child.physical_description),
                ("Usual clothing", child.usual_clothing),
                ("Mobile phone", child.phone),
                ("Places frequented", child.places_frequented),
                ("Associates", child.associates),
            ],
            "can_edit": request.user.has_role(*CHILD_EDITORS),
            "history": child_history(child) if show_history else None,
            "viewers": viewers_of(child.pk)[:VIEWERS_SHOWN] if request.user.has_role(Role.MANAGER) else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_create(request):
    _require_editor(request.user)
    form = ChildForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        child = services.child_create(by=request.user, **form.service_fields())
        messages.success(request, f"{child.full_name}'s record was created.")
        return redirect(child)
    return render(request, "children/child_form.html", {"form": form, "child": None})


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request, pk):
    child = _child_or_404(request.user, pk)
    _require_editor(request.user)
    form = ChildForm(request.POST or None, request.FILES or None, instance=child, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        # The form has already set the new values on `child`; the service validates and records them.
        services.child_update(child=child, by=request.user, reason=form.cleaned_data["reason"], **fields)
        messages.success(request, f"{child.full_name}'s record was updated.")
        return redirect(child)
    return render(request, "children/child_form.html", {"form": form, "child": child})


@login_required
def child_photo(request, pk):
    """The photo goes through the same scope as the record: there is no public media URL."""
    child = _child_or_404(request.user, pk)
    if not child.photo:
        raise Http404("No photo")
    note_access(request, what="child's photo", child=child)
    response = FileResponse(child.photo.open("rb"), as_attachment=False)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response
