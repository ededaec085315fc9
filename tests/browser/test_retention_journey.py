"""A manager works through the month's retention review: opens a record past its date, places a
legal hold (the reason is required), lifts it, and confirms the deletion. Checked with axe on
every page."""

import pytest
from playwright.sync_api import expect

from privacy import retention
from privacy.models import ErasureRecord
from tests.browser.test_journeys import sign_in
from tests.factories import make_child
from tests.privacy.test_retention import aged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_holds_lifts_and_confirms_the_deletion_of_a_record_past_its_date(page, world, assert_accessible):
    child = aged(make_child(responsible=world.la_a, given_name="Zebedee", family_name="Quillfeather"), years=25)
    retention.retention_reviews_make()

    sign_in(page, world.manager_a, assert_accessible)
    page.get_by_role("link", name="Retention review").click()
    expect(page.get_by_role("heading", name="Retention review")).to_be_visible()
    expect(page.get_by_role("cell", name="Awaiting a manager’s decision")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=child.full_name).click()
    expect(page.get_by_role("heading", name=f"Retention of {child.full_name}’s record")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Place a legal hold").click()
    page.get_by_role("button", name="Place the legal hold").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why must this record be kept?").fill("A claim against the council is open")
    page.get_by_role("button", name="Place the legal hold").click()
    expect(page.get_by_text("The record is under a legal hold")).to_be_visible()
    expect(page.get_by_role("link", name="Confirm deletion")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Lift the legal hold").click()
    assert_accessible(page)
    page.get_by_label("Why is the legal hold lifted?").fill("The claim is settled")
    page.get_by_role("button", name="Lift the legal hold").click()
    expect(page.get_by_text("The legal hold is lifted.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Confirm deletion").click()
    expect(page.get_by_text("deleted for good")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Delete this record permanently").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why may this record be deleted now?").fill("Past its retention date; no hold")
    page.get_by_role("button", name="Delete this record permanently").click()
    expect(page.get_by_text(f"Child number {child.pk}’s record is deleted")).to_be_visible()
    expect(page.get_by_role("cell", name="Deleted")).to_be_visible()
    assert_accessible(page)
    assert ErasureRecord.objects.get().child_id == child.pk
