"""A manager asks for last month's governance pack from the dashboard, watches its progress reach
done, and downloads the PDF. Checked with axe on every page."""

import datetime
import re

import pytest
from django.utils import timezone

from episodes.models import Category, Episode, EpisodeState, RiskLevel, Source
from reporting import dashboard, tasks
from reporting.models import GovernancePack
from tests.browser.test_journeys import sign_in
from tests.factories import make_child
from tests.interviews.test_pdf import poppler

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PACK_PAGE = re.compile(r".*/reporting/dashboard/pack/\d+/$")


@pytest.fixture
def broker(monkeypatch):
    """The broker, as Celery sees it: the tasks the outbox publishes, for the test to run."""
    from missing.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=None, kwargs=None: sent.append((name, args, kwargs)))
    return sent


def high_risk_episode(child, last_seen: datetime.datetime) -> Episode:
    return Episode.objects.create(
        child=child,
        local_authority=child.responsible_authority,
        category=Category.MISSING,
        last_seen_at=last_seen,
        reported_at=last_seen,
        returned_at=last_seen + datetime.timedelta(hours=3),
        state=EpisodeState.RETURNED,
        source=Source.FORM,
        risk_level=RiskLevel.HIGH,
    )


def test_a_manager_generates_the_monthly_pack_follows_its_progress_and_downloads_it(
    page, world, assert_accessible, broker
):
    from playwright.sync_api import expect

    month = dashboard.last_full_month(timezone.localdate())[0]
    noon = datetime.datetime.combine(month, datetime.time(12), tzinfo=dashboard.UK)
    amy = make_child(responsible=world.la_a, given_name="Amy", family_name="Ashworth")
    high_risk_episode(amy, noon + datetime.timedelta(days=2))
    high_risk_episode(amy, noon + datetime.timedelta(days=9))

    sign_in(page, world.manager_a, assert_accessible)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Monthly governance pack")).to_be_visible()
    expect(page.get_by_label("Month for the pack")).to_have_value(month.isoformat())
    page.get_by_label("Authority for the pack").select_option(label="Manchester")
    assert_accessible(page)

    page.get_by_role("button", name="Generate the monthly governance pack").click()
    page.wait_for_url(PACK_PAGE)
    pack = GovernancePack.objects.get()
    expect(page.get_by_role("heading", name=f"{month:%B %Y}, Manchester")).to_be_visible()
    expect(page.get_by_label("Progress")).to_have_attribute("value", "0")
    expect(page.get_by_text("Waiting to start.")).to_be_visible()
    assert_accessible(page)

    # Half way, the bar follows without reloading the page.
    GovernancePack.objects.filter(pk=pack.pk).update(state="running", progress=50, step="Writing the PDF")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "50")
    expect(page.get_by_text("Writing the PDF (50%).")).to_be_visible()
    GovernancePack.objects.filter(pk=pack.pk).update(state="queued", progress=0, step="")

    # The worker picks up the task the outbox published.
    assert broker == [("reporting.tasks.generate_governance_pack", [pack.pk], {})]
    tasks.generate_governance_pack(*broker[0][1])

    # The page sees the pack ready and reloads itself with the files.
    link = page.get_by_role("link", name="Download the governance pack (PDF)")
    expect(link).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Progress")).to_have_count(0)
    expect(page.get_by_text("Ready", exact=True)).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"Governance_pack_{month:%Y-%m}_{world.la_a.ons_code}.pdf"
    text = " ".join(poppler("pdftotext", download.value.path().read_bytes()).split())
    assert f"Governance pack: Manchester, {month:%B %Y}" in text
    assert "Amy Ashworth" in text
