"""A coordinator who left herself signed in on another computer finds the session under "Where you
are signed in" and signs it out; the other computer is back at the sign-in page (issue 7;
security battery S6). Checked with axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OTHER_COMPUTER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131 shared office computer"


def test_a_person_signs_out_a_session_left_open_elsewhere(browser, live_server, page, world, assert_accessible):
    user = world.coordinator_a
    other = browser.new_context(base_url=live_server.url, locale="en-GB", user_agent=OTHER_COMPUTER).new_page()
    used = sign_in(other, user, assert_accessible)

    sign_in(page, user, assert_accessible, used=used)
    page.get_by_role("link", name="Your account").first.click()
    page.get_by_role("link", name="Where you are signed in").click()
    expect(page.get_by_role("heading", name="Where you are signed in")).to_be_visible()
    sessions = page.get_by_role("table", name="Your sessions")
    expect(sessions.get_by_role("row")).to_have_count(3)  # the heading row and two sessions
    expect(sessions.get_by_text("This session", exact=True)).to_be_visible()
    expect(sessions.get_by_text(OTHER_COMPUTER)).to_be_visible()
    assert_accessible(page)

    sessions.get_by_role("row", name=OTHER_COMPUTER).get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You signed out the session from")).to_be_visible()
    expect(page.get_by_role("table", name="Your sessions").get_by_role("row")).to_have_count(2)
    assert_accessible(page)

    other.goto(reverse("children:list"))
    other.wait_for_url("**" + reverse("account_login") + "**")
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
    other.context.close()
