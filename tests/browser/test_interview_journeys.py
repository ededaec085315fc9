"""A return interview from allocation to the shared PDF: the coordinator allocates, the worker
records attempts and the interview, the manager authorises, the social worker downloads the
record. Every page visited is checked with axe (WCAG 2.2 AA)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interviews.models import InterviewDownload, RecordState, ReturnInterview, Status
from tests.browser.test_journeys import sign_in
from tests.factories import make_agreement
from tests.interviews.conftest import returned_interview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local(hours_ago: float) -> str:
    return (timezone.localtime() - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")


def test_allocate_record_attempts_complete_authorise_and_download(page, world, assert_accessible):
    interview = returned_interview(world, world.c1, hours_ago=6)

    # The coordinator allocates from the list.
    sign_in(page, world.coordinator_a, assert_accessible)
    page.get_by_role("link", name="Return interviews").click()
    expect(page.get_by_role("heading", name="Return interviews")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Chloe Ashdown").click()
    assert_accessible(page)
    page.get_by_role("button", name="Allocate").click()
    assert_accessible(page)
    page.get_by_label("Return interview worker").select_option(label="Rhian Worker")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("The interview was allocated.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The worker sees it on their caseload, records two attempts and the interview.
    sign_in(page, world.rhi_worker, assert_accessible)
    page.get_by_role("link", name="Caseload", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Chloe Ashdown").click()
    for hours_ago, result in ((4, "No answer"), (3, "Interview arranged")):
        page.get_by_role("button", name="Record a contact attempt").click()
        assert_accessible(page)
        page.get_by_label("When was the attempt made?").fill(local(hours_ago))
        page.get_by_label("Phone call").check()
        page.get_by_label(result).check()
        page.get_by_role("button", name="Record attempt").click()
        expect(page.get_by_text("The contact attempt was recorded.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Write the interview record").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for authorisation").click()  # nothing filled in
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_text("The child’s own words", exact=False).first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("When did the interview take place?").fill(local(2))
    page.get_by_label("Where did the interview take place?").fill("Youth centre")
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    page.get_by_label("Conflict at home or in the placement").check()
    page.get_by_label("Wanting to be with friends").check()
    page.get_by_label("Primary factor").select_option(label="Conflict at home or in the placement")
    page.get_by_label("Where were they?").fill("At a friend’s flat")
    page.get_by_label("How did they return?").fill("Bus")
    page.get_by_label("The child’s own words").fill("I needed space.")
    page.get_by_label("Early help").check()
    page.get_by_label("Yes, with the people named").check()
    page.get_by_label("Shared with whom?").fill("Social worker and police")
    page.get_by_role("button", name="Submit for authorisation").click()
    expect(page.get_by_text("The record was sent for authorisation.")).to_be_visible()
    assert_accessible(page)
    interview.refresh_from_db()
    assert interview.status == Status.COMPLETED and interview.within_72_hours
    sign_out(page)

    # The manager authorises; the record is shared, with the police under the agreement chosen.
    agreement = make_agreement()
    sign_in(page, world.manager_a, assert_accessible)
    page.goto(interview.get_absolute_url())
    page.get_by_role("button", name="Authorise the record").click()
    assert_accessible(page)
    page.get_by_label("Authorise and share").check()
    page.get_by_label("Information sharing agreement").select_option(label=str(agreement))
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Your decision was saved.")).to_be_visible()
    expect(page.get_by_text("Shared outside the council")).to_be_visible()
    assert_accessible(page)
    assert ReturnInterview.objects.get().record.state == RecordState.AUTHORISED
    sign_out(page)

    # The social worker finds it in their inbox and downloads the PDF.
    sign_in(page, world.social_worker_a, assert_accessible)
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_text("A return interview record was shared with you")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Open").first.click()
    page.wait_for_url("**" + interview.get_absolute_url())
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the record (PDF)").click()
    assert download.value.suggested_filename == f"return-interview-{interview.pk}.pdf"
    assert InterviewDownload.objects.filter(user=world.social_worker_a).count() == 1


def test_from_the_home_page_the_hub_overrides_the_triage_and_the_social_worker_records_the_visit(
    page, world, assert_accessible
):
    child = world.c4  # looked after: the social worker visits within 24 hours of the return
    child.social_worker = world.social_worker_a
    child.save()
    interview = returned_interview(world, child, hours_ago=60)

    # The hub's home page lists the return waiting for a worker; the countdown keeps ticking.
    page.clock.install()
    sign_in(page, world.coordinator_a, assert_accessible)
    waiting = page.get_by_role("table", name="Return interviews not yet allocated, soonest due first (UK time)")
    countdown = waiting.locator("time[data-tick]")
    shown = countdown.inner_text()
    assert shown.startswith("Due in 11 hours")
    page.clock.fast_forward("02:00")
    assert countdown.inner_text() != shown and countdown.inner_text().startswith("Due in 11 hours")
    assert_accessible(page)
    waiting.get_by_role("link", name="Casey Oduya").click()
    page.get_by_role("button", name="Override the triage").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save triage").click()  # nothing chosen
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Red").check()
    page.get_by_label("Why are you changing the triage?").fill("Seen with older males at the station")
    page.get_by_role("button", name="Save triage").click()
    expect(page.get_by_text("The triage was changed.")).to_be_visible()
    expect(page.get_by_text("Red: interview needed overridden: Seen with older males at the station")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The social worker's home page asks for the visit; they record it.
    sign_in(page, world.social_worker_a, assert_accessible)
    page.get_by_role("link", name="Record your visit to Casey Oduya").click()
    assert_accessible(page)
    page.get_by_label("When did the social worker visit?").fill(local(1))
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    page.get_by_role("button", name="Record visit").click()
    expect(page.get_by_text("The social worker’s visit was recorded.")).to_be_visible()
    assert_accessible(page)
    page.goto("/")
    expect(page.get_by_text("No visit to a returned child is waiting for you.")).to_be_visible()
    interview.refresh_from_db()
    assert interview.effective_triage == "red"
