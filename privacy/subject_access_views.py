"""The data protection officer's subject access pages: the requests and their due dates,
opening one for a child, marking redactions, generating, downloading and completing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from organisations.roles import Role

from . import subject_access as sa
from .models import AccessKind, SubjectAccessRequest
from .services import note_access


class OpenForm(forms.Form):
    child = forms.IntegerField(label="Which child (Homeward child number)", min_value=1)
    requested_by = forms.CharField(
        label="Who asked", max_length=200, help_text="The child, a parent or a representative."
    )
    received_on = forms.DateField(label="Received on", help_text="For example, 2026-11-27.")


def _officer(request):
    if not request.user.has_role(Role.DATA_PROTECTION_OFFICER):
        raise PermissionDenied("Subject access requests are handled by a data protection officer.")
    return request.user


def _request(request, pk) -> SubjectAccessRequest:
    if not request.user.has_role(Role.DATA_PROTECTION_OFFICER):
        raise Http404("No request found")
    try:
        return sa.requests_for_officer(request.user).get(pk=pk)
    except SubjectAccessRequest.DoesNotExist:
        raise Http404("No request found") from None


@login_required
def request_list(request):
    officer = _officer(request)
    return render(request, "privacy/subject_access_list.html", {"requests": sa.requests_for_officer(officer)})


@login_required
@require_http_methods(["GET", "POST"])
def request_open(request):
    officer = _officer(request)
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        children = sa.children_for_officer(officer)
        found = children.filter(pk=int(query)) if query.isdigit() else children.filter(search_text__icontains=query)
        found = list(found.order_by("family_name", "given_name")[:20])
    form = OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        child = sa.children_for_officer(officer).filter(pk=form.cleaned_data["child"]).first()
        try:
            sar = sa.subject_access_request_open(
                child=child,
                by=officer,
                requested_by=form.cleaned_data["requested_by"],
                received_on=form.cleaned_data["received_on"],
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, f"Request opened: due on {sar.due_on:%-d %B %Y}.")
            return redirect(sar)
    return render(request, "privacy/subject_access_open.html", {"form": form, "query": query, "found": found})


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    sar = _request(request, pk)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "redact":
                sa.subject_access_redaction_add(sar=sar, by=request.user, phrase=request.POST.get("phrase", ""))
                messages.success(request, "Marked for redaction. Generate the record again.")
            elif action == "unredact":
                sa.subject_access_redaction_remove(sar=sar, by=request.user, phrase=request.POST.get("phrase", ""))
            elif action == "generate":
                sa.subject_access_generate(sar=sar, by=request.user)
                messages.success(request, "The record is generated.")
            elif action == "complete":
                sa.subject_access_complete(sar=sar, by=request.user)
                messages.success(request, "The request is completed.")
            else:
                raise ValidationError("Choose what to do.")
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            return redirect(sar)
        sar.refresh_from_db()
    return render(
        request, "privacy/subject_access_detail.html", {"sar": sar, "error": error}, status=400 if error else 200
    )


@login_required
def request_download(request, pk, fmt):
    sar = _request(request, pk)
    if fmt not in ("json", "pdf") or not sar.generated_at:
        raise Http404("No file")
    body = bytes(sar.bundle_json if fmt == "json" else sar.bundle_pdf)
    note_access(
        request,
        kind=AccessKind.EXPORT if fmt == "json" else AccessKind.PDF,
        what=f"subject access {fmt.upper()}",
        child=sar.child_id,
        reason=f"subject access request {sar.pk}",
    )
    response = HttpResponse(body, content_type="application/json" if fmt == "json" else "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
