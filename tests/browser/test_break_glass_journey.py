"""A manager restricts a child's record; an unnamed coordinator who needs it in an emergency
breaks the glass with a reason and their authentication code, and reads the record; the manager
finds the alert in their inbox, and the data protection officer reviews the use from their queue
(issue 7; security battery Z7, Z8). Checked with axe."""

import pytest
from playwright.sync_api import expect

from interviews.models import Notification
from organisations.roles import Role
from privacy.models import BreakGlassGrant, Restriction
from tests.browser.test_interview_journeys import sign_out
from tests.browser.test_journeys import sign_in
from tests.factories import person, totp_code_to_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_restricted_record_opened_by_breaking_the_glass(page, world, assert_accessible):
    child = world.c1
    officer = person(Role.DATA_PROTECTION_OFFICER, world.council_a, full_name="Dana Protection")
    manager_signed_in_with = sign_in(page, world.manager_a, assert_accessible)
    page.goto(child.get_absolute_url())
    page.get_by_role("link", name="Restrict this record").click()
    expect(page.get_by_role("heading", name="Restrict this record")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Restrict this record").click()
    expect(page.get_by_text("Enter the reason for restricting this record").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why is this record restricted?").fill("Forced marriage: the family must not find her")
    page.get_by_label("Sophie Worker").check()
    page.get_by_role("button", name="Restrict this record").click()
    expect(page.get_by_text("The record is restricted").first).to_be_visible()
    assert_accessible(page)
    assert Restriction.objects.get(child=child).members.get().user == world.social_worker_a
    sign_out(page)

    signed_in_with = sign_in(page, world.coordinator_a, assert_accessible)
    page.get_by_role("link", name="Children").first.click()
    assert page.get_by_text("Ashdown").count() == 0
    assert_accessible(page)
    page.goto(child.get_absolute_url())
    expect(page.get_by_role("heading", name="This record is restricted")).to_be_visible()
    assert page.get_by_text("Ashdown").count() == 0
    assert_accessible(page)

    page.get_by_label("Why do you need to see this record now?").fill("Missing overnight; police need her associates")
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Break the glass").click()
    expect(page.get_by_text("The authentication code is not right").first).to_be_visible()
    assert_accessible(page)
    assert not BreakGlassGrant.objects.exists()

    page.get_by_label("Authentication code").fill(totp_code_to_type(world.coordinator_a, used=signed_in_with))
    page.get_by_role("button", name="Break the glass").click()
    expect(page.get_by_role("heading", name="Chloe Ashdown")).to_be_visible()
    expect(page.get_by_text("You have emergency access (break-glass) until")).to_be_visible()
    assert_accessible(page)
    assert BreakGlassGrant.objects.get().user == world.coordinator_a
    sign_out(page)

    sign_in(page, world.manager_a, assert_accessible, used=manager_signed_in_with)
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_text("Cora Ordinator used break-glass to open a restricted record").first).to_be_visible()
    assert_accessible(page)
    assert Notification.objects.filter(user=world.manager_a, kind="break_glass").exists()
    page.goto(child.get_absolute_url())
    viewers = page.get_by_role("table", name="The latest reads of this child’s data, newest first (UK time)")
    expect(viewers.get_by_text("Emergency access (break-glass)").first).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The data protection officer reviews the use from the queue on their home page.
    sign_in(page, officer, assert_accessible)
    page.get_by_role("link", name="Break-glass uses to review").click()
    queue = page.get_by_role("table", name="1 use not yet reviewed, oldest first")
    expect(queue.get_by_text("Missing overnight; police need her associates")).to_be_visible()
    assert_accessible(page)
    queue.get_by_role("link", name="review the use by Cora Ordinator").click()
    expect(page.get_by_role("heading", name="Review a break-glass use")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.get_by_text("Enter what you found when you reviewed this use of break-glass").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What did you find?").fill("Confirmed with the duty inspector: reason holds.")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.get_by_text("The break-glass use by Cora Ordinator is reviewed.")).to_be_visible()
    expect(page.get_by_text("Nothing to review")).to_be_visible()
    assert_accessible(page)
    assert BreakGlassGrant.objects.get().reviewed_by == officer
