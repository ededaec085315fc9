"""A manager sees who viewed a child's record, then every read by date, and downloads them; the
data protection officer searches the access log by person. Checked with axe."""

import pytest
from playwright.sync_api import expect

from organisations.roles import Role
from tests.browser.test_journeys import sign_in
from tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_who_viewed_a_record_and_the_officers_search(page, world, assert_accessible):
    officer = person(Role.DATA_PROTECTION_OFFICER, world.council_a, full_name="Dana Protection")

    sign_in(page, world.coordinator_a, assert_accessible)
    page.goto(world.c1.get_absolute_url())
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")

    sign_in(page, world.manager_a, assert_accessible)
    page.goto(world.c1.get_absolute_url())
    viewers = page.get_by_role("table", name="The latest reads of this child’s data, newest first (UK time)")
    expect(viewers.get_by_text("Cora Ordinator").first).to_be_visible()  # her home page and the child's page
    assert_accessible(page)
    page.get_by_role("link", name="Every read of this record, by date, to read or download").click()
    expect(page.get_by_role("heading", name="Who has viewed this record")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="From (optional)").fill("2026-07-10")
    page.get_by_role("textbox", name="To (optional)").fill("2026-07-01")
    page.get_by_role("button", name="Show reads").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="From (optional)").fill("")
    page.get_by_role("textbox", name="To (optional)").fill("")
    page.get_by_role("button", name="Show reads").click()
    every = page.get_by_role("table", name="Every read of this child’s data in the period, newest first (UK time)")
    expect(every.get_by_text("Cora Ordinator").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these reads as a spreadsheet (CSV)").click()
    assert "Cora Ordinator" in download.value.path().read_text()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")

    sign_in(page, officer, assert_accessible)
    page.get_by_role("link", name="Search the access log").click()
    assert_accessible(page)
    page.get_by_label("Who viewed (email address)").fill("not an email")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Who viewed (email address)").fill(world.coordinator_a.email)
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table", name="Reads found, newest first (UK time)")
    expect(results.get_by_text("Chloe Ashdown").first).to_be_visible()
    assert_accessible(page)
