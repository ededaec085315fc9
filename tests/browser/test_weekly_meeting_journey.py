"""The coordinator opens the weekly missing meeting list from the home page, moves between weeks
and prints it; the printed page holds the list, not the site's header. Checked with axe."""

import datetime

import pytest
from django.utils import timezone

from reporting.weekly import week_of
from tests.browser.test_journeys import sign_in
from tests.factories import make_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_weekly_meeting_list_from_the_home_page_to_paper(page, world, assert_accessible):
    last_seen = (timezone.now() - datetime.timedelta(hours=3)).isoformat()
    make_episode(child=world.c1, last_seen_at=last_seen, reported_at=last_seen, force_reference="MP/77")

    sign_in(page, world.coordinator_a, assert_accessible)
    page.get_by_role("link", name="The weekly missing meeting list").click()
    assert page.get_by_role("heading", name="Chloe Ashdown").is_visible()
    table = page.get_by_role("table", name="Chloe Ashdown’s episodes this week")
    assert table.get_by_text("MP/77").is_visible()
    assert table.get_by_text("Missing for 3 hours so far").is_visible()
    assert_accessible(page)

    page.emulate_media(media="print")
    assert not page.locator(".govuk-header").is_visible()
    assert not page.get_by_role("navigation", name="Other weeks").is_visible()
    assert table.is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Previous week").click()
    monday, *_ = week_of(timezone.localdate() - datetime.timedelta(days=7))
    assert page.get_by_role("heading", name=f"Week of {monday:%A} {monday.day} {monday:%B %Y}").is_visible()
    assert_accessible(page)
