"""Subject access: a data protection officer opens a request for a child, due one calendar
month after it was received, marks third parties to redact, generates everything held with its
history as JSON and a PDF, downloads them (logged) and completes the request."""

import datetime
import json

import pytest
from django.urls import reverse

from organisations.roles import Role
from privacy import subject_access as sa
from privacy.models import AccessLogEntry, SubjectAccessRequest
from tests.factories import make_episode, person
from tests.interviews.conftest import authorised, returned_interview
from tests.interviews.test_pdf import poppler

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-01-31", "2026-02-28"),
        ("2026-03-15", "2026-04-15"),
        ("2026-03-31", "2026-04-30"),
        ("2028-01-31", "2028-02-29"),
        ("2026-12-31", "2027-01-31"),
        ("2026-02-28", "2026-03-28"),
    ],
)
def test_due_one_calendar_month_later_or_the_last_day_of_a_shorter_month(received, due):
    assert sa.subject_access_due(datetime.date.fromisoformat(received)) == datetime.date.fromisoformat(due)


@pytest.fixture
def officer(world):
    return person(Role.DATA_PROTECTION_OFFICER, world.council_a, full_name="Dana Protection")


def open_request(officer, child, **fields):
    return sa.subject_access_request_open(
        child=child,
        by=officer,
        requested_by=fields.get("requested_by", "The child"),
        received_on=datetime.date(2026, 11, 2),
    )


def test_the_bundle_holds_every_record_type_with_history_and_the_disclosure_log(world, officer, client):
    interview = authorised(world, returned_interview(world, world.c1))
    client.force_login(world.coordinator_a)
    client.get(world.c1.get_absolute_url())
    sar = sa.subject_access_generate(sar=open_request(officer, world.c1), by=officer)

    bundle = json.loads(bytes(sar.bundle_json))
    assert bundle["child"]["fields"]["family_name"] == world.c1.family_name
    assert bundle["child"]["history"][0]["kind"] == "created"
    (episode,) = bundle["episodes"]
    assert episode["id"] == interview.episodes.get().pk and episode["history"]
    (rhi,) = bundle["return_interviews"]
    assert rhi["record"]["fields"]["child_words"] and rhi["history"]
    assert {"risk_assessments", "escalations", "meetings", "sharing_records"} <= set(bundle)
    assert [e["who"] for e in bundle["disclosure_log"]] == [str(world.coordinator_a)]
    assert bundle["generated_at"].endswith("Z")
    assert sar.due_on == datetime.date(2026, 12, 2)


def test_marked_names_and_third_party_fields_are_redacted_in_json_and_pdf(world, officer):
    interview = authorised(world, returned_interview(world, world.c1))
    record = interview.record
    record.present = "Aunt Maureen Halloran"
    record.child_words = "I stayed with Jez Parkin at his flat."
    record.save()
    world.c1.associates = "Kyle Brannigan"
    world.c1.save()
    sar = open_request(officer, world.c1)
    sar = sa.subject_access_redaction_add(sar=sar, by=officer, phrase="  jez   parkin ")
    sar = sa.subject_access_generate(sar=sar, by=officer)

    text = bytes(sar.bundle_json).decode()
    pdf = " ".join(poppler("pdftotext", bytes(sar.bundle_pdf)).split())
    for output in (text, pdf):
        assert "Parkin" not in output and "Maureen" not in output and "Brannigan" not in output
        assert "[redacted: third party]" in output
        assert "I stayed with [redacted: third party] at his flat." in output
    assert world.c1.family_name in pdf
    assert "Tagged: yes" in " ".join(poppler("pdfinfo", bytes(sar.bundle_pdf)).split())


def test_a_child_with_50_episodes_generates(world, officer):
    for _ in range(50):
        make_episode(child=world.c1)
    sar = sa.subject_access_generate(sar=open_request(officer, world.c1), by=officer)
    assert len(json.loads(bytes(sar.bundle_json))["episodes"]) == 50
    assert bytes(sar.bundle_pdf).startswith(b"%PDF")


def test_the_officer_opens_generates_downloads_and_completes_and_each_download_is_logged(client, world, officer):
    client.force_login(officer)
    assert reverse("privacy:subject_access_list") in client.get(reverse("home")).content.decode()
    found = client.get(reverse("privacy:subject_access_new"), {"q": world.c1.given_name}).content.decode()
    assert world.c1.full_name in found and world.c3.full_name not in found
    response = client.post(
        reverse("privacy:subject_access_new"),
        {"child": world.c1.pk, "requested_by": "Her mother", "received_on": "2026-11-02"},
    )
    sar = SubjectAccessRequest.objects.get()
    assert response.url == sar.get_absolute_url() and sar.due_on == datetime.date(2026, 12, 2)
    url = sar.get_absolute_url()
    client.post(url, {"action": "redact", "phrase": "Jez Parkin"})
    client.post(url, {"action": "generate"})
    for fmt, kind in (("json", "export"), ("pdf", "pdf")):
        download = client.get(reverse("privacy:subject_access_download", args=[sar.pk, fmt]))
        assert download.status_code == 200 and download["Cache-Control"] == "no-store"
        entry = AccessLogEntry.objects.filter(user=officer).order_by("-id").first()
        assert (entry.kind, entry.child_id, entry.what) == (kind, world.c1.pk, f"subject access {fmt.upper()}")
    client.post(url, {"action": "complete"})
    sar.refresh_from_db()
    assert sar.state == "completed" and sar.completed_by == officer and sar.redactions == ["Jez Parkin"]
    assert [h.history_change_reason for h in sar.history.order_by("history_id")][1:] == [
        "redaction marked",
        "bundle generated",
        "completed",
    ]
    listed = client.get(reverse("privacy:subject_access_list")).content.decode()
    assert world.c1.full_name in listed and "Completed" in listed


def test_overdue_requests_are_highlighted(client, world, officer):
    sar = open_request(officer, world.c1)
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(due_on=datetime.date(2020, 1, 1))
    client.force_login(officer)
    assert "Overdue" in client.get(reverse("privacy:subject_access_list")).content.decode()


def test_only_a_data_protection_officer_of_the_childs_council_reaches_the_pages(client, world, officer):
    sar = sa.subject_access_generate(sar=open_request(officer, world.c1), by=officer)
    other_officer = person(Role.DATA_PROTECTION_OFFICER, world.council_b)
    for user in (world.manager_a, world.coordinator_a, world.admin):
        client.force_login(user)
        assert client.get(reverse("privacy:subject_access_list")).status_code == 403
        assert client.get(reverse("privacy:subject_access_new")).status_code == 403
    for user in (world.manager_a, world.coordinator_a, other_officer):
        client.force_login(user)
        assert client.get(sar.get_absolute_url()).status_code == 404
        assert client.get(reverse("privacy:subject_access_download", args=[sar.pk, "json"])).status_code == 404
    assert not AccessLogEntry.objects.filter(what__startswith="subject access").exists()
    # Another council's officer cannot open a request for the child either.
    client.force_login(other_officer)
    client.post(
        reverse("privacy:subject_access_new"), {"child": world.c1.pk, "requested_by": "X", "received_on": "2026-11-02"}
    )
    assert SubjectAccessRequest.objects.count() == 1


def test_no_child_or_a_blank_redaction_says_what_is_wrong_and_saves_nothing(client, world, officer):
    client.force_login(officer)
    response = client.post(
        reverse("privacy:subject_access_new"), {"child": "", "requested_by": "Her mother", "received_on": "2026-11-02"}
    )
    assert response.status_code == 200 and not SubjectAccessRequest.objects.exists()
    assert "This field is required" in response.content.decode()
    response = client.post(
        reverse("privacy:subject_access_new"),
        {"child": world.c3.pk, "requested_by": "Her mother", "received_on": "2026-11-02"},
    )
    assert "Choose the child the request is about." in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()

    sar = open_request(officer, world.c1)
    response = client.post(sar.get_absolute_url(), {"action": "redact", "phrase": "   "})
    assert response.status_code == 400
    assert "Enter the name or phrase of the third party to redact." in response.content.decode()
    sar.refresh_from_db()
    assert sar.redactions == [] and sar.history.count() == 1
