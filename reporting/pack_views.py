"""The monthly governance pack's pages: asking for one, following its generation, and its two
files, served only to the person who asked for it while they may still read its authority."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from privacy.models import AccessKind
from privacy.services import note_access, note_children

from . import dashboard, pack_services
from .models import GovernancePack

# The months offered: the last full month and the 23 before it.
MONTHS_OFFERED = 24
DOWNLOADS = {
    "pdf": ("pdf", "application/pdf", "pdf"),
    "csv": ("csv_zip", "application/zip", "zip"),
}


def months_offered(today: datetime.date) -> list[datetime.date]:
    month = dashboard.last_full_month(today)[0]
    months = []
    for _ in range(MONTHS_OFFERED):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months


class PackForm(forms.Form):
    """Which month and local authority (one of the reader's) the pack is about."""

    pack_month = forms.ChoiceField(
        label="Month for the pack",
        error_messages={"invalid_choice": "Month for the pack must be one of the months in the list"},
    )
    pack_authority = forms.ChoiceField(
        label="Authority for the pack",
        error_messages={"invalid_choice": "Authority for the pack must be one of the authorities in the list"},
    )

    def __init__(self, *args, authorities, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.authorities = {str(a.pk): a for a in authorities}
        self.fields["pack_month"].choices = [(m.isoformat(), f"{m:%B %Y}") for m in months_offered(today)]
        self.fields["pack_authority"].choices = [(str(a.pk), a.name) for a in authorities]

    def clean_pack_month(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["pack_month"])

    def clean_pack_authority(self):
        return self.authorities[self.cleaned_data["pack_authority"]]


def pack_form(user, data=None, *, authorities=None) -> PackForm | None:
    """The form for `user`'s authorities (given when the caller has them already); None for
    someone who may not have a pack."""
    if authorities is None:
        authorities = pack_services.pack_authorities(user)
    return PackForm(data, authorities=authorities, today=timezone.localdate()) if authorities else None


@login_required
@require_http_methods(["GET", "POST"])
def pack_new(request):
    """1. Coordinators, managers and analysts of a council (anyone else: 404).
    2. A posted, valid form asks the service for the pack, which queues it; go to its page.
    3. Otherwise the form, with what is wrong said in an error summary."""
    form = pack_form(request.user, request.POST if request.method == "POST" else None)
    if form is None:
        raise Http404("No governance pack for you")
    if request.method == "POST" and form.is_valid():
        try:
            pack = pack_services.governance_pack_request(
                user=request.user,
                local_authority=form.cleaned_data["pack_authority"],
                month=form.cleaned_data["pack_month"],
            )
        except PermissionDenied as error:
            form.add_error("pack_authority", str(error))
        else:
            return redirect("reporting:pack_detail", pk=pack.pk)
    return render(
        request,
        "reporting/governance_pack_new.html",
        {
            "form": form,
            "packs": pack_services.recent_packs(request.user),
            "with_names": dashboard.sees_names(request.user),
        },
    )


@login_required
@require_GET
def pack_detail(request, pk):
    pack = pack_services.governance_pack_for(request.user, pk)
    return render(request, "reporting/governance_pack.html", {"pack": pack})


@login_required
@require_GET
def pack_status(request, pk):
    pack = pack_services.governance_pack_for(request.user, pk)
    return JsonResponse(
        {
            "state": pack.state,
            "state_label": pack.get_state_display(),
            "percent": pack.percent,
            "step": pack.step,
            "finished": pack.finished,
        }
    )


@login_required
@require_GET
def pack_download(request, pk, kind):
    """A file of a finished pack; the children it names are written to the access log."""
    if kind not in DOWNLOADS:
        raise Http404("No such file")
    pack = pack_services.governance_pack_for(request.user, pk)
    field_name, content_type, extension = DOWNLOADS[kind]
    stored = getattr(pack, field_name)
    if pack.state != GovernancePack.State.DONE or not stored:
        raise Http404("The pack is not ready")
    what = f"governance pack {pack.month:%B %Y}, {pack.local_authority.name} ({kind.upper()})"
    note_access(request, kind=AccessKind.EXPORT, what=what)
    note_children(request, pack.named_children, what=what, kind=AccessKind.EXPORT)
    response = FileResponse(
        stored.open("rb"), as_attachment=True, filename=f"{pack.file_stem()}.{extension}", content_type=content_type
    )
    response["Cache-Control"] = "no-store"
    return response
