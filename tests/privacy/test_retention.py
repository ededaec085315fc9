"""Retention (security battery D2): a child's record is kept to the 75th birthday when the child
was ever looked after and to the 25th otherwise (or the authority's own rule); each month the
council's managers and data protection officers get the list of records past their date; a
legal hold keeps a record; a manager confirms a deletion, which removes the child, everything
held on them and its history, and leaves an erasure record without content."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children.models import Child, ChildAlias, LegalStatus
from episodes.models import Episode
from interviews.models import InterviewRecord, Notification, ReturnInterview
from organisations.roles import Role
from privacy import retention
from privacy.models import (
    AccessKind,
    AccessLogEntry,
    AppendOnly,
    ErasureRecord,
    LegalHold,
    RetentionReview,
    RetentionRule,
    SharingRecord,
)
from risk.models import RiskAssessment
from risk.services import assessment_start
from tests.factories import make_child, make_episode, person
from tests.interviews.conftest import authorised, returned_interview

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def dob(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def aged(child: Child, *, years: int, days_past: int = 1) -> Child:
    """Make the child `years` old `days_past` days ago (records past the 25th birthday are older
    than any child Homeward takes on, so the date of birth is set straight)."""
    born = retention.nth_birthday(TODAY(), -years) - datetime.timedelta(days=days_past)
    Child.objects.filter(pk=child.pk).update(date_of_birth=born)
    child.refresh_from_db()
    return child


@pytest.fixture
def officer(world):
    return person(Role.DATA_PROTECTION_OFFICER, world.council_a, full_name="Dana Protection")


@pytest.fixture
def manager_b(world):
    return person(Role.MANAGER, world.council_b, full_name="Morag Stockport")


@pytest.fixture
def past(world):
    """A child of LA-A, never looked after, whose 25th birthday was yesterday."""
    child = make_child(responsible=world.la_a, given_name="Zebedee", family_name="Quillfeather")
    return aged(child, years=25)


# --- The schedule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "looked_after", "kept_until"),
    [
        ("2001-06-15", False, "2026-06-15"),
        ("2001-06-15", True, "2076-06-15"),
        ("2000-02-29", False, "2025-03-01"),
        ("2000-02-29", True, "2075-03-01"),
        ("2004-02-29", False, "2029-03-01"),
        ("2004-02-29", True, "2079-03-01"),
    ],
)
def test_looked_after_records_to_the_75th_birthday_others_to_the_25th_a_leap_day_on_1_march(
    world, born, looked_after, kept_until
):
    found = retention.retention_of(
        date_of_birth=dob(born),
        looked_after=looked_after,
        authority_id=world.la_a.pk,
        rules=retention.rules_by_authority(),
    )
    assert found.retain_until == dob(kept_until)
    assert found.rule.keep_until_birthday == (75 if looked_after else 25)
    assert found.rule.local_authority is None


def test_a_record_is_due_on_the_birthday_not_the_day_before():
    rule = RetentionRule.objects.get(looked_after=False, local_authority=None)
    due = retention.Retention(rule=rule, retain_until=dob("2026-06-15"))
    assert not due.reached(dob("2026-06-14"))
    assert due.reached(dob("2026-06-15"))


def test_a_child_looked_after_at_any_time_keeps_the_75_year_rule(world):
    child = make_child(responsible=world.la_a, legal_status=LegalStatus.LOOKED_AFTER_S20)
    child.legal_status = LegalStatus.NONE
    child.save()
    assert retention.child_retention(child).rule.keep_until_birthday == 75
    assert retention.child_retention(world.c1).rule.keep_until_birthday == 25  # child in need only
    leaver = make_child(responsible=world.la_a, legal_status=LegalStatus.CARE_LEAVER)
    assert retention.child_retention(leaver).rule.keep_until_birthday == 75


def test_an_authoritys_own_rule_overrides_the_default_for_its_children_only(world):
    own = RetentionRule.objects.create(looked_after=False, keep_until_birthday=30, local_authority=world.la_a)
    assert retention.child_retention(world.c1).rule == own
    assert retention.child_retention(world.c1).retain_until == retention.nth_birthday(world.c1.date_of_birth, 30)
    assert retention.child_retention(world.c3).rule.keep_until_birthday == 25  # LA-B: the default
    assert str(own) == "Other children’s records to the 30th birthday (Manchester)"


# --- The monthly review --------------------------------------------------------------------------


def test_the_monthly_review_lists_only_records_past_their_date_skips_held_ones_and_tells_the_council(
    world, officer, manager_b
):
    due = aged(make_child(responsible=world.la_a), years=25)
    looked_after_young = aged(make_child(responsible=world.la_a, legal_status=LegalStatus.CARE_LEAVER), years=25)
    looked_after_old = aged(make_child(responsible=world.la_a, legal_status=LegalStatus.LOOKED_AFTER_S20), years=75)
    not_yet = aged(make_child(responsible=world.la_a), years=25, days_past=-1)
    held = aged(make_child(responsible=world.la_a), years=30)
    retention.legal_hold_place(child=held, by=world.manager_a, reason="Claim against the council")
    other_council = aged(make_child(responsible=world.la_b), years=26)

    (review_a, review_b) = sorted(retention.retention_reviews_make(), key=lambda r: r.local_authority.name)

    assert review_a.local_authority == world.la_a and review_a.month == TODAY().replace(day=1)
    listed = {e.child_id: e for e in review_a.entries.all()}
    assert set(listed) == {due.pk, looked_after_old.pk}
    assert looked_after_young.pk not in listed and not_yet.pk not in listed and held.pk not in listed
    assert listed[looked_after_old.pk].rule.keep_until_birthday == 75
    assert [e.child_id for e in review_b.entries.all()] == [other_council.pk]
    told = Notification.objects.filter(kind="retention_review")
    assert {n.user for n in told if n.link == reverse("privacy:retention_review")} == {
        world.manager_a,
        officer,
        manager_b,
    }
    assert "2 children’s records are past the retention date" in told.get(user=officer).message
    assert due.family_name not in told.get(user=officer).message


def test_running_the_review_twice_in_a_month_makes_one_review_and_tells_people_once(world, past):
    assert len(retention.retention_reviews_make()) == 2  # LA-A and LA-B
    assert retention.retention_reviews_make() == []
    assert RetentionReview.objects.filter(local_authority=world.la_a).count() == 1
    assert Notification.objects.filter(kind="retention_review", user=world.manager_a).count() == 1


def test_the_review_runs_from_celery_beat_on_the_first_of_the_month(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["make-retention-reviews"]
    assert entry["task"] == "privacy.tasks.make_retention_reviews"
    assert entry["schedule"].day_of_month == {1}


# --- The pages -----------------------------------------------------------------------------------


def test_the_review_page_shows_the_list_the_rule_the_date_and_a_hold(client, world, officer, past):
    retention.retention_reviews_make()
    client.force_login(officer)
    assert reverse("privacy:retention_review") in client.get(reverse("home")).content.decode()
    page = client.get(reverse("privacy:retention_review")).content.decode()
    assert past.full_name in page and "Other children’s records to the 25th birthday (default)" in page
    assert f"{retention.nth_birthday(past.date_of_birth, 25):%-d %b %Y}" in page
    assert AccessLogEntry.objects.filter(user=officer, child_id=past.pk, what="retention review").exists()
    retention.legal_hold_place(child=past, by=officer, reason="Public inquiry")
    assert "Legal hold" in client.get(reverse("privacy:retention_review")).content.decode()


@pytest.mark.parametrize("persona", ["coordinator_a", "social_worker_a", "analyst_a", "police_f1", "admin"])
def test_only_managers_and_data_protection_officers_reach_the_review(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("privacy:retention_review")).status_code == 403


def test_another_councils_manager_gets_404_on_every_page_and_changes_nothing(client, world, manager_b, past):
    client.force_login(manager_b)
    for route in ("retention_child", "retention_hold", "retention_lift_hold", "retention_delete"):
        url = reverse(f"privacy:{route}", args=[past.pk])
        assert client.get(url).status_code == 404, route
        assert client.post(url, {"reason": "Past its date"}).status_code == 404, route
    assert Child.objects.filter(pk=past.pk).exists() and not LegalHold.objects.exists()
    assert not ErasureRecord.objects.exists()
    refused = AccessLogEntry.objects.filter(user=manager_b, kind=AccessKind.REFUSED, child_id=past.pk)
    assert refused.count() == 8
    assert past.full_name not in client.get(reverse("privacy:retention_review")).content.decode()


def test_a_hold_is_placed_and_lifted_with_a_reason_and_its_history_kept(client, world, past):
    client.force_login(world.manager_a)
    response = client.post(reverse("privacy:retention_hold", args=[past.pk]), {"reason": ""})
    assert "Enter the reason for the legal hold" in response.content.decode()
    response = client.post(reverse("privacy:retention_hold", args=[past.pk]), {"reason": "x" * 501})
    assert "The reason must be 500 characters or fewer" in response.content.decode()
    assert not LegalHold.objects.exists()

    client.post(reverse("privacy:retention_hold", args=[past.pk]), {"reason": "Claim against the council"})
    hold = LegalHold.objects.get()
    assert (hold.placed_by, hold.reason, hold.in_force) == (world.manager_a, "Claim against the council", True)
    page = client.get(reverse("privacy:retention_child", args=[past.pk])).content.decode()
    assert "Claim against the council" in page and "Confirm deletion" not in page

    client.post(reverse("privacy:retention_lift_hold", args=[past.pk]), {"reason": "Claim settled"})
    hold.refresh_from_db()
    assert hold.lifted_by == world.manager_a and hold.lift_reason == "Claim settled"
    assert [h.history_change_reason for h in hold.history.order_by("history_date")] == ["Placed", "Lifted"]
    assert "Confirm deletion" in client.get(reverse("privacy:retention_child", args=[past.pk])).content.decode()


# --- Deletion refused ----------------------------------------------------------------------------


def unchanged(child: Child) -> bool:
    return Child.objects.filter(pk=child.pk).exists() and not ErasureRecord.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "coordinator_a", "social_worker_a"])
def test_only_a_manager_confirms_a_deletion(client, world, officer, past, persona):
    user = officer if persona == "officer" else getattr(world, persona)
    with pytest.raises(PermissionDenied):
        retention.child_erase(child=past, by=user, reason="Past its retention date")
    client.force_login(user)
    response = client.post(reverse("privacy:retention_delete", args=[past.pk]), {"reason": "Past its date"})
    assert response.status_code == (403 if persona == "officer" else 404)
    assert unchanged(past)


def test_a_held_record_cannot_be_deleted(client, world, past):
    retention.legal_hold_place(child=past, by=world.manager_a, reason="Police investigation")
    client.force_login(world.manager_a)
    response = client.post(reverse("privacy:retention_delete", args=[past.pk]), {"reason": "Past its date"})
    assert "under a legal hold" in response.content.decode() and response.status_code == 400
    assert unchanged(past)


def test_a_record_before_its_date_cannot_be_deleted(client, world):
    client.force_login(world.manager_a)
    response = client.post(reverse("privacy:retention_delete", args=[world.c1.pk]), {"reason": "No longer needed"})
    kept_until = retention.child_retention(world.c1).retain_until
    assert f"This record is kept until {kept_until:%-d %B %Y}" in response.content.decode()
    assert unchanged(world.c1)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter the reason for deleting this record"),
        ("   ", "Enter the reason for deleting this record"),
        ("x" * 501, "The reason must be 500 characters or fewer"),
        ("Zebedee's record is past its date", "Leave the child’s name out of the reason"),
    ],
)
def test_a_missing_overlong_or_naming_reason_says_what_is_wrong_and_deletes_nothing(
    client, world, past, reason, message
):
    client.force_login(world.manager_a)
    response = client.post(reverse("privacy:retention_delete", args=[past.pk]), {"reason": reason})
    assert message in response.content.decode()
    assert unchanged(past)
    with pytest.raises(ValidationError):
        retention.child_erase(child=past, by=world.manager_a, reason=reason)
    assert unchanged(past)


# --- Deletion ------------------------------------------------------------------------------------


def test_a_confirmed_deletion_removes_the_record_and_its_history_keeps_the_access_log_and_leaves_a_tombstone(
    client, world
):
    past = make_child(responsible=world.la_a, given_name="Zebedee", family_name="Quillfeather")
    interview = authorised(world, returned_interview(world, past))
    make_episode(child=past)
    assessment_start(child=past, by=world.social_worker_a)
    ChildAlias.objects.create(child=past, name="Zeb")
    past = aged(past, years=25)
    episode_ids = list(Episode.objects.filter(child=past).values_list("pk", flat=True))
    client.force_login(world.coordinator_a)
    client.get(past.get_absolute_url())
    others = Episode.objects.filter(child=world.c1).count(), Child.history.filter(id=world.c1.pk).count()

    client.force_login(world.manager_a)
    page = client.get(reverse("privacy:retention_delete", args=[past.pk]))
    assert "Delete this record permanently" in page.content.decode()
    response = client.post(reverse("privacy:retention_delete", args=[past.pk]), {"reason": "Past its date"})
    assert response.status_code == 302 and response.url == reverse("privacy:retention_review")

    assert not Child.objects.filter(pk=past.pk).exists()
    assert not Child.history.filter(id=past.pk).exists()
    assert not Episode.objects.filter(pk__in=episode_ids).exists()
    assert not Episode.history.filter(id__in=episode_ids).exists()
    assert not ReturnInterview.history.filter(id=interview.pk).exists()
    assert not InterviewRecord.history.filter(interview_id=interview.pk).exists()
    assert not RiskAssessment.history.filter(child_id=past.pk).exists()
    assert not SharingRecord.history.filter(child_id=past.pk).exists()
    assert not ChildAlias.history.filter(child_id=past.pk).exists()
    assert (Episode.objects.filter(child=world.c1).count(), Child.history.filter(id=world.c1.pk).count()) == others
    assert AccessLogEntry.objects.filter(child_id=past.pk, user=world.coordinator_a).exists()

    erasure = ErasureRecord.objects.get()
    assert (erasure.child_id, erasure.erased_by, erasure.local_authority) == (past.pk, world.manager_a, world.la_a)
    assert erasure.rule.keep_until_birthday == 25
    assert erasure.retain_until == retention.nth_birthday(past.date_of_birth, 25)
    assert erasure.counts["children.Child"] == 1 and erasure.counts["episodes.Episode"] == 2
    assert erasure.counts["interviews.ReturnInterview"] >= 1 and erasure.counts["children.HistoricalChild"] >= 2
    # Nothing anywhere in the database still names the child.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert "Quillfeather" not in dump.getvalue() and "Zebedee" not in dump.getvalue()


def test_the_erasure_log_cannot_be_changed_or_deleted_through_the_application(world, past):
    erasure = retention.child_erase(child=past, by=world.manager_a, reason="Past its retention date")
    erasure.reason = "nothing happened"
    for attempt in (
        erasure.save,
        erasure.delete,
        lambda: ErasureRecord.objects.update(reason="x"),
        lambda: ErasureRecord.objects.all().delete(),
    ):
        with pytest.raises(AppendOnly):
            attempt()
    assert ErasureRecord.objects.get().reason == "Past its retention date"


@pytest.mark.postgres
def test_on_postgresql_the_database_itself_refuses_to_change_the_erasure_log(world, past):
    retention.child_erase(child=past, by=world.manager_a, reason="Past its retention date")
    for statement in ("UPDATE privacy_erasurerecord SET reason = 'x'", "DELETE FROM privacy_erasurerecord"):
        with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert ErasureRecord.objects.get().reason == "Past its retention date"


def test_the_admin_shows_the_erasure_log_read_only(client, world, past):
    retention.child_erase(child=past, by=world.manager_a, reason="Past its retention date")
    client.force_login(world.admin)
    erasure = ErasureRecord.objects.get()
    assert client.get(reverse("admin:privacy_erasurerecord_changelist")).status_code == 200
    assert (
        client.post(reverse("admin:privacy_erasurerecord_delete", args=[erasure.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert ErasureRecord.objects.filter(pk=erasure.pk).exists()


def test_the_review_page_makes_the_same_queries_for_10_and_100_records(client, world):
    """Sign-in and session, the reader's memberships and their councils' authorities, the reviews
    with their entries, rules and authorities, the children, the erasures, the holds, and one
    insert into the access log: never a query per record."""
    client.force_login(world.manager_a)
    client.get(reverse("privacy:retention_review"))  # the first request of a session does more
    counts = []
    for size in (10, 100):
        RetentionReview.objects.all().delete()
        for _ in range(size - Child.objects.filter(responsible_authority=world.la_a).count() + 1):
            aged(make_child(responsible=world.la_a), years=26)
        retention.retention_reviews_make()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("privacy:retention_review"))
        assert page.content.decode().count("Awaiting a manager’s decision") == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
