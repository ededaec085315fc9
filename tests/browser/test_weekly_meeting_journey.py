"""The coordinator opens the weekly missing meeting list from the home page, moves between weeks
and prints it; the printed page holds the list, not the site's header. Checked with axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.weekly import week_of
from tests.browser.test_journeys import sign_in
from tests.factories import make_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_weekly_meeting_list_from_the_home_page_to_paper(page, world, assert_accessible):
    last_seen = (timezone.now() - datetime.timedelta(hours=3)).isoformat()
    make_episode(child=world.c1, last_seen_at=last_seen, reported_at=last_seen, force_reference="MP/77")

    sign_in(page, world.coordinator_a, assert_accessible)
    page.get_by_role("link", name="The weekly missing meeting list").click()
    expect(page.get_by_role("heading", name="Chloe Ashdown")).to_be_visible()
    table = page.get_by_role("table", name="Chloe Ashdown’s episodes this week")
    expect(table.get_by_text("MP/77")).to_be_visible()
    expect(table.get_by_text("Missing for 3 hours so far")).to_be_visible()
    assert_accessible(page)

    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).not_to_be_visible()
    expect(page.get_by_role("navigation", name="Other weeks")).not_to_be_visible()
    expect(table).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Previous week").click()
    monday, *_ = week_of(timezone.localdate() - datetime.timedelta(days=7))
    expect(page.get_by_role("heading", name=f"Week of {monday:%A} {monday.day} {monday:%B %Y}")).to_be_visible()
    assert_accessible(page)
