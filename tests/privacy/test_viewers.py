"""Who has viewed this record, in full (security battery H9): a manager reads every read of a
child over any dates, on a page or as CSV, and a data protection officer's search does the same;
reading the log is logged too."""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.urls import reverse

from organisations.roles import Role
from privacy.models import AccessKind, AccessLogEntry
from tests.factories import person

pytestmark = pytest.mark.django_db

UK = zoneinfo.ZoneInfo("Europe/London")


def reads(world, child, moments, **fields):
    return AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                at=moment,
                user=world.coordinator_a,
                organisation="Manchester children's services (Missing hub coordinator)",
                kind=AccessKind.VIEW,
                what="child record",
                path=child.get_absolute_url(),
                child_id=child.pk,
                **fields,
            )
            for moment in moments
        ]
    )


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def summer(world):
    """30 reads of C1 in June and July 2026; one at 23:30 UTC on 30 June, which is 00:30 on
    1 July in the UK."""
    start = datetime.datetime(2026, 6, 16, 9, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(days=day) for day in range(29)]
    moments.append(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC))
    return reads(world, world.c1, moments)


def test_a_manager_sees_every_read_not_only_the_latest_20(client, world, summer):
    client.force_login(world.manager_a)
    child_page = client.get(world.c1.get_absolute_url()).content.decode()
    assert reverse("privacy:child_viewers", args=[world.c1.pk]) in child_page
    response = client.get(reverse("privacy:child_viewers", args=[world.c1.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "31 reads" in body  # the 30, and the manager's own look at the child's page just now
    assert body.count("Cora Ordinator") == 30 and body.count(world.manager_a.full_name) >= 2  # header and her read


def test_the_dates_are_uk_days_and_both_ends_count(client, world, summer):
    client.force_login(world.manager_a)
    url = reverse("privacy:child_viewers", args=[world.c1.pk])
    july = client.get(url, {"since": "2026-07-01", "until": "2026-07-01"})
    entries = list(july.context["page_obj"].object_list)
    assert [entry.at.astimezone(UK).date() for entry in entries] == [datetime.date(2026, 7, 1)] * 2
    assert entries[-1].at == datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # 00:30 in the UK
    june = client.get(url, {"since": "2026-06-16", "until": "2026-06-30"})
    assert june.context["page_obj"].paginator.count == 15


def test_the_reads_download_as_csv_safe_for_spreadsheets_and_the_download_is_logged(client, world, summer):
    reads(world, world.c1, [datetime.datetime(2026, 7, 2, 12, tzinfo=datetime.UTC)], reason="=HYPERLINK(1)")
    client.force_login(world.manager_a)
    response = client.get(
        reverse("privacy:child_viewers", args=[world.c1.pk]),
        {"since": "2026-07-01", "until": "2026-07-31", "format": "csv"},
    )
    rows = csv_rows(response)
    assert len(rows) == 16  # 14 days at 09:00 UTC, 00:30 on 1 July and the one at noon on 2 July
    assert rows[0]["When (UK time)"] == "2026-07-14 10:00:00"  # newest first, 09:00 UTC in BST
    assert rows[0]["Who"] == "Cora Ordinator" and rows[0]["Email"] == world.coordinator_a.email
    assert "'=HYPERLINK(1)" in [row["Reason"] for row in rows]
    exported = AccessLogEntry.objects.filter(user=world.manager_a, kind=AccessKind.EXPORT).get()
    assert (exported.what, exported.child_id) == ("who viewed this record (CSV)", world.c1.pk)


def test_a_to_date_before_the_from_date_is_refused_clearly(client, world, summer):
    client.force_login(world.manager_a)
    response = client.get(
        reverse("privacy:child_viewers", args=[world.c1.pk]), {"since": "2026-07-10", "until": "2026-07-01"}
    )
    assert "The ‘to’ date must be the same as or after the ‘from’ date." in response.content.decode()
    assert response.context["page_obj"] is None


def test_only_managers_in_the_childs_scope_see_who_viewed(client, world, summer):
    url = reverse("privacy:child_viewers", args=[world.c1.pk])
    client.force_login(world.coordinator_a)
    assert client.get(url).status_code == 403
    client.force_login(person(Role.MANAGER, world.council_b))
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "csv"}).status_code == 404


def test_the_officers_search_takes_dates_and_downloads_as_csv(client, world, summer):
    officer = person(Role.DATA_PROTECTION_OFFICER, world.council_a)
    client.force_login(officer)
    query = {"child": world.c1.pk, "since": "2026-07-01", "until": "2026-07-05"}
    page = client.get(reverse("privacy:access_log"), query)
    assert page.context["page_obj"].paginator.count == 6  # 09:00 UTC each day, and 00:30 on 1 July
    assert "format=csv" in page.content.decode()
    rows = csv_rows(client.get(reverse("privacy:access_log"), {**query, "format": "csv"}))
    assert len(rows) == 6 and {row["Child"] for row in rows} == {str(world.c1.pk)}
    assert AccessLogEntry.objects.filter(user=officer, kind=AccessKind.EXPORT, what="access log search (CSV)").exists()
