"""The dashboard figures kept for the readers of many authorities: which are kept, that they are
the figures the dashboard would count, when they are counted again, who reads them and who is
counted afresh, and what the page and the API say about when they were counted.

The history: a regional team serves Manchester (LA-A) and Stockport (LA-B). November 2026 has
four episodes of three children (Amy and Dan, and Casey, Stockport's child placed in
Manchester, counted once); October one more of Amy's.
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from episodes.models import Category, Episode, EpisodeState, Source
from organisations.roles import Role
from privacy.services import child_restrict
from reporting import dashboard, snapshot_services
from reporting.dashboard import Filters
from reporting.models import DashboardSnapshot
from reporting.tasks import refresh_dashboard_snapshots
from tests.factories import AgencyFactory, make_child, person

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
MINUTE = datetime.timedelta(minutes=1)
NOVEMBER = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
TWELVE_MONTHS = (datetime.date(2025, 12, 1), datetime.date(2026, 11, 30))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def episode(child, day, month=11, category=Category.MISSING) -> Episode:
    last_seen = datetime.datetime(2026, month, day, 12, tzinfo=UTC)
    return Episode.objects.create(
        child=child,
        local_authority=child.host_authority or child.responsible_authority,
        category=category,
        last_seen_at=last_seen,
        reported_at=last_seen,
        returned_at=last_seen + datetime.timedelta(hours=5),
        state=EpisodeState.RETURNED,
        source=Source.FORM,
    )


@pytest.fixture
def region(clock, world):
    """The regional team, its manager and analyst, and the history; the clock then moves on two
    minutes, so the history was saved before anything is counted."""
    team = AgencyFactory(name="North West regional missing team", serves=[world.la_a, world.la_b])
    world.regional_manager = person(Role.MANAGER, team, full_name="Rhona Regional")
    world.regional_analyst = person(Role.ANALYST, team, full_name="Reg Analyst")
    world.amy = make_child(responsible=world.la_a, given_name="Amy", family_name="Ashworth")
    world.dan = make_child(responsible=world.la_b, given_name="Dan", family_name="Stock")
    episode(world.amy, 3)
    episode(world.amy, 12, category=Category.ABSENT)
    episode(world.c4, 20)
    episode(world.dan, 7)
    episode(world.amy, 15, month=10)
    clock.shift(2 * MINUTE)
    return world


def both(world) -> tuple[int, ...]:
    return tuple(sorted((world.la_a.pk, world.la_b.pk)))


def headline(board, name) -> tuple[int | None, int | None]:
    figure = next(f for f in board.headlines if f.name == name)
    return figure.value, figure.previous


def page_board(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reporting:dashboard"), params)


def test_the_figures_of_each_team_serving_many_authorities_are_kept_for_last_month_and_the_year(region):
    single_council_readers = [region.manager_a, region.coordinator_b]  # Manchester's and Stockport's own
    assert all(len(dashboard.dashboard_authorities(user)) == 1 for user in single_council_readers)

    assert snapshot_services.kept_scopes() == [both(region)]
    counted = snapshot_services.dashboard_snapshots_refresh()

    assert sorted((s.start, s.end) for s in counted) == [TWELVE_MONTHS, NOVEMBER]
    kept = DashboardSnapshot.objects.get(start=NOVEMBER[0])
    assert kept.authorities == f"{both(region)[0]},{both(region)[1]}"
    assert kept.counted_at == NOW + 2 * MINUTE
    for start, end in (NOVEMBER, TWELVE_MONTHS):
        filters = Filters(authorities=both(region), start=start, end=end)
        counted_now = dashboard.dashboard_build(
            scope=dashboard.countable_episodes(region.regional_manager), filters=filters
        )
        read = dashboard.kept_board(filters)
        assert read.figures_json() == counted_now.figures_json()
        assert read.counted_at == NOW + 2 * MINUTE
    november = dashboard.kept_board(Filters(authorities=both(region), start=NOVEMBER[0], end=NOVEMBER[1]))
    assert headline(november, "episodes") == (4, 1)
    assert headline(november, "children") == (3, 1)  # Casey once, though in both authorities


def test_a_regional_manager_reads_the_kept_figures_and_when_they_were_counted(client, region, clock):
    snapshot_services.dashboard_snapshots_refresh()
    clock.shift(5 * MINUTE)
    episode(region.dan, 25)  # after the count

    response = page_board(client, region.regional_manager)
    board = response.context["board"]
    assert headline(board, "episodes") == (4, 1)
    assert board.counted_at == NOW + 2 * MINUTE
    assert "These figures were counted at 10:02 on 2 December 2026" in response.content.decode()

    clock.shift(MINUTE)
    assert len(snapshot_services.dashboard_snapshots_refresh()) == 2
    board = page_board(client, region.regional_manager).context["board"]
    assert headline(board, "episodes") == (5, 1)
    assert board.counted_at == NOW + 8 * MINUTE


def test_the_kept_figures_are_counted_again_only_after_a_change_or_an_hour(region, clock):
    assert len(snapshot_services.dashboard_snapshots_refresh()) == 2
    clock.shift(10 * MINUTE)
    assert snapshot_services.dashboard_snapshots_refresh() == []

    clock.shift(10 * MINUTE)
    episode(region.amy, 28)
    clock.shift(10 * MINUTE)
    assert len(snapshot_services.dashboard_snapshots_refresh()) == 2
    assert snapshot_services.dashboard_snapshots_refresh() == []

    clock.shift(snapshot_services.RECOUNT_AFTER + MINUTE)
    assert len(snapshot_services.dashboard_snapshots_refresh()) == 2
    assert len(snapshot_services.dashboard_snapshots_refresh(force=True)) == 2


def test_a_change_saved_just_before_a_count_began_is_counted_again(region, clock):
    """A change is dated when it is saved; its transaction may commit after the count began."""
    episode(region.amy, 28)
    clock.shift(30 * datetime.timedelta(seconds=1))
    snapshot_services.dashboard_snapshots_refresh()
    clock.shift(10 * MINUTE)
    assert len(snapshot_services.dashboard_snapshots_refresh()) == 2


def test_a_new_month_counts_its_periods_and_drops_those_no_longer_kept(region, clock):
    snapshot_services.dashboard_snapshots_refresh()
    clock.move_to(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=UTC))

    snapshot_services.dashboard_snapshots_refresh()

    kept = sorted(DashboardSnapshot.objects.values_list("start", "end"))
    assert kept == [
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)),
    ]


def test_a_team_that_stops_reading_the_dashboard_has_no_figures_kept(region):
    snapshot_services.dashboard_snapshots_refresh()
    for user in (region.regional_manager, region.regional_analyst):
        user.memberships.update(active=False)

    snapshot_services.dashboard_snapshots_refresh()

    assert snapshot_services.kept_scopes() == []
    assert not DashboardSnapshot.objects.exists()


def test_one_authority_a_legal_status_an_establishment_or_another_period_is_counted_now(client, region):
    snapshot_services.dashboard_snapshots_refresh()
    period = {"period_from": "2026-11-01", "period_to": "2026-11-30"}

    for params in (
        {**period, "local_authority": region.la_b.pk},
        {**period, "legal_status": dashboard.LOOKED_AFTER_ANY},
        {"period_from": "2026-11-02", "period_to": "2026-11-30"},
    ):
        response = page_board(client, region.regional_manager, **params)
        assert response.context["board"].counted_at is None, params
        assert "These figures were counted at" not in response.content.decode()
    assert headline(page_board(client, region.regional_manager, **period).context["board"], "episodes") == (4, 1)
    one = page_board(client, region.regional_manager, **period, local_authority=region.la_b.pk).context["board"]
    assert headline(one, "episodes") == (2, 0)  # Dan's, and Casey's (Stockport's child)


def test_a_reader_from_whom_a_child_is_restricted_is_counted_in_their_own_scope(client, region):
    """The kept figures count every child; a named reader never counts one hidden from them."""
    stockport_manager = person(Role.MANAGER, region.council_b, full_name="Stella Stockport")
    child_restrict(child=region.dan, by=stockport_manager, reason="Witness protection")
    snapshot_services.dashboard_snapshots_refresh()

    board = page_board(client, region.regional_manager).context["board"]

    assert board.counted_at is None
    assert headline(board, "episodes") == (3, 1)
    assert headline(board, "children") == (2, 1)


def test_a_regional_analyst_reads_the_kept_figures_with_small_counts_withheld(client, region):
    snapshot_services.dashboard_snapshots_refresh()

    board = page_board(client, region.regional_analyst).context["board"]

    assert board.counted_at == NOW + 2 * MINUTE
    assert board.suppressed
    assert headline(board, "episodes") == (None, None)  # 4 and 1: small counts


def test_figures_kept_too_long_ago_are_not_shown(client, region, clock):
    snapshot_services.dashboard_snapshots_refresh()
    clock.shift(dashboard.KEPT_FIGURES_SHOWN_FOR + MINUTE)
    episode(region.dan, 25)

    board = page_board(client, region.regional_manager).context["board"]

    assert board.counted_at is None
    assert headline(board, "episodes") == (5, 1)


def test_the_summary_api_says_when_its_figures_were_counted(client, region):
    snapshot_services.dashboard_snapshots_refresh()
    client.force_login(region.regional_manager)

    kept = client.get("/api/v1/reports/summary/").json()
    counted_now = client.get("/api/v1/reports/summary/", {"local_authority": region.la_a.pk}).json()

    assert kept["counted_at"] == "2026-12-02T10:02:00Z"
    assert kept["headlines"][0]["value"] == 4
    assert counted_now["counted_at"] is None


def test_celery_beat_refreshes_the_kept_figures_and_so_does_the_command(region, clock):
    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-dashboard-snapshots"]
    assert schedule["task"] == refresh_dashboard_snapshots.name
    assert schedule["schedule"] == settings.DASHBOARD_REFRESH_SECONDS

    assert refresh_dashboard_snapshots() == 2
    clock.shift(MINUTE)
    out = StringIO()
    call_command("refresh_dashboard_figures", "--force", stdout=out)
    assert "Counted 2 set(s) of figures." in out.getvalue()
