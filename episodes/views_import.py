"""Pages for uploading a police feed file and following its import: the upload form with the
person's recent imports, the job page with its progress bar and summary, the status the
progress bar polls, and the rejected rows as a CSV file."""

import csv
import itertools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from missing.spreadsheets import spreadsheet_safe

from . import feed, permissions, services
from .forms_import import FeedUploadForm
from .imports import ImportReport
from .models import ImportJob

RECENT_JOBS = 10
REJECTIONS_PER_PAGE = 100
REJECTED_COLUMNS = ["line", "column", "reason"]


def _job_or_404(user, pk) -> ImportJob:
    """Only the person who uploaded a file sees its import: anyone else gets a 404."""
    return get_object_or_404(ImportJob, pk=pk, uploaded_by=user)


def _summary(job: ImportJob) -> str:
    """The line `import_police_feed` prints, for this job."""
    return ImportReport(
        created=job.created,
        updated=job.updated,
        unchanged=job.unchanged,
        rejected_rows=job.rejected,
        held=job.held,
    ).summary()


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not permissions.can_upload_feed(request.user):
        raise PermissionDenied("Only coordinators, managers and police SPOCs can upload a police feed file.")
    form = FeedUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(uploaded_by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("episodes:import_job", pk=job.pk)
    jobs = [(job, _summary(job)) for job in ImportJob.objects.filter(uploaded_by=request.user)[:RECENT_JOBS]]
    return render(request, "episodes/import_upload.html", {"form": form, "jobs": jobs})


@login_required
@require_GET
def import_job(request, pk):
    job = _job_or_404(request.user, pk)
    rejections = None
    if job.finished:
        rejections = Paginator(job.rejections.all(), REJECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "episodes/import_job.html",
        {"job": job, "summary": _summary(job), "page_obj": rejections},
    )


@login_required
@require_GET
def import_job_status(request, pk):
    job = _job_or_404(request.user, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "percent": job.percent,
            "rows_read": job.rows_read,
            "counts": {
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "rejected": job.rejected,
                "held": job.held,
            },
            "finished": job.finished,
        }
    )


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def import_rejected(request, pk):
    """The rejected rows as they were sent, with line, column and reason added: a file the
    police can correct and send again (the added columns are ignored on import)."""
    job = _job_or_404(request.user, pk)
    return StreamingHttpResponse(
        _rejected_csv(job),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rejected-rows-{job.pk}.csv"'},
    )


def _rejected_csv(job: ImportJob):
    """One CSV row per rejected line (its errors joined): the feed's columns in the spec's order,
    then any others the file had (PostgreSQL's JSON keeps no key order), then line, column, reason."""
    columns: set[str] = set()
    for row in job.rejections.values_list("row", flat=True).iterator():
        columns.update(row)
    known = [c for c in feed.COLUMNS if c in columns]
    header = known + sorted(columns - set(known) - set(REJECTED_COLUMNS)) + REJECTED_COLUMNS
    writer = csv.writer(_Echo())
    # A byte-order mark, so spreadsheets read names in any script as UTF-8; the feed accepts it.
    yield "\ufeff" + writer.writerow([spreadsheet_safe(c) for c in header])
    rejections = job.rejections.order_by("line", "pk").values_list("line", "column", "reason", "row").iterator()
    for line, errors in itertools.groupby(rejections, key=lambda rejection: rejection[0]):
        errors = list(errors)
        row = dict(errors[0][3])
        row["line"] = line
        row["column"] = "; ".join(error[1] for error in errors)
        row["reason"] = "; ".join(error[2] for error in errors)
        yield writer.writerow([spreadsheet_safe(row.get(c, "")) for c in header])
