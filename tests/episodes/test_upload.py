"""Uploading a police feed file: the upload page, the import job, its page, status and the
rejected rows download."""

import csv
import datetime
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deadlines.models import OutboxMessage
from episodes import imports, services, tasks
from episodes.models import Episode, ImportJob, ImportRejection
from episodes.services import import_job_run
from missing.spreadsheets import spreadsheet_safe
from tests.factories import make_episode, report_row

pytestmark = pytest.mark.django_db

SUMMARY = "created {}, updated {}, unchanged {}, rejected {}, held for matching {}"


def csv_bytes(rows, columns=None) -> bytes:
    columns = columns or list(dict.fromkeys(c for row in rows for c in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def upload(client, content: bytes, name="feed.csv"):
    return client.post(reverse("episodes:import"), {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def uploaded_job(client, user, rows) -> ImportJob:
    client.force_login(user)
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 302, response.content.decode()
    return ImportJob.objects.get(uploaded_by=user, pk=response["Location"].rstrip("/").split("/")[-1])


def stored_files(settings) -> list:
    folder = settings.MEDIA_ROOT / "imports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# --- Uploading --------------------------------------------------------------------------------


def test_an_upload_keeps_the_file_and_queues_the_job_through_the_outbox(client, world, settings):
    client.force_login(world.coordinator_a)
    content = csv_bytes([report_row(), report_row()])

    response = upload(client, content, name="GMP extract 23-11.csv")

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("episodes:import_job", args=[job.pk])
    assert (job.state, job.original_name, job.size, job.uploaded_by) == (
        "queued",
        "GMP extract 23-11.csv",
        len(content),
        world.coordinator_a,
    )
    # Stored under a name of our own, never the uploaded one.
    assert job.file.name.startswith("imports/") and "GMP" not in job.file.name
    assert job.file.read() == content
    (message,) = OutboxMessage.objects.all()
    assert (message.task_name, message.args) == ("episodes.tasks.run_import_job", [job.pk])
    assert not Episode.objects.exists()  # the import waits for the worker


@pytest.mark.parametrize("persona", ["coordinator_a", "manager_a", "police_f1"])
def test_coordinators_managers_and_police_spocs_can_upload(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("episodes:import")).status_code == 200
    assert upload(client, csv_bytes([report_row()])).status_code == 302


@pytest.mark.parametrize("persona", ["social_worker_a", "rhi_worker", "iro_a", "analyst_a", "admin"])
def test_other_roles_cannot_upload_and_nothing_is_stored(client, world, settings, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("episodes:import")).status_code == 403
    assert upload(client, csv_bytes([report_row()])).status_code == 403
    assert not ImportJob.objects.exists() and not OutboxMessage.objects.exists()
    assert stored_files(settings) == []


def test_the_service_refuses_an_upload_from_a_role_that_may_not(world):
    with pytest.raises(services.PermissionDenied):
        services.import_job_create(
            uploaded_by=world.social_worker_a, upload=SimpleUploadedFile("feed.csv", csv_bytes([report_row()]))
        )
    assert not ImportJob.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, world):
    response = client.get(reverse("episodes:import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("feed.xlsx", b"PK\x03\x04 spreadsheet", "The selected file must be a CSV"),
        ("feed.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The selected file must be a CSV saved as UTF-8 text"),
        ("feed.csv", "force,x\n".encode("utf-16"), "The selected file must be a CSV saved as UTF-8 text"),
        ("feed.csv", b"", "The selected file is empty"),
        ("feed.csv", None, "Select a CSV file"),
    ],
    ids=["not_csv_by_name", "png_named_csv", "utf_16", "empty", "no_file"],
)
def test_a_file_that_is_not_a_csv_is_refused_with_a_message_and_nothing_stored(
    client, world, settings, name, content, message
):
    client.force_login(world.coordinator_a)
    if content is None:
        response = client.post(reverse("episodes:import"), {})
    else:
        response = upload(client, content, name=name)

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and message in body
    assert "<title>Error: Import a police feed file" in body
    assert not ImportJob.objects.exists() and not OutboxMessage.objects.exists()
    assert stored_files(settings) == []


def test_an_oversized_file_is_refused_with_the_limit_and_nothing_stored(client, world, settings, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_MAX_BYTES", 1024 * 1024)
    client.force_login(world.coordinator_a)
    content = csv_bytes([report_row()])
    content += b" " * (1024 * 1024 + 1 - len(content))

    response = upload(client, content)

    assert response.status_code == 200
    assert "The selected file must be 1 MB or smaller" in response.content.decode()
    assert not ImportJob.objects.exists() and not OutboxMessage.objects.exists()
    assert stored_files(settings) == []


def test_a_file_of_exactly_the_limit_is_accepted(client, world, monkeypatch):
    content = csv_bytes([report_row()])
    monkeypatch.setattr(services, "IMPORT_MAX_BYTES", len(content))
    client.force_login(world.coordinator_a)
    assert upload(client, content).status_code == 302


# --- Running the job --------------------------------------------------------------------------


def test_running_the_job_imports_the_rows_and_keeps_counts_rejections_and_notes(client, world):
    good, bad = report_row(station="Longsight"), report_row(category="lost", given_name="")
    job = uploaded_job(client, world.coordinator_a, [good, bad, report_row()])

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == "done" and job.started_at and job.finished_at
    assert (job.created, job.updated, job.unchanged, job.rejected, job.held) == (2, 0, 0, 1, 0)
    assert job.rows_read == 3 and job.bytes_read == job.size and job.percent == 100
    assert job.notes == ["Columns ignored (not in the feed format): station"]
    rejections = list(job.rejections.values_list("line", "column", "reason"))
    assert sorted(rejections) == [
        (3, "category", "'lost' is not one of: missing, absent"),
        (3, "given_name", "is required"),
    ]
    assert all(r.row == {**bad, "station": ""} for r in job.rejections.all())
    episode = Episode.objects.get(force_reference=good["force_reference"])
    assert episode.source == "upload"
    latest = episode.history.get()
    assert latest.history_user == world.coordinator_a
    assert latest.history_change_reason == "Police feed upload feed.csv by Cora Ordinator, line 2"
    assert not Episode.objects.filter(force_reference=bad["force_reference"]).exists()


def test_an_uploader_sends_only_their_own_force_or_area_and_other_rows_are_rejected(client, world):
    """The same rule as the form and the API: a SPOC sends their force's records, a coordinator
    those of the authorities their council serves."""
    theirs, other_force = report_row(force="WMP", local_authority="Birmingham"), report_row(force="GMP")
    job = uploaded_job(client, world.police_f2, [theirs, other_force])
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.created, job.rejected) == (1, 1)
    assert list(job.rejections.values_list("line", "column", "reason")) == [
        (3, "force", "is GMP: you can send records for your own force only")
    ]
    assert not Episode.objects.filter(force_reference=other_force["force_reference"]).exists()

    stockport, manchester = report_row(local_authority="Stockport"), report_row(local_authority="Manchester")
    job = uploaded_job(client, world.coordinator_b, [stockport, manchester])
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.created, job.rejected) == (1, 1)
    assert list(job.rejections.values_list("column", "reason")) == [
        ("local_authority", "is Manchester: not a local authority your council serves")
    ]


def test_the_celery_task_runs_the_job(client, world):
    job = uploaded_job(client, world.police_f1, [report_row()])
    tasks.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.created == 1


def test_a_job_run_twice_is_not_imported_again(client, world):
    job = uploaded_job(client, world.coordinator_a, [report_row(), report_row(risk_level="extreme")])
    import_job_run(job_id=job.pk)
    counts = (Episode.objects.count(), Episode.history.count(), ImportRejection.objects.count(), job.history.count())

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.created, job.rejected) == ("done", 1, 1)
    assert (Episode.objects.count(), Episode.history.count(), ImportRejection.objects.count()) == counts[:3]
    assert job.history.count() == counts[3]


def test_a_job_whose_worker_stopped_is_queued_again_and_finishes_once(client, world):
    """A worker killed mid-import leaves its job running with a heartbeat that stops; after
    IMPORT_STALE_AFTER the job is queued again, and the rerun writes nothing twice."""
    rows = [report_row(), report_row()]
    job = uploaded_job(client, world.coordinator_a, rows)
    import_feed_started = timezone.now() - services.IMPORT_STALE_AFTER - datetime.timedelta(seconds=1)
    # What the killed worker had done: claimed the job and imported the first row.
    ImportJob.objects.filter(pk=job.pk).update(state="running", heartbeat_at=import_feed_started)
    make_episode(**rows[0])
    young = uploaded_job(client, world.coordinator_a, [report_row()])
    ImportJob.objects.filter(pk=young.pk).update(state="running", heartbeat_at=timezone.now())
    OutboxMessage.objects.all().delete()

    assert services.import_jobs_resume_stale() == [job.pk]
    assert services.import_jobs_resume_stale() == []
    (message,) = OutboxMessage.objects.filter(task_name="episodes.tasks.run_import_job")
    assert message.args == [job.pk]
    tasks.run_import_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.created, job.unchanged) == ("done", 1, 1)
    assert services.RESUMED_NOTE in job.notes
    assert Episode.objects.filter(force_reference__in=[r["force_reference"] for r in rows]).count() == 2
    assert ImportJob.objects.get(pk=young.pk).state == "running"


def test_progress_is_saved_while_the_job_runs(client, world, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    job = uploaded_job(client, world.coordinator_a, [report_row() for _ in range(5)])
    seen = []
    real_import_feed = imports.import_feed

    def watching(stream, **kwargs):
        progress = kwargs.pop("progress")

        def record(bytes_read, rows_read):
            progress(bytes_read, rows_read)
            seen.append(ImportJob.objects.values_list("state", "rows_read").get(pk=job.pk))

        return real_import_feed(stream, progress=record, **kwargs)

    monkeypatch.setattr(imports, "import_feed", watching)
    import_job_run(job_id=job.pk)

    assert seen == [("running", 2), ("running", 4), ("running", 5)]


def test_a_refused_file_marks_the_job_refused_and_the_page_says_why(client, world):
    client.force_login(world.coordinator_a)
    upload(client, csv_bytes([report_row(given_name="Zoë")]).decode().encode("latin-1"))
    job = ImportJob.objects.get()

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == "refused" and "The file is not UTF-8 text" in job.refusal
    assert not Episode.objects.exists() and not job.rejections.exists()
    body = client.get(reverse("episodes:import_job", args=[job.pk])).content.decode()
    assert "The file was refused" in body and "The file is not UTF-8 text" in body
    assert "Nothing from this file was imported" in body


def test_an_error_during_the_import_marks_the_job_failed_and_logs_it(client, world, monkeypatch, caplog):
    job = uploaded_job(client, world.coordinator_a, [report_row()])

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(imports, "import_feed", broken)
    with caplog.at_level(logging.ERROR, logger="episodes.services"):
        import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == "failed" and job.finished_at is not None
    assert f"Import job {job.pk} failed" in caplog.text and "database went away" in caplog.text
    body = client.get(reverse("episodes:import_job", args=[job.pk])).content.decode()
    assert "The import stopped because of an error in Homeward" in body
    assert "database went away" not in body


# --- The job page, its status and the download ------------------------------------------------


def test_the_job_page_shows_a_progress_bar_and_a_refresh_link_until_the_job_finishes(client, world):
    job = uploaded_job(client, world.coordinator_a, [report_row()])
    body = client.get(reverse("episodes:import_job", args=[job.pk])).content.decode()
    assert '<label class="govuk-label govuk-label--s" for="import-progress">Import progress</label>' in body
    assert '<progress id="import-progress"' in body and 'max="100" value="0"' in body
    assert f'data-job-status-url="{reverse("episodes:import_job_status", args=[job.pk])}"' in body
    assert "job-progress.mjs" in body
    assert f'<a class="govuk-link" href="{reverse("episodes:import_job", args=[job.pk])}">Refresh</a>' in body


def test_the_finished_job_page_shows_the_summary_the_rejected_rows_and_the_download(client, world):
    rows = [report_row(), report_row(category="lost"), report_row(returned_at="not a time")]
    job = uploaded_job(client, world.coordinator_a, rows)
    import_job_run(job_id=job.pk)

    body = client.get(reverse("episodes:import_job", args=[job.pk])).content.decode()

    assert SUMMARY.format(1, 0, 0, 2, 0) in body
    assert "<progress" not in body and "job-progress.mjs" not in body
    assert "&#x27;lost&#x27; is not one of: missing, absent" in body
    assert ">3</td>" in body and ">4</td>" in body and ">returned_at</td>" in body
    assert reverse("episodes:import_rejected", args=[job.pk]) in body


def test_the_upload_page_lists_only_your_own_recent_imports(client, world):
    mine = uploaded_job(client, world.coordinator_a, [report_row()])
    import_job_run(job_id=mine.pk)
    theirs = uploaded_job(client, world.police_f1, [report_row()])

    client.force_login(world.coordinator_a)
    body = client.get(reverse("episodes:import")).content.decode()

    assert reverse("episodes:import_job", args=[mine.pk]) in body
    assert SUMMARY.format(1, 0, 0, 0, 0) in body
    assert reverse("episodes:import_job", args=[theirs.pk]) not in body


def test_the_status_says_how_far_the_job_has_got(client, world):
    job = uploaded_job(client, world.coordinator_a, [report_row(), report_row(risk_level="x")])
    url = reverse("episodes:import_job_status", args=[job.pk])

    queued = client.get(url).json()
    import_job_run(job_id=job.pk)
    done = client.get(url).json()

    assert queued == {
        "state": "queued",
        "state_label": "Waiting to start",
        "percent": 0,
        "rows_read": 0,
        "counts": {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "held": 0},
        "finished": False,
    }
    assert done == {
        "state": "done",
        "state_label": "Finished",
        "percent": 100,
        "rows_read": 2,
        "counts": {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1, "held": 0},
        "finished": True,
    }


def _download(client, job) -> tuple[object, str, list[list[str]]]:
    response = client.get(reverse("episodes:import_rejected", args=[job.pk]))
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, text, list(csv.reader(io.StringIO(text)))


def test_the_rejected_rows_download_is_the_rows_as_sent_with_line_column_and_reason(client, world):
    columns = ["force_reference", "force", "local_authority", "reported_at", "category", "risk_level"]
    columns += ["given_name", "family_name", "last_seen_at", "station"]
    bad = report_row(category="lost", given_name="", station="Longsight")
    job = uploaded_job(client, world.coordinator_a, [report_row(station=""), bad, report_row(risk_level="x")])
    import_job_run(job_id=job.pk)
    with job.file.open("rb") as stored:
        uploaded_header = next(csv.reader(io.StringIO(stored.read().decode())))

    response, text, rows = _download(client, job)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="rejected-rows-{job.pk}.csv"'
    assert text.startswith("\ufeff")
    header = [rows[0][0].lstrip("\ufeff"), *rows[0][1:]]
    assert header == [*uploaded_header, "line", "column", "reason"]
    assert set(columns) <= set(header)
    assert len(rows) == 3  # one row per rejected line, however many problems it has
    first = dict(zip(header, rows[1], strict=True))
    assert first["force_reference"] == bad["force_reference"] and first["station"] == "Longsight"
    assert first["line"] == "3"
    assert sorted(zip(first["column"].split("; "), first["reason"].split("; "), strict=True)) == [
        ("category", "'lost' is not one of: missing, absent"),
        ("given_name", "is required"),
    ]
    assert dict(zip(header, rows[2], strict=True))["line"] == "4"


def test_the_download_defuses_spreadsheet_formulas(client, world):
    bad = report_row(
        category="lost",
        given_name='=HYPERLINK("http://evil.example","click")',
        family_name="+44 161 000",
        circumstances="-2+3",
        last_seen_location="@SUM(A1)",
        officer="\tPC Tab",
    )
    job = uploaded_job(client, world.coordinator_a, [bad])
    import_job_run(job_id=job.pk)

    _, _, rows = _download(client, job)

    row = dict(zip([rows[0][0].lstrip("\ufeff"), *rows[0][1:]], rows[1], strict=True))
    assert row["given_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["family_name"] == "'+44 161 000"
    assert row["circumstances"] == "'-2+3"
    assert row["last_seen_location"] == "'@SUM(A1)"
    assert row["officer"] == "'\tPC Tab"


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Zoë", "Zoë"),
        ("a=b", "a=b"),
        ("", ""),
        (12, "12"),
        (None, ""),
    ],
)
def test_spreadsheet_safe_prefixes_cells_a_spreadsheet_would_run(value, safe):
    assert spreadsheet_safe(value) == safe


# --- Who sees a job ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator_b", "manager_a", "police_f1", "analyst_a", "admin"])
def test_someone_other_than_the_uploader_gets_404_for_the_job(client, world, persona):
    job = uploaded_job(client, world.coordinator_a, [report_row(risk_level="x")])
    import_job_run(job_id=job.pk)
    client.force_login(getattr(world, persona))
    for name in ("episodes:import_job", "episodes:import_job_status", "episodes:import_rejected"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name


def test_a_job_that_does_not_exist_is_404(client, world):
    client.force_login(world.coordinator_a)
    assert client.get(reverse("episodes:import_job", args=[999999])).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def _queries_for(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def _make_jobs(user, n):
    ImportJob.objects.bulk_create(
        ImportJob(uploaded_by=user, file="imports/x.csv", original_name=f"feed-{i}.csv", size=10, state="done")
        for i in range(n)
    )


def test_the_upload_page_queries_are_the_same_for_10_and_100_imports(client, world):
    client.force_login(world.coordinator_a)
    client.get(reverse("home"))  # the first request records the session in the session list
    _make_jobs(world.coordinator_a, 10)
    with_10 = _queries_for(client, reverse("episodes:import"))
    _make_jobs(world.coordinator_a, 90)
    with_100 = _queries_for(client, reverse("episodes:import"))
    # session, user, memberships (read once for the role check and the navigation), the recent
    # imports, the inbox's unread count; the session is saved only every SESSION_RENEW_SECONDS
    assert len(with_10) == len(with_100) == 5, "\n".join(with_100)


def _add_rejections(job, n, start=0):
    ImportRejection.objects.bulk_create(
        ImportRejection(job=job, line=start + i + 2, column="category", reason="is required", row={"force": "GMP"})
        for i in range(n)
    )


def test_the_job_page_queries_are_the_same_for_10_and_100_rejected_rows(client, world):
    client.force_login(world.coordinator_a)
    client.get(reverse("home"))
    job = ImportJob.objects.create(
        uploaded_by=world.coordinator_a, file="imports/x.csv", original_name="feed.csv", size=10, state="done"
    )
    _add_rejections(job, 10)
    with_10 = _queries_for(client, reverse("episodes:import_job", args=[job.pk]))
    _add_rejections(job, 90, start=10)
    with_100 = _queries_for(client, reverse("episodes:import_job", args=[job.pk]))
    # session, user, the job, count of rejections, memberships (navigation), the page of
    # rejections, the inbox's unread count; the session is saved only every SESSION_RENEW_SECONDS
    assert len(with_10) == len(with_100) == 7, "\n".join(with_100)
