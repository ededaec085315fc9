"""A coordinator imports the police's overnight file: uploads it, watches the progress bar, reads
the summary and the rows that were not imported, and downloads them to send back.

Every page visited is checked with axe (WCAG 2.2 AA).
"""

import csv
import io
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from episodes import tasks
from episodes.models import Episode, ImportJob
from tests.browser.test_journeys import sign_in
from tests.factories import report_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOB_PAGE = re.compile(r".*/episodes/import/\d+/$")


@pytest.fixture
def broker(monkeypatch):
    """The broker, as Celery sees it: the tasks the outbox publishes, for the test to run."""
    from missing.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=None, kwargs=None: sent.append((name, args, kwargs)))
    return sent


def feed(tmp_path, rows):
    columns = list(dict.fromkeys(c for row in rows for c in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "gmp-overnight.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_upload_a_feed_file_follow_its_progress_and_download_the_rejected_rows(
    page, world, assert_accessible, broker, tmp_path
):

    good = [report_row(given_name="Łukasz", family_name="Nowak"), report_row(given_name="Zoë", family_name="Lee")]
    bad = [report_row(category="lost"), report_row(returned_at="yesterday evening")]
    path = feed(tmp_path, [good[0], bad[0], good[1], bad[1]])
    summary_line = "created 2, updated 0, unchanged 0, rejected 2, held for matching 0"

    sign_in(page, world.coordinator_a, assert_accessible)
    page.goto(reverse("episodes:import"))
    expect(page.get_by_role("heading", name="Import a police feed file")).to_be_visible()
    expect(page.get_by_text("You have not uploaded a police feed file yet.")).to_be_visible()
    assert_accessible(page)

    # Nothing chosen: the error summary names the problem.
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("link", name="Select a CSV file")).to_be_visible()
    assert_accessible(page)

    # Hold the progress bar's status requests while the test plays the worker below, so the
    # live server and the worker never share the test database's connection at the same time.
    page.route("**/status/", lambda route: route.continue_())
    page.get_by_label("Upload a police feed file").set_input_files(path)
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(JOB_PAGE)
    job = ImportJob.objects.get()
    expect(page.get_by_role("heading", name="gmp-overnight.csv")).to_be_visible()
    progress = page.get_by_label("Import progress")
    expect(progress).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    assert_accessible(page)

    # Half way through a long file, the bar follows without reloading the page.
    ImportJob.objects.filter(pk=job.pk).update(state="running", bytes_read=job.size // 2, rows_read=2)
    half = ImportJob.objects.get(pk=job.pk).percent
    assert 45 < half <= 50
    expect(progress).to_have_attribute("value", str(half))
    expect(page.get_by_text(f"2 rows read ({half}%).")).to_be_visible()
    ImportJob.objects.filter(pk=job.pk).update(state="queued", bytes_read=0, rows_read=0)

    # The worker picks up the task the outbox published.
    assert broker == [("episodes.tasks.run_import_job", [job.pk], {})]
    tasks.run_import_job(*broker[0][1])

    # The page sees the job finish and reloads itself with the summary.
    expect(page.get_by_text(summary_line)).to_be_visible()
    expect(page.get_by_label("Import progress")).to_have_count(0)
    expect(page.get_by_role("heading", name="Rows not imported")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("cell", name="'lost' is not one of: missing, absent")).to_be_visible()
    expect(table.get_by_role("cell", name="returned_at")).to_be_visible()
    assert_accessible(page)
    assert Episode.objects.filter(child__given_name="Łukasz").exists()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rows not imported (CSV)").click()
    assert download.value.suggested_filename == f"rejected-rows-{job.pk}.csv"
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [(r["force_reference"], r["line"], r["column"]) for r in rows] == [
        (bad[0]["force_reference"], "3", "category"),
        (bad[1]["force_reference"], "5", "returned_at"),
    ]

    page.get_by_role("link", name="Import another file").click()
    page.wait_for_url("**" + reverse("episodes:import"))
    expect(page.get_by_role("link", name="gmp-overnight.csv")).to_be_visible()
    expect(page.get_by_text(summary_line)).to_be_visible()
    assert_accessible(page)


def test_a_refused_file_says_why_on_the_job_page(page, world, assert_accessible, broker, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("force,force_reference,given_name\nGMP,MP/1,Zoë\n".encode("latin-1"))

    sign_in(page, world.police_f1, assert_accessible)
    page.goto(reverse("episodes:import"))
    page.route("**/status/", lambda route: route.continue_())
    page.get_by_label("Upload a police feed file").set_input_files(path)
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(JOB_PAGE)
    assert_accessible(page)

    tasks.run_import_job(ImportJob.objects.get().pk)

    page.get_by_role("heading", name="The file was refused").wait_for()
    expect(page.get_by_text("The file is not UTF-8 text")).to_be_visible()
    assert_accessible(page)
