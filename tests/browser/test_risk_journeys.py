"""Escalations, meetings and risk assessments as people live them: a coordinator acknowledges an
escalation from the inbox; a meeting is recorded with its chair and an action; a social worker
and a manager complete and sign an assessment. Every page visited is checked with axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deadlines.services import sweep
from risk import rules, services
from risk.models import AssessmentState, EscalationRecipient, MeetingAction, MeetingState, RiskAssessment
from tests.browser.test_interview_journeys import local, sign_out
from tests.browser.test_journeys import sign_in
from tests.factories import make_child
from tests.interviews.helpers import missing_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_acknowledges_an_escalation_from_the_inbox(page, world, assert_accessible):
    last_seen = timezone.now() - datetime.timedelta(hours=25)
    missing_episode(world, world.c1, last_seen=last_seen)
    sweep(last_seen + datetime.timedelta(hours=24))

    sign_in(page, world.coordinator_a, assert_accessible)
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_text("Escalation (Missing more than 24 hours)")).to_be_visible()
    assert_accessible(page)
    page.locator("form", has_text="Escalation (Missing more than 24 hours)").get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name="Escalation: Missing more than 24 hours")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("You acknowledged the escalation.")).to_be_visible()
    assert_accessible(page)
    recipient = EscalationRecipient.objects.get(user=world.coordinator_a, escalation__rule=rules.MISSING_24_HOURS)
    assert recipient.acknowledged_at is not None

    page.get_by_role("link", name="Back to the child").click()
    expect(page.get_by_role("heading", name="Escalations")).to_be_visible()
    assert_accessible(page)


def test_record_a_meeting_with_its_chair_and_an_action(page, world, assert_accessible):
    meeting = services.meeting_create(kind=rules.MeetingKind.INTERVENTION, children=[world.c1], by=world.coordinator_a)

    sign_in(page, world.coordinator_a, assert_accessible)
    page.goto(meeting.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("button", name="Record the meeting").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()  # no chair, no time
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_text("a meeting cannot be recorded without a chair").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("When was the meeting held?").fill(local(1))
    page.get_by_label("Who chaired it?").select_option(label="Mandy Manager")
    page.get_by_label("Sophie Worker").check()
    page.get_by_label("Review date").fill((timezone.localdate() + datetime.timedelta(days=28)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The meeting was recorded.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add an action").click()
    assert_accessible(page)
    page.get_by_label("Action").fill("Share the pen picture with the police")
    page.get_by_role("button", name="Add action").click()  # no owner, no date
    expect(page.get_by_text("an action needs an owner").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Owner").select_option(label="Sophie Worker")
    page.get_by_label("Due by").fill((timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("The action was added.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("The action was marked done.")).to_be_visible()
    assert_accessible(page)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD and meeting.chair == world.manager_a
    assert MeetingAction.objects.get().completed_by == world.coordinator_a


def test_a_social_worker_completes_an_assessment_and_a_manager_signs_it_off(page, world, assert_accessible):
    child = make_child(
        responsible=world.la_a,
        given_name="Lola",
        family_name="Trent",
        legal_status="looked_after_care_order",
        social_worker=world.social_worker_a,
    )
    sign_in(page, world.social_worker_a, assert_accessible)
    page.goto(child.get_absolute_url())
    page.get_by_role("link", name="Risk assessments and action plans for Lola Trent").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start the risk assessment").click()
    assert_accessible(page)
    page.get_by_label("Pattern and history").fill("Evenings, back by morning")
    page.get_by_label("Concerns and vulnerabilities").fill("Older associates")
    page.get_by_label("Current circumstances").fill("Settled at school")
    page.get_by_label("Medium").check()
    page.get_by_label("Why this level").fill("Frequent short episodes")
    page.get_by_label("People to contact when the child is absent").fill("Carer, then the police")
    page.get_by_label("Address 1 (optional)", exact=True).fill("A friend's flat, Salford")
    page.get_by_label("Address 1: hours before reporting to the police").fill("7")
    page.get_by_label("What happens on return").fill("Visit within 24 hours")
    page.get_by_label("How the young person took part").fill("Agreed the plan")
    page.get_by_label("How parents and carers took part").fill("Carer took part")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("can never be longer than 6 hours").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Address 1: hours before reporting to the police").fill("2")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The draft was saved.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("The child's social worker").check()
    page.get_by_role("button", name="Sign this version").click()
    expect(page.get_by_text("You signed the assessment.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, world.manager_a, assert_accessible)
    assessment = RiskAssessment.objects.get(child=child)
    page.goto(assessment.get_absolute_url())
    assert_accessible(page)
    page.get_by_label("The manager").check()
    page.get_by_role("button", name="Sign this version").click()
    expect(page.get_by_text("You signed the assessment.")).to_be_visible()
    assert_accessible(page)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SIGNED
