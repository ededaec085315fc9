"""A manager opens the dashboard, chooses a period and an authority, reads a chart and its table,
and follows a figure to the episodes behind it. Checked with axe on every page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from episodes.models import Category, Episode, EpisodeState, Source
from organisations.roles import Role
from reporting.dashboard import last_twelve_months
from reporting.snapshot_services import dashboard_snapshots_refresh
from tests.browser.test_journeys import sign_in
from tests.factories import AgencyFactory, make_child, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def returned_episode(child, *, days_ago: int, hours: int) -> Episode:
    last_seen = timezone.now() - datetime.timedelta(days=days_ago)
    return Episode.objects.create(
        child=child,
        local_authority=child.responsible_authority,
        category=Category.MISSING,
        last_seen_at=last_seen,
        reported_at=last_seen,
        returned_at=last_seen + datetime.timedelta(hours=hours),
        state=EpisodeState.RETURNED,
        source=Source.FORM,
    )


def test_a_manager_filters_the_dashboard_and_follows_a_figure(page, world, assert_accessible):
    amy = make_child(responsible=world.la_a, given_name="Amy", family_name="Ashworth")
    overnight = returned_episode(amy, days_ago=3, hours=8)
    returned_episode(amy, days_ago=4, hours=2)
    returned_episode(world.c3, days_ago=3, hours=8)  # Stockport's child: never in Manchester's figures
    today = timezone.localdate()

    sign_in(page, world.manager_a, assert_accessible)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Local authority").select_option(label="Manchester")
    page.get_by_label("Start of the period").fill((today - datetime.timedelta(days=7)).isoformat())
    page.get_by_label("End of the period").fill(today.isoformat())
    page.get_by_role("button", name="Apply filters").click()

    expect(page.get_by_role("img", name="Bar chart of episodes: How long")).to_be_visible()
    durations = page.get_by_role("table", name="How long: episodes and children")
    expect(durations.get_by_role("link", name="1 episode: How long, 6 to 24 hours", exact=True)).to_be_visible()
    expect(durations.get_by_role("link", name="1 episode: How long, Under 6 hours", exact=True)).to_be_visible()
    headlines = page.get_by_role("table", name="Episodes and children in the period, with the previous period")
    expect(headlines.get_by_role("link", name="2 episodes", exact=True)).to_be_visible()
    expect(headlines.get_by_role("link", name="1 children with 2 or more episodes", exact=True)).to_be_visible()
    assert_accessible(page)

    durations.get_by_role("link", name="1 episode: How long, 6 to 24 hours").click()
    expect(page.get_by_role("heading", name="How long: 6 to 24 hours")).to_be_visible()
    expect(page.get_by_text("1 episode counted in this figure")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Amy Ashworth").click()
    page.wait_for_url(f"**{overnight.get_absolute_url()}")


def test_a_regional_manager_reads_the_figures_kept_for_their_authorities(page, world, assert_accessible):
    team = AgencyFactory(name="North West regional missing team", serves=[world.la_a, world.la_b])
    regional = person(Role.MANAGER, team, full_name="Rhona Regional")
    amy = make_child(responsible=world.la_a, given_name="Amy", family_name="Ashworth")
    start, end = last_twelve_months(timezone.localdate())
    returned_episode(amy, days_ago=(timezone.localdate() - start).days - 1, hours=8)
    returned_episode(world.c3, days_ago=(timezone.localdate() - start).days - 1, hours=2)
    dashboard_snapshots_refresh()

    sign_in(page, regional, assert_accessible)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("These figures were counted at")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Show the last 12 months").click()
    expect(page.get_by_text(f"Episodes last seen from {start:%-d %B %Y} to {end:%-d %B %Y}")).to_be_visible()
    expect(page.get_by_text("These figures were counted at")).to_be_visible()
    headlines = page.get_by_role("table", name="Episodes and children in the period, with the previous period")
    expect(headlines.get_by_role("link", name="2 episodes", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Local authority").select_option(label="Stockport")
    page.get_by_role("button", name="Apply filters").click()
    expect(headlines.get_by_role("link", name="1 episodes", exact=True)).to_be_visible()
    expect(page.get_by_text("These figures were counted at")).to_have_count(0)
    assert_accessible(page)
