"""The interview record: drafts, submission with every required section, authorisation and
sharing."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from interviews import services
from interviews.models import InterviewRecord, Notification, RecordState, Status
from privacy.models import SharingRecord
from tests.factories import make_agreement

from .conftest import COMPLETE_RECORD, completed_record

pytestmark = pytest.mark.django_db


def test_a_draft_may_be_incomplete(world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    record = services.record_save(interview=interview, by=world.rhi_worker, data={"place": "School"})
    assert record.state == RecordState.DRAFT and record.history.first().history_user == world.rhi_worker


def test_a_record_submitted_without_required_sections_saves_nothing(world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    services.record_save(interview=interview, by=world.rhi_worker, data={"place": "School"})
    with pytest.raises(ValidationError) as error:
        services.record_submit(interview=interview, by=world.rhi_worker)
    message = str(error.value)
    for section in (
        "When the interview took place",
        "The primary push or pull factor",
        "The child’s own words",
        "Consent to share",
    ):
        assert section in message
    record = InterviewRecord.objects.get()
    assert record.state == RecordState.DRAFT and record.submitted_at is None
    interview.refresh_from_db()
    assert interview.status == Status.ALLOCATED
    assert not Notification.objects.filter(kind="submitted").exists()


def test_a_primary_factor_not_among_the_factors_chosen_is_refused(world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    with pytest.raises(ValidationError, match="primary factor must be one of"):
        services.record_save(
            interview=interview,
            by=world.rhi_worker,
            data={"push_factors": ["bullying"], "primary_factor": "friends"},
        )
    assert not InterviewRecord.objects.exists()


def test_submitting_completes_the_interview_at_the_time_it_was_held(world, interview):
    interview = completed_record(world, interview)
    assert interview.status == Status.COMPLETED
    assert interview.completed_at == interview.record.held_at and interview.within_72_hours is True
    assert interview.record.state == RecordState.SUBMITTED
    assert Notification.objects.filter(user=world.manager_a, kind="submitted").exists()


def test_a_manager_returns_the_record_with_comments_and_the_worker_can_change_it(world, interview):
    interview = completed_record(world, interview)
    with pytest.raises(ValidationError):
        services.record_return(interview=interview, by=world.manager_a, comments="")
    services.record_return(interview=interview, by=world.manager_a, comments="Say more about who she was with")
    record = InterviewRecord.objects.get()
    assert record.state == RecordState.RETURNED
    services.record_save(interview=interview, by=world.rhi_worker, data={"with_whom": "Two older boys"})
    services.record_submit(interview=interview, by=world.rhi_worker)
    assert InterviewRecord.objects.get().state == RecordState.SUBMITTED


def test_authorisation_shares_the_record_with_the_social_worker_and_the_police(world, interview):
    interview = completed_record(world, interview)
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):
        services.record_authorise(interview=interview, by=world.coordinator_a)
    agreement = make_agreement()
    services.record_authorise(interview=interview, by=world.manager_a, agreement=agreement)
    shared = set(Notification.objects.filter(kind="shared").values_list("user", flat=True))
    assert shared == {world.social_worker_a.pk, world.police_f1.pk}  # C1 is not looked after: no IRO
    assert world.police_f2.pk not in shared
    record = InterviewRecord.objects.get()
    assert record.state == RecordState.AUTHORISED and record.authorised_by == world.manager_a
    # Only the police are outside the council: one sharing record, with its agreement and basis.
    (share,) = SharingRecord.objects.all()
    assert share.to_agency == world.force_f1 and str(world.police_f1) in share.recipients
    assert share.agreement == agreement and share.lawful_basis == agreement.lawful_basis
    assert share.child == world.c1 and share.shared_by == world.manager_a


def test_sharing_with_the_police_needs_an_agreement_and_nothing_is_saved_without_one(client, world, interview):
    interview = completed_record(world, interview)
    with pytest.raises(ValidationError, match="relies on"):
        services.record_authorise(interview=interview, by=world.manager_a)
    retired = make_agreement(name="An old agreement", active=False)
    with pytest.raises(ValidationError, match="Greater Manchester Police"):
        services.record_authorise(interview=interview, by=world.manager_a, agreement=retired)
    assert InterviewRecord.objects.get().state == RecordState.SUBMITTED
    assert not SharingRecord.objects.exists() and not Notification.objects.filter(kind="shared").exists()

    agreement = make_agreement()
    client.force_login(world.manager_a)
    url = reverse("interviews:review", args=[interview.pk])
    refused = client.post(url, {"decision": "authorise", "comments": ""})
    assert "Choose the information sharing agreement that sharing with" in refused.content.decode()
    assert "An old agreement" not in client.get(url).content.decode()  # retired ones are not offered
    client.post(url, {"decision": "authorise", "comments": "", "agreement": agreement.pk})
    assert InterviewRecord.objects.get().state == RecordState.AUTHORISED
    page = client.get(interview.get_absolute_url()).content.decode()
    assert "Shared outside the council" in page and "UK GDPR Article 6(1)(e): public task" in page


def test_the_iro_is_told_for_a_looked_after_child(world):
    from .conftest import returned_interview

    world.c4.iro = world.iro_a
    world.c4.save()
    interview = completed_record(world, returned_interview(world, world.c4))
    services.record_authorise(interview=interview, by=world.manager_a, agreement=make_agreement())
    assert Notification.objects.filter(kind="shared", user=world.iro_a).exists()


def test_an_authorised_record_cannot_be_changed(world, interview):
    interview = completed_record(world, interview)
    services.record_authorise(interview=interview, by=world.manager_a, agreement=make_agreement())
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.record_save(interview=interview, by=world.rhi_worker, data={"place": "Elsewhere"})
    assert InterviewRecord.objects.get().place == COMPLETE_RECORD["place"]


def test_an_interview_held_in_the_future_is_refused(world, interview):
    services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    with pytest.raises(ValidationError, match="future"):
        services.record_save(
            interview=interview,
            by=world.rhi_worker,
            data={"held_at": interview.returned_at + datetime.timedelta(days=30)},
        )
    assert not InterviewRecord.objects.exists()
