"""A coordinator confirms which child a police record is about: from the home page to the queue,
the record beside its candidate child, the decision, and the episode it became.

Every page visited is checked with axe (WCAG 2.2 AA).
"""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from episodes.models import Episode, HeldReport
from tests.browser.test_journeys import sign_in
from tests.factories import make_child, make_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_confirms_a_likely_match_from_the_queue(page, world, assert_accessible):
    jayden = make_child(
        responsible=world.la_a,
        given_name="Jayden",
        family_name="Okoro",
        date_of_birth=datetime.date(2011, 3, 7),
        ethnicity="Black African",
    )
    held = make_episode(given_name="Jaden", family_name="Okoro", date_of_birth="2011-03-07", ethnicity="Black African")
    assert isinstance(held, HeldReport)

    sign_in(page, world.coordinator_a, assert_accessible)
    page.get_by_role("link", name=re.compile("to confirm")).first.click()
    page.wait_for_url("**" + reverse("episodes:held_list"))
    expect(page.get_by_role("heading", name="Records to confirm")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=f"GMP {held.force_reference}").click()
    expect(page.get_by_role("heading", name=f"Police record GMP {held.force_reference}: Jaden Okoro")).to_be_visible()
    assert_accessible(page)
    # The misspelt given name is highlighted and marked in words; what agrees is not.
    given_name = page.get_by_role("row", name=re.compile("^Given name"))
    assert given_name.locator("mark").inner_text() == "Jayden"
    expect(given_name.get_by_text("Different")).to_be_visible()
    assert page.get_by_role("row", name=re.compile("^Family name")).locator("mark").count() == 0
    assert page.get_by_role("row", name=re.compile("^Ethnicity")).locator("mark").count() == 0
    expect(page.get_by_text("Same date of birth, name spelt differently")).to_be_visible()

    page.get_by_role("button", name="Confirm").click()  # nothing chosen
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    assert not Episode.objects.filter(force_reference=held.force_reference).exists()

    page.get_by_label("This is Jayden Okoro, born 7 March 2011").check()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/episodes/\d+/$"))
    episode = Episode.objects.get(force_reference=held.force_reference)
    assert episode.child == jayden
    assert page.url.endswith(reverse("episodes:detail", args=[episode.pk]))
    expect(
        page.get_by_text(f"Police record GMP {held.force_reference} is now an episode of Jayden Okoro.")
    ).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("episodes:held_detail", args=[held.pk]))
    expect(page.get_by_text("Linked to an existing child: Jayden Okoro").first).to_be_visible()
    assert page.get_by_role("button", name="Confirm").count() == 0
    assert_accessible(page)
