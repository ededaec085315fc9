"""The access log: every read of a child's data writes exactly one append-only row (who, for
which organisation, what, when, request id), a manager sees who viewed a child, and a data
protection officer searches it."""

import uuid

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse
from django.utils import timezone

from organisations.roles import Role
from privacy import partitions
from privacy.models import AccessKind, AccessLogEntry, AppendOnly
from tests.factories import make_episode, person
from tests.interviews.conftest import authorised, returned_interview

pytestmark = pytest.mark.django_db


def read(client, user, url, **headers):
    client.force_login(user)
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response


def test_viewing_a_child_writes_one_row_naming_who_for_whom_and_the_request(client, world):
    response = read(client, world.coordinator_a, world.c1.get_absolute_url())

    (entry,) = AccessLogEntry.objects.all()
    assert entry.user == world.coordinator_a
    assert entry.organisation == "Manchester children's services (Missing hub coordinator)"
    assert (entry.kind, entry.what, entry.child_id, entry.episode_id) == ("view", "child record", world.c1.pk, None)
    assert entry.path == world.c1.get_absolute_url()
    assert str(entry.request_id) == response["X-Request-ID"]


def test_an_episode_page_is_one_row_however_many_parts_show_the_child(client, world):
    interview = returned_interview(world, world.c1)
    episode = interview.episodes.get()
    read(client, world.coordinator_a, episode.get_absolute_url())  # the page draws the interview too

    (entry,) = AccessLogEntry.objects.all()
    assert (entry.what, entry.child_id, entry.episode_id) == ("episode", world.c1.pk, episode.pk)


def test_a_page_refused_to_the_role_reads_nothing_and_writes_nothing(client, world):
    client.force_login(world.analyst_a)
    assert client.get(reverse("weekly_meeting_list")).status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_api_reads_are_logged_for_each_child_a_list_shows_and_for_one_record(client, world):
    episode = make_episode(child=world.c1)
    make_episode(child=world.c1)
    make_episode(child=world.c4)
    listed = read(client, world.coordinator_a, reverse("api-episodes-list"))
    read(client, world.coordinator_a, reverse("api-episodes-detail", args=[episode.pk]))

    rows = list(AccessLogEntry.objects.order_by("id"))
    in_list = [r for r in rows if str(r.request_id) == listed["X-Request-ID"]]
    assert sorted(r.child_id for r in in_list) == sorted([world.c1.pk, world.c4.pk])  # one row per child
    assert {(r.kind, r.what) for r in in_list} == {("api", "list of episodes")}
    one = rows[-1]
    assert (one.kind, one.what, one.child_id, one.episode_id) == ("api", "episode", world.c1.pk, episode.pk)
    assert one.ip == "127.0.0.1"


def test_pdf_downloads_and_the_printable_list_are_logged_as_such(client, world):
    interview = authorised(world, returned_interview(world, world.c1))
    read(client, world.social_worker_a, reverse("interviews:pdf", args=[interview.pk]))
    # The week the child came back in (early on a Monday, that may have been last week).
    week = timezone.localdate(interview.returned_at).isoformat()
    read(client, world.coordinator_a, reverse("weekly_meeting_list") + f"?week={week}")

    pdf, printed = AccessLogEntry.objects.order_by("id")
    assert (pdf.kind, pdf.child_id) == (AccessKind.PDF, world.c1.pk)
    assert printed.kind == AccessKind.PRINT and printed.what.startswith("weekly missing meeting list")
    assert printed.child_id == world.c1.pk  # the child on the list


def test_a_request_id_set_in_front_of_the_application_is_kept(client, world):
    request_id = uuid.uuid4()
    response = read(client, world.coordinator_a, world.c1.get_absolute_url(), HTTP_X_REQUEST_ID=str(request_id))
    assert response["X-Request-ID"] == str(request_id)
    assert AccessLogEntry.objects.get().request_id == request_id


def test_the_application_cannot_change_or_delete_the_log(client, world):
    read(client, world.coordinator_a, world.c1.get_absolute_url())
    entry = AccessLogEntry.objects.get()
    entry.what = "nothing to see"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AccessLogEntry.objects.update(what="nothing")
    with pytest.raises(AppendOnly):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get().what == "child record"


@pytest.mark.postgres
def test_on_postgresql_the_database_itself_refuses_update_and_delete(client, world):
    read(client, world.coordinator_a, world.c1.get_absolute_url())
    for statement in ("UPDATE privacy_accesslogentry SET what = 'x'", "DELETE FROM privacy_accesslogentry"):
        with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AccessLogEntry.objects.get().what == "child record"


@pytest.mark.postgres
def test_on_postgresql_rows_land_in_their_months_partition(client, world):
    partitions.ensure_month_partitions(timezone.now())
    assert partitions.ensure_month_partitions(timezone.now()) == []  # made once
    read(client, world.coordinator_a, world.c1.get_absolute_url())
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM privacy_accesslogentry")
        (table,) = cursor.fetchone()
    assert table == partitions.partition_name(timezone.now().date().replace(day=1))


def test_a_manager_sees_who_has_viewed_the_record_and_others_do_not(client, world):
    read(client, world.coordinator_a, world.c1.get_absolute_url())

    page = read(client, world.manager_a, world.c1.get_absolute_url()).content.decode()
    viewers = page[page.index("Who has viewed this record") :]
    assert "Cora Ordinator" in viewers and "Viewed a page: child record" in viewers
    assert (
        "Who has viewed this record"
        not in read(client, world.social_worker_a, world.c1.get_absolute_url()).content.decode()
    )


@pytest.fixture
def officer(world):
    return person(Role.DATA_PROTECTION_OFFICER, world.council_a, full_name="Dana Protection")


def test_a_data_protection_officer_searches_by_person_and_by_child(client, world, officer):
    read(client, world.coordinator_a, world.c1.get_absolute_url())
    read(client, world.social_worker_a, world.c4.get_absolute_url())
    read(client, world.coordinator_b, world.c3.get_absolute_url())  # LA-B's child, LA-B's person

    by_person = read(client, officer, reverse("privacy:access_log"), data={"user": world.coordinator_a.email})
    assert "1 read</h2>" in by_person.content.decode() and "Chloe Ashdown" in by_person.content.decode()
    by_child = read(client, officer, reverse("privacy:access_log"), data={"child": world.c4.pk}).content.decode()
    assert "Sophie Worker" in by_child and "Cora Ordinator" not in by_child
    everything = read(client, officer, reverse("privacy:access_log"), data={"user": "", "child": ""}).content.decode()
    assert "Callum Brennan" not in everything  # another council's child, read by its own people
    assert "Who has viewed" not in everything and not officer.has_role(Role.COORDINATOR)


def test_the_officer_reads_the_log_not_the_records_and_nobody_else_searches_it(client, world, officer):
    assert reverse("privacy:access_log") in read(client, officer, reverse("home")).content.decode()
    client.force_login(officer)
    assert client.get(world.c1.get_absolute_url()).status_code == 404
    for user in (world.manager_a, world.admin, world.coordinator_a):
        client.force_login(user)
        assert client.get(reverse("privacy:access_log")).status_code == 403


def test_a_refused_read_of_an_existing_record_is_logged_but_a_made_up_id_is_not(client, world):
    episode = make_episode(child=world.c1)
    client.force_login(world.coordinator_b)  # LA-B: Chloe is LA-A's

    assert client.get(world.c1.get_absolute_url()).status_code == 404
    assert client.get(episode.get_absolute_url()).status_code == 404
    assert client.get(reverse("api-episodes-detail", args=[episode.pk])).status_code == 404
    assert client.get(reverse("children:detail", args=[999999])).status_code == 404

    rows = list(AccessLogEntry.objects.order_by("id"))
    assert [(r.kind, r.user, r.child_id) for r in rows] == [(AccessKind.REFUSED, world.coordinator_b, world.c1.pk)] * 3
    assert rows[1].episode_id == episode.pk and rows[2].path == reverse("api-episodes-detail", args=[episode.pk])


def test_lists_and_the_home_page_log_each_child_they_name_once(client, world):
    make_episode(child=world.c1)
    make_episode(child=world.c1)
    make_episode(child=world.c4)
    listed = read(client, world.coordinator_a, reverse("episodes:list"))
    home = read(client, world.coordinator_a, reverse("home"))  # children missing now: both

    for response, what in ((listed, "list of episodes"), (home, "home page")):
        rows = AccessLogEntry.objects.filter(request_id=response["X-Request-ID"])
        assert sorted(rows.values_list("child_id", flat=True)) == sorted([world.c1.pk, world.c4.pk])
        assert set(rows.values_list("what", flat=True)) == {what}


def test_each_row_of_a_list_keeps_the_requests_time_address_path_and_organisation(client, world):
    make_episode(child=world.c1)
    make_episode(child=world.c4)
    before = timezone.now()
    response = read(client, world.coordinator_a, reverse("episodes:list"), REMOTE_ADDR="203.0.113.9")

    rows = AccessLogEntry.objects.filter(request_id=response["X-Request-ID"])
    assert sorted(row.child_id for row in rows) == sorted([world.c1.pk, world.c4.pk])
    assert {(row.ip, row.path, row.organisation, row.user_id, row.kind, row.reason) for row in rows} == {
        (
            "203.0.113.9",
            reverse("episodes:list"),
            "Manchester children's services (Missing hub coordinator)",
            world.coordinator_a.pk,
            "view",
            "",
        )
    }
    assert all(before <= row.at <= timezone.now() for row in rows)
