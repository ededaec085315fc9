"""The statutory returns page: who has it, what it downloads, and the log of every download."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from reporting.models import ExportKind, ExportLog
from reporting.ssda903 import ANNEX_A_COLUMNS
from tests.reporting.ssda903_cases import YEAR, build_cases, expected_missing_rows

pytestmark = pytest.mark.django_db
URL = "/reporting/exports/"


def test_the_page_lives_at_reporting_exports():
    assert reverse("exports:exports") == URL


@pytest.mark.parametrize("who", ["social_worker_a", "police_f1", "rhi_worker", "analyst_a", "iro_a"])
def test_anyone_but_a_councils_coordinators_and_managers_gets_404(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"export": "ssda903", "year": YEAR, "ssda903_authority": world.la_a.pk}).status_code == 404
    assert not ExportLog.objects.exists()


def test_a_manager_downloads_the_ssda903_tables_of_their_authority(client, world):
    cases = build_cases(world)
    client.force_login(world.manager_a)
    assert "Statutory returns" in client.get(URL).content.decode()

    response = client.post(URL, {"export": "ssda903", "year": YEAR, "ssda903_authority": world.la_a.pk})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="SSDA903_2025-26_E08000003.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["Header.csv", "Missing.csv"]
    missing = list(csv.reader(io.StringIO(archive.read("Missing.csv").decode())))
    assert missing[1:] == expected_missing_rows(cases)
    log = ExportLog.objects.get()
    assert (log.kind, log.user, log.made_by, log.collection_year) == (
        ExportKind.SSDA903,
        world.manager_a,
        "Mandy Manager",
        YEAR,
    )
    assert "Mandy Manager" in client.get(URL).content.decode()


def test_a_coordinator_cannot_export_another_authority_and_nothing_is_logged(client, world):
    client.force_login(world.coordinator_a)
    response = client.post(URL, {"export": "ssda903", "year": YEAR, "ssda903_authority": world.la_b.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_the_coordinator_of_another_council_sees_none_of_its_children(client, world):
    build_cases(world)
    client.force_login(world.coordinator_b)
    response = client.post(URL, {"export": "ssda903", "year": YEAR, "ssda903_authority": world.la_b.pk})
    missing = zipfile.ZipFile(io.BytesIO(response.content)).read("Missing.csv").decode()
    # Stockport's own looked-after child, placed in Manchester, and no Manchester child.
    assert [row[0] for row in csv.reader(io.StringIO(missing))][1:] == [str(world.c4.pk)]


def test_a_coordinator_downloads_the_annex_a_list_8_columns(client, world):
    build_cases(world)
    client.force_login(world.coordinator_a)
    response = client.post(URL, {"export": "annex_a", "annex_a_authority": world.la_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ANNEX_A_COLUMNS
    assert ExportLog.objects.get().kind == ExportKind.ANNEX_A_LIST_8


def _log_exports(world, count):
    for _ in range(count):
        log = ExportLog.objects.create(kind=ExportKind.SSDA903, user=world.manager_a, made_by="Mandy Manager")
        log.local_authorities.set([world.la_a])


def _queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_recent_downloads_cost_the_same_queries_for_2_or_20_rows(client, world):
    # Session, user and MFA, the user's memberships and authorities, the downloads with their
    # people, and their authorities in one more: the same however many rows.
    client.force_login(world.manager_a)
    _log_exports(world, 2)
    _queries(client)  # the first request after signing in also renews the session
    few = _queries(client)
    _log_exports(world, 18)
    assert _queries(client) == few


def test_a_child_who_cannot_be_returned_is_named_in_the_zip_not_dropped_silently(client, world):
    from tests.reporting.ssda903_cases import lac_child, police

    unknown = lac_child(world, "Uma", date_of_birth=None)
    police(unknown, "2025-10-10T10:00", "2025-10-10T20:00")
    client.force_login(world.coordinator_a)
    response = client.post(URL, {"export": "ssda903", "year": YEAR, "ssda903_authority": world.la_a.pk})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    note = archive.read("Children left out.txt").decode()
    assert f"{unknown.pk}  Uma Testcase: no date of birth" in note
    assert str(unknown.pk) not in archive.read("Missing.csv").decode()
