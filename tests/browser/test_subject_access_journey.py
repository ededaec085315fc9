"""The data protection officer answers a subject access request: opens it for a child, marks a
third party to redact, generates the record, downloads it and completes the request. Checked
with axe on every page."""

import pytest
from playwright.sync_api import expect

from organisations.roles import Role
from tests.browser.test_journeys import sign_in
from tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_answers_a_subject_access_request(page, world, assert_accessible):
    officer = person(Role.DATA_PROTECTION_OFFICER, world.council_a, full_name="Dana Protection")

    sign_in(page, officer, assert_accessible)
    page.get_by_role("link", name="Subject access requests").click()
    assert_accessible(page)
    page.get_by_role("link", name="Open a request").click()
    page.get_by_label("Find the child by name or Homeward child number").fill(world.c1.given_name)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text(f"child number {world.c1.pk}")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Which child (Homeward child number)").fill(str(world.c1.pk))
    page.get_by_label("Who asked").fill("Her mother")
    page.get_by_label("Received on").fill("2026-11-02")
    page.get_by_role("button", name="Open the request").click()
    expect(page.get_by_text("due on 2 December 2026")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Mark for redaction").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name or phrase to redact").fill("Jez Parkin")
    page.get_by_role("button", name="Mark for redaction").click()
    page.get_by_role("button", name="Generate the record").click()
    expect(page.get_by_text("The record is generated.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download the PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as bundle:
        page.get_by_role("link", name="Download the JSON bundle").click()
    assert bundle.value.suggested_filename.endswith(".json")
    page.get_by_role("button", name="Mark the request completed").click()
    expect(page.get_by_text("The request is completed.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the requests").click()
    expect(page.get_by_role("cell", name="Completed")).to_be_visible()
    assert_accessible(page)
