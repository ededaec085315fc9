"""A coordinator's episode from start to finish: a police report recorded by hand from the child's
page, the return, the safe-and-well check and the timeline. Every page visited is checked with
axe (WCAG 2.2 AA)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from episodes.models import Episode
from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local(hours_ago: float) -> str:
    """What a datetime-local input holds: UK time without an offset."""
    return (timezone.localtime() - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def test_record_a_report_then_the_return_and_the_safe_and_well_check(page, world, assert_accessible):
    sign_in(page, world.coordinator_a, assert_accessible)
    page.goto(world.c1.get_absolute_url())
    expect(page.get_by_role("heading", name="Episodes")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Record a police report").click()
    page.wait_for_url("**" + reverse("episodes:create") + "*")
    expect(page.get_by_text("This report is about Chloe Ashdown")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Record report").click()  # nothing filled in
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    assert not Episode.objects.exists()

    page.get_by_label("Police reference", exact=True).fill("MP/424242")
    page.get_by_label("Missing", exact=True).check()
    page.get_by_label("High", exact=True).check()
    page.get_by_label("When was the child last seen?").fill(local(5))
    page.get_by_label("Where was the child last seen? (optional)").fill("Piccadilly Gardens")
    page.get_by_label("When were the police told?").fill(local(4))
    page.get_by_role("button", name="Record report").click()

    page.wait_for_url("**/episodes/*/")
    expect(page.get_by_text("The police report was recorded.")).to_be_visible()
    expect(page.get_by_text("Greater Manchester Police, MP/424242")).to_be_visible()
    assert_accessible(page)
    episode = Episode.objects.get(force_reference="MP/424242")
    assert episode.child == world.c1

    page.get_by_role("button", name="Record the return").click()
    expect(page.get_by_role("heading", name="Record the child’s return")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("When did the child return or was found?").fill(local(1))
    page.get_by_label("Where was the child found? (optional)").fill("Bus station")
    page.get_by_label("Postcode where found (optional)").fill("m1 2ab")
    page.get_by_label("Found or brought back by the police").check()
    page.get_by_role("button", name="Record return").click()
    expect(page.get_by_text("The return was recorded.")).to_be_visible()
    expect(page.get_by_text("M1 2AB").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Record the safe-and-well check").click()
    assert_accessible(page)
    page.get_by_role("group", name="Was a safe-and-well check held?").get_by_label("Yes").check()
    page.get_by_role("group", name="Was harm disclosed? (optional)").get_by_label("No", exact=True).check()
    page.get_by_label("When was the check held? (optional)").fill(local(0.5))
    page.get_by_label("Who held the check? (optional)").fill("PC Shah, GMP")
    page.get_by_label("Outcome of the check (optional)").fill("Safe; stayed with a friend")
    page.get_by_role("button", name="Record check").click()
    expect(page.get_by_text("The safe-and-well check was recorded.")).to_be_visible()
    assert_accessible(page)

    timeline = page.locator("#timeline ~ ol")
    for title in ("Safe-and-well check recorded", "Return recorded", "Episode recorded"):
        expect(timeline.get_by_role("heading", name=title).first).to_be_visible()
    expect(timeline.get_by_text("Where found: — → Bus station")).to_be_visible()

    page.get_by_role("link", name="Episodes", exact=True).first.click()
    expect(page.get_by_role("link", name="Chloe Ashdown").first).to_be_visible()
    assert_accessible(page)
    episode.refresh_from_db()
    assert episode.state == "returned" and episode.safe_and_well.held_by == "PC Shah, GMP"
