"""The statutory exports page: the SSDA903 Missing and Header tables and Ofsted Annex A List 8's
missing columns, for the coordinators and managers of the council that makes the returns."""

import io
import zipfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from privacy.models import AccessKind
from privacy.services import note_access

from .export_services import annex_a_list8_export, export_authorities, ssda903_export
from .models import ExportLog
from .ssda903 import CollectionYear

# The collection years offered: the current one and the four before it.
YEARS_OFFERED = 5
RECENT_EXPORTS_SHOWN = 20


class AuthorityField(forms.ChoiceField):
    def __init__(self, authorities, **kwargs):
        self.authorities = {str(a.pk): a for a in authorities}
        super().__init__(choices=[(str(a.pk), a.name) for a in authorities], label="Local authority", **kwargs)

    def clean(self, value):
        return self.authorities[super().clean(value)]


class Ssda903Form(forms.Form):
    year = forms.TypedChoiceField(label="Collection year", coerce=int)

    def __init__(self, *args, authorities, today, **kwargs):
        super().__init__(*args, **kwargs)
        current = CollectionYear.containing(today)
        years = [CollectionYear(current.start_year - n) for n in range(YEARS_OFFERED)]
        self.fields["year"].choices = [
            (y.start_year, f"{y.label} (1 April {y.start_year} to 31 March {y.start_year + 1})") for y in years
        ]
        self.fields["ssda903_authority"] = AuthorityField(authorities)


class AnnexAForm(forms.Form):
    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annex_a_authority"] = AuthorityField(authorities)


def _left_out_text(left_out) -> str:
    lines = ["Children with missing or away periods in the year who are not in the tables:", ""]
    lines += [f"{child.pk}  {child.full_name}: {reason}" for child, reason in left_out]
    return "\r\n".join(lines) + "\r\n"


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def exports(request):
    """1. Only a council's coordinators and managers have this page (anyone else: 404).
    2. A posted form makes the export through the service, which logs it, and downloads it.
    3. Otherwise show the forms and the latest exports made for the user's authorities."""
    authorities = export_authorities(request.user)
    if not authorities:
        raise Http404("No exports for you")
    today = timezone.localdate()
    ssda903_form = Ssda903Form(authorities=authorities, today=today)
    annex_a_form = AnnexAForm(authorities=authorities)
    if request.method == "POST" and request.POST.get("export") == "ssda903":
        ssda903_form = Ssda903Form(request.POST, authorities=authorities, today=today)
        if ssda903_form.is_valid():
            authority = ssda903_form.cleaned_data["ssda903_authority"]
            year = CollectionYear(ssda903_form.cleaned_data["year"])
            files = ssda903_export(user=request.user, authorities=[authority], year=year)
            for item in files.export.children:
                note_access(request, kind=AccessKind.EXPORT, what=f"SSDA903 return {year.start_year}", child=item.child)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("Missing.csv", files.missing_csv)
                archive.writestr("Header.csv", files.header_csv)
                if files.export.left_out:
                    archive.writestr("Children left out.txt", _left_out_text(files.export.left_out))
            name = f"SSDA903_{year.start_year}-{str(year.start_year + 1)[2:]}_{authority.ons_code}.zip"
            return _download(buffer.getvalue(), name, "application/zip")
    elif request.method == "POST" and request.POST.get("export") == "annex_a":
        annex_a_form = AnnexAForm(request.POST, authorities=authorities)
        if annex_a_form.is_valid():
            authority = annex_a_form.cleaned_data["annex_a_authority"]
            text, _ = annex_a_list8_export(user=request.user, authorities=[authority], today=today)
            note_access(request, kind=AccessKind.EXPORT, what=f"Annex A List 8 missing columns, {authority.name}")
            name = f"AnnexA_List8_missing_{authority.ons_code}_{today:%Y-%m-%d}.csv"
            return _download(text.encode("utf-8"), name, "text/csv; charset=utf-8")
    recent = (
        ExportLog.objects.filter(local_authorities__in=authorities)
        .distinct()
        .select_related("user")
        .prefetch_related("local_authorities")[:RECENT_EXPORTS_SHOWN]
    )
    return render(
        request,
        "reporting/exports.html",
        {"ssda903_form": ssda903_form, "annex_a_form": annex_a_form, "recent": recent},
    )
