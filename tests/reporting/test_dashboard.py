"""The manager dashboard: each figure against a small history whose answers are known, who sees
it, the records behind a figure, bad filters, and a bounded number of queries.

The history (November 2026, GMT, so UK time is UTC; Manchester is LA-A, Stockport LA-B):

| # | child | category | last seen (UK) | returned after | from | found | how returned |
| 1 | Amy   | missing | Mon 2 Nov 22:30 | 3h30 | M14 5AB, Oak House | M1 1AE | police |
| 2 | Amy   | absent  | Tue 10 Nov 09:00 | 6h exactly | M14 5AB, Oak House | M14 7XY | own accord |
| 3 | Amy   | missing | Fri 20 Nov 14:00 | 7 days exactly | M14 5AB, Oak House | - | - |
| 4 | Ben   | missing | Sat 14 Nov 01:15 | 23h59 | M20 2AB | M20 2AB | family |
| 5 | Cara  | away    | Mon 30 Nov 23:59 | still away | -, Elm Lodge | - | - |
| 9 | Ben   | absent  | Tue 24 Nov 18:00 | 48h | SK1 3XE | - | carer |
| 10| Eve   | missing | Thu 5 Nov 10:00 | 72h exactly | M14 9ZZ | - | own accord |

Amy (born 1 Jun 2012, female, WBRI, care order), Ben (born 15 Jan 2010, male, no legal status),
Cara (born 1 Dec 2013: 12 on 30 November; female, AIND, section 20; Stockport's, placed in
Manchester), Eve (no date of birth, gender not known). Dan is Stockport's, with one November
episode. The previous period (2 to 31 October) has two episodes, one on 2 October 00:30 BST.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import Establishment, Gender, LegalStatus, PlacementType
from episodes.models import Category, Episode, EpisodeState, Source
from interviews.models import InterviewRecord, ReturnInterview, Status, Triage
from organisations.roles import Role
from privacy.models import AccessLogEntry
from reporting import dashboard, dashboard_views
from reporting.dashboard import Filters
from reporting.templatetags import dashboard_charts
from tests.factories import AgencyFactory, make_child, person

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
HOURS = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(month, day, hour=12, minute=0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def episode(child, last_seen, returned=None, *, category=Category.MISSING, **fields) -> Episode:
    return Episode.objects.create(
        child=child,
        local_authority=child.host_authority or child.responsible_authority,
        category=category,
        whereabouts_known=category == Category.AWAY,
        last_seen_at=last_seen,
        reported_at=last_seen,
        returned_at=returned,
        state=EpisodeState.RETURNED if returned else EpisodeState.MISSING,
        source=Source.FORM,
        **fields,
    )


def interview(after: Episode, status: str, *, completed_after=None, primary_factor="") -> ReturnInterview:
    made = ReturnInterview.objects.create(
        child=after.child,
        local_authority=after.local_authority,
        status=status,
        returned_at=after.returned_at,
        due_at=after.returned_at + 72 * HOURS,
        completed_at=after.returned_at + completed_after if completed_after else None,
        triage=Triage.RED,
    )
    made.episodes.add(after)
    if primary_factor:
        InterviewRecord.objects.create(interview=made, primary_factor=primary_factor)
    return made


@pytest.fixture
def history(world):
    oak = Establishment.objects.create(
        name="Oak House", placement_type=PlacementType.RESIDENTIAL, local_authority=world.la_a, postcode="M14 5AB"
    )
    elm = Establishment.objects.create(
        name="Elm Lodge", placement_type=PlacementType.RESIDENTIAL, local_authority=world.la_a
    )
    amy = make_child(
        responsible=world.la_a,
        given_name="Amy",
        family_name="Ashworth",
        date_of_birth=datetime.date(2012, 6, 1),
        gender=Gender.FEMALE,
        ethnicity_code="WBRI",
        legal_status=LegalStatus.LOOKED_AFTER_CARE_ORDER,
        establishment=oak,
    )
    ben = make_child(
        responsible=world.la_a,
        given_name="Ben",
        family_name="Barlow",
        date_of_birth=datetime.date(2010, 1, 15),
        gender=Gender.MALE,
    )
    cara = make_child(
        responsible=world.la_b,
        host_authority=world.la_a,
        given_name="Cara",
        family_name="Chowdhury",
        date_of_birth=datetime.date(2013, 12, 1),
        gender=Gender.FEMALE,
        ethnicity_code="AIND",
        legal_status=LegalStatus.LOOKED_AFTER_S20,
        establishment=elm,
    )
    eve = make_child(responsible=world.la_a, given_name="Eve", family_name="Evans", date_of_birth=None)
    dan = make_child(responsible=world.la_b, given_name="Dan", family_name="Dempsey")
    oak_house = {"establishment": oak, "missing_from_postcode": "M14 5AB"}
    e = {
        1: episode(amy, at(11, 2, 22, 30), at(11, 3, 2), found_postcode="M1 1AE", return_method="police", **oak_house),
        2: episode(
            amy,
            at(11, 10, 9),
            at(11, 10, 15),
            category=Category.ABSENT,
            found_postcode="M14 7XY",
            return_method="own_accord",
            **oak_house,
        ),
        3: episode(amy, at(11, 20, 14), at(11, 27, 14), **oak_house),
        4: episode(
            ben,
            at(11, 14, 1, 15),
            at(11, 15, 1, 14),
            missing_from_postcode="M20 2AB",
            found_postcode="M20 2AB",
            return_method="family",
        ),
        5: episode(cara, at(11, 30, 23, 59), category=Category.AWAY, establishment=elm),
        9: episode(
            ben,
            at(11, 24, 18),
            at(11, 26, 18),
            category=Category.ABSENT,
            missing_from_postcode="SK1 3XE",
            return_method="carer",
        ),
        10: episode(eve, at(11, 5, 10), at(11, 8, 10), missing_from_postcode="M14 9ZZ", return_method="own_accord"),
        # Outside November: December, 31 October (GMT), 2 October 00:30 BST, 1 October 23:30 BST.
        6: episode(ben, at(12, 1, 0, 30)),
        7: episode(amy, at(10, 31, 23, 30), at(11, 1, 3)),
        8: episode(ben, at(10, 1, 23, 30), at(10, 2, 3)),
        11: episode(ben, at(10, 1, 22, 30), at(10, 1, 23)),
        # Stockport's own child.
        12: episode(dan, at(11, 5, 10), at(11, 5, 12)),
    }
    i = {
        "within": interview(e[1], Status.COMPLETED, completed_after=70 * HOURS, primary_factor="conflict_home"),
        "late": interview(e[3], Status.COMPLETED, completed_after=73 * HOURS, primary_factor="friends"),
        "declined": interview(e[4], Status.DECLINED),
        "cancelled": interview(e[9], Status.CANCELLED),
        "not_appropriate": interview(e[10], Status.NOT_APPROPRIATE),
        "no_contact": interview(e[2], Status.NO_CONTACT),
        "previous": interview(e[7], Status.COMPLETED, completed_after=10 * HOURS),
    }
    return {"episodes": e, "interviews": i, "amy": amy, "ben": ben, "cara": cara, "eve": eve, "dan": dan}


NOVEMBER = {"period_from": "2026-11-01", "period_to": "2026-11-30"}


def board_for(user, **filters) -> dashboard.Dashboard:
    authorities = tuple(a.pk for a in dashboard.dashboard_authorities(user))
    chosen = Filters(authorities=authorities, start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30))
    for name, value in filters.items():
        chosen = Filters(**{**chosen.__dict__, name: value})
    return dashboard.dashboard_build(scope=dashboard.countable_episodes(user), filters=chosen)


def figures(board) -> dict[str, tuple[int, int]]:
    return {f.label: (f.value, f.previous) for f in board.headlines + board.interviews}


def rows(board, measure) -> list[tuple[str, int, int]]:
    (breakdown,) = [b for b in board.breakdowns if b.measure == measure]
    return [(row.key, row.count, row.children) for row in breakdown.rows]


def test_headline_figures_and_the_previous_period(world, history):
    board = board_for(world.manager_a)
    assert board.previous.start == datetime.date(2026, 10, 2) and board.previous.end == datetime.date(2026, 10, 31)
    assert figures(board) == {
        "Episodes": (7, 2),
        "Children": (4, 2),
        "Children with 2 or more episodes": (2, 0),
        "Missing": (4, 2),
        "Absent": (2, 0),
        "Away from placement without authorisation": (1, 0),
        "Return interviews offered": (4, 1),
        "Completed": (2, 1),
        "Declined": (1, 0),
        "Completed within 72 hours of return": (1, 1),
    }
    assert board.interviews[-1].percent == 50
    assert [f.change_words for f in board.headlines[:3]] == ["+5", "+2", "+2"]


def test_an_interview_covering_episodes_of_both_periods_counts_once_in_each(world):
    child = make_child(responsible=world.la_a)
    october = episode(child, at(10, 20, 9), at(10, 20, 12))
    november = [episode(child, at(11, day, 9), at(11, day, 12)) for day in (3, 4)]
    both = interview(november[0], Status.COMPLETED, completed_after=HOURS)
    both.episodes.add(october, november[1])

    interviews = {f.label: (f.value, f.previous) for f in board_for(world.manager_a).interviews}

    assert interviews["Return interviews offered"] == (1, 1)
    assert interviews["Completed within 72 hours of return"] == (1, 1)


def test_duration_bands_put_each_boundary_in_the_longer_band(world, history):
    assert rows(board_for(world.manager_a), "duration") == [
        ("under-6h", 1, 1),
        ("6-24h", 2, 2),  # 6 hours exactly and 23h59
        ("1-3d", 1, 1),
        ("3-7d", 1, 1),  # 72 hours exactly
        ("7d-plus", 1, 1),  # 7 days exactly
        ("still-missing", 1, 1),
    ]


def test_time_of_day_and_day_of_week(world, history):
    board = board_for(world.manager_a)
    assert rows(board, "time_of_day") == [
        ("00-04", 1, 1),
        ("04-08", 0, 0),
        ("08-12", 2, 2),
        ("12-16", 1, 1),
        ("16-20", 1, 1),
        ("20-24", 2, 2),
    ]
    assert rows(board, "day_of_week") == [
        ("1", 2, 2),
        ("2", 2, 2),
        ("3", 0, 0),
        ("4", 1, 1),
        ("5", 1, 1),
        ("6", 1, 1),
        ("7", 0, 0),
    ]


def test_time_of_day_and_day_are_uk_time_in_summer(world):
    child = make_child(responsible=world.la_a)
    episode(child, datetime.datetime(2026, 7, 6, 23, 30, tzinfo=UTC))  # Tuesday 7 July 00:30 BST
    board = board_for(world.manager_a, start=datetime.date(2026, 7, 7), end=datetime.date(2026, 7, 7))
    assert figures(board)["Episodes"] == (1, 0)
    assert [key for key, n, _ in rows(board, "time_of_day") if n] == ["00-04"]
    assert [key for key, n, _ in rows(board, "day_of_week") if n] == ["2"]


def test_establishments_and_postcode_districts(world, history):
    board = board_for(world.manager_a)
    assert rows(board, "establishment") == [("Oak House", 3, 1), ("Elm Lodge", 1, 1), ("none", 3, 2)]
    assert rows(board, "district") == [("M14", 4, 2), ("M20", 1, 1), ("SK1", 1, 1), ("none", 1, 1)]
    assert rows(board, "found_district") == [("M1", 1, 1), ("M14", 1, 1), ("M20", 1, 1), ("none", 4, 4)]
    assert rows(board, "return_method") == [
        ("own_accord", 2, 2),
        ("police", 1, 1),
        ("family", 1, 1),
        ("carer", 1, 1),
        ("other", 0, 0),
        ("none", 2, 2),
    ]


def test_age_gender_ethnicity_care_and_placement(world, history):
    board = board_for(world.manager_a)
    # Cara turns 13 on 1 December: 12 on the last day of November.
    assert rows(board, "age") == [
        ("12-under", 1, 1),
        ("13-14", 3, 1),
        ("15", 0, 0),
        ("16-17", 2, 1),
        ("18-over", 0, 0),
        ("none", 1, 1),
    ]
    assert rows(board, "gender") == [("male", 2, 1), ("female", 4, 2), ("other", 0, 0), ("unknown", 1, 1)]
    assert rows(board, "ethnicity") == [("WBRI", 3, 1), ("AIND", 1, 1), ("none", 3, 2)]
    assert rows(board, "looked_after") == [("looked-after", 4, 2), ("not-looked-after", 3, 2)]
    assert rows(board, "out_of_area") == [("out-of-area", 1, 1), ("in-area", 6, 3)]


def test_primary_push_and_pull_factors_of_completed_interviews(world, history):
    board = board_for(world.manager_a)
    assert [(key, n) for key, n, _ in rows(board, "push_factor") if n] == [("conflict_home", 1)]
    assert [(key, n) for key, n, _ in rows(board, "pull_factor") if n] == [("friends", 1)]


@pytest.mark.postgres
@pytest.mark.parametrize("legal_status", ["", dashboard.LOOKED_AFTER_ANY])
def test_the_measures_grouped_in_one_query_match_one_query_a_measure(world, history, legal_status):
    # PostgreSQL groups every measure in one query (GROUPING SETS); SQLite runs one a measure.
    filters = Filters(
        authorities=(world.la_a.pk, world.la_b.pk),
        start=datetime.date(2026, 10, 1),
        end=datetime.date(2026, 12, 31),
        legal_status=legal_status,
    )
    episodes = dashboard.episodes_in_period(dashboard.countable_episodes(world.manager_a), filters)
    one_a_measure = {m.name: dashboard._rows(m, episodes, filters) for m in dashboard.EPISODE_MEASURES}

    with CaptureQueriesContext(connection) as captured:
        grouped = dashboard._measure_rows(dashboard.EPISODE_MEASURES, episodes, filters)

    assert grouped == one_a_measure
    assert sum(row.count for row in grouped["category"]) > 0
    assert len(captured) == 1


def test_filters_by_authority_legal_status_and_establishment(world, history):
    oak = Establishment.objects.get(name="Oak House")
    assert figures(board_for(world.manager_a, legal_status="looked_after"))["Episodes"] == (4, 1)
    assert figures(board_for(world.manager_a, legal_status="not_looked_after"))["Episodes"] == (3, 1)
    assert figures(board_for(world.manager_a, legal_status="looked_after_s20"))["Episodes"] == (1, 0)
    assert figures(board_for(world.manager_a, establishment=oak.pk))["Episodes"] == (3, 0)


def test_a_coordinator_counts_only_their_authoritys_children(world, history):
    # Stockport's coordinator: Cara (theirs, placed in Manchester) and Dan.
    assert figures(board_for(world.coordinator_b))["Episodes"] == (2, 0)
    assert figures(board_for(world.coordinator_a))["Episodes"] == (7, 2)


def test_an_analyst_counts_the_same_episodes_as_the_manager(world, history):
    assert figures(board_for(world.analyst_a)) == figures(board_for(world.manager_a))
    assert not Episode.objects.visible_to(world.analyst_a).exists()


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reporting:dashboard"), params)


def records(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reporting:dashboard_records"), params)


def test_the_page_defaults_to_last_month_with_a_chart_and_a_table_per_measure(client, world, history):
    response = page(client, world.manager_a)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Episodes last seen from 1 November 2026 to 30 November 2026 (UK time)" in text
    assert "compared with 2 October 2026 to 31 October 2026" in text
    assert text.count('role="img"') == len(response.context["board"].breakdowns)
    assert '<title id="duration-chart-title">Bar chart of episodes: How long</title>' in text
    assert "6 to 24 hours: 2" in text  # the chart's description
    assert "?measure=duration&amp;value=6-24h&amp;period_from=2026-11-01&amp;period_to=2026-11-30" in text


def test_the_drill_down_lists_exactly_the_episodes_behind_a_figure(client, world, history):
    e = history["episodes"]
    response = records(client, world.manager_a, measure="duration", value="6-24h", **NOVEMBER)
    text = response.content.decode()
    listed = [ep for ep in e.values() if ep.get_absolute_url() + '"' in text]
    assert listed == [e[2], e[4]]
    assert "2 episodes counted in this figure" in text
    assert "Amy Ashworth" in text and "Ben Barlow" in text
    logged = set(AccessLogEntry.objects.filter(user=world.manager_a).values_list("child_id", flat=True))
    assert logged == {history["amy"].pk, history["ben"].pk}


def test_the_drill_down_of_repeat_children_and_of_a_district(client, world, history):
    e = history["episodes"]
    text = records(client, world.manager_a, measure="repeat", **NOVEMBER).content.decode()
    assert [n for n, ep in e.items() if ep.get_absolute_url() + '"' in text] == [1, 2, 3, 4, 9]
    text = records(client, world.manager_a, measure="district", value="M14", **NOVEMBER).content.decode()
    assert [n for n, ep in e.items() if ep.get_absolute_url() + '"' in text] == [1, 2, 3, 10]


def test_the_drill_down_of_an_interview_figure_lists_the_interviews(client, world, history):
    i = history["interviews"]
    text = records(client, world.manager_a, measure="interviews", value="offered", **NOVEMBER).content.decode()
    assert {name for name, iv in i.items() if iv.get_absolute_url() + '"' in text} == {
        "within",
        "late",
        "declined",
        "no_contact",
    }
    text = records(client, world.manager_a, measure="interviews", value="within-72h", **NOVEMBER).content.decode()
    assert {name for name, iv in i.items() if iv.get_absolute_url() + '"' in text} == {"within"}
    text = records(client, world.manager_a, measure="pull_factor", value="friends", **NOVEMBER).content.decode()
    assert {name for name, iv in i.items() if iv.get_absolute_url() + '"' in text} == {"late"}


def test_another_authoritys_children_are_never_in_the_drill_down(client, world, history):
    text = records(client, world.coordinator_a, measure="all", **NOVEMBER).content.decode()
    assert "Dan Dempsey" not in text and history["episodes"][12].get_absolute_url() not in text
    text = records(client, world.coordinator_b, measure="all", **NOVEMBER).content.decode()
    assert "Dan Dempsey" in text and "Cara Chowdhury" in text
    assert "Amy Ashworth" not in text and "Ben Barlow" not in text
    # Choosing the other authority in the address is a bad filter, not a way in.
    response = records(client, world.coordinator_a, measure="all", local_authority=world.la_b.pk, **NOVEMBER)
    assert "Local authority must be one of the authorities in the list" in response.content.decode()
    assert "Dan Dempsey" not in response.content.decode()


def test_an_analyst_sees_figures_without_names_or_links_and_no_records(client, world, history):
    response = page(client, world.analyst_a)
    text = response.content.decode()
    assert response.status_code == 200
    assert "You see the figures only" in text
    # Seven episodes in November: every count is small, so the analyst sees none of them.
    assert "counts from 1 to 5 are shown as" in text and "Suppressed" in text
    assert "Suppressed" not in page(client, world.manager_a).content.decode()
    for child in ("amy", "ben", "cara", "eve", "dan"):
        assert history[child].family_name not in text
    assert reverse("reporting:dashboard_records") not in text
    assert records(client, world.analyst_a, measure="all", **NOVEMBER).status_code == 403


def test_people_without_the_dashboard_get_a_404(client, world):
    for user in (world.police_f1, world.social_worker_a, world.rhi_worker, world.iro_a):
        assert page(client, user).status_code == 404
        assert records(client, user, measure="all").status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"period_from": "2026-13-01", "period_to": "2026-11-30"},
            "Start of the period must be a date, like 2026-11-01",
        ),
        ({"period_from": "2026-11-01", "period_to": "soon"}, "End of the period must be a date, like 2026-11-01"),
        ({"period_from": "2026-11-30", "period_to": "2026-11-01"}, "End of the period must be the same as or after"),
        ({"period_from": "2026-11-01"}, "End of the period must be given with its start"),
        ({"period_from": "0001-01-01", "period_to": "2026-11-30"}, "Start of the period must be on or after 1 January"),
        (
            {"period_from": "2026-11-01", "period_to": "9999-12-31"},
            "End of the period must be on or before 31 December",
        ),
        ({"period_from": "2016-11-01", "period_to": "2026-11-30"}, "The period can be at most 5 years long"),
        ({"establishment": "abc"}, "Establishment must be one of the establishments in the list"),
        ({"legal_status": "orphan"}, "Legal status must be one of the statuses in the list"),
        ({"local_authority": "999999"}, "Local authority must be one of the authorities in the list"),
    ],
)
def test_a_bad_filter_says_which_field_and_shows_no_figures(client, world, history, params, message):
    response = page(client, world.manager_a, **params)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text and "There is a problem" in text
    assert response.context["board"] is None and 'role="img"' not in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"measure": "shoe_size"}, "The dashboard has no figure called “shoe_size”."),
        ({"measure": "duration", "value": "forever"}, "“forever” is not one of the values of “How long”."),
        ({"measure": "district"}, "Say which value of “Postcode district missing from” to list."),
    ],
)
def test_a_drill_down_of_no_figure_says_so(client, world, history, params, message):
    response = records(client, world.manager_a, **params, **NOVEMBER)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AccessLogEntry.objects.filter(user=world.manager_a).exclude(child_id=None).exists()


def _queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("reporting:dashboard"))  # warm the session and caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reporting:dashboard"), NOVEMBER).status_code == 200
    return len(captured)


def test_the_page_makes_the_same_number_of_queries_for_3_and_30_episodes(client, world):
    children = [make_child(responsible=world.la_a) for _ in range(3)]

    def add(count):
        for n in range(count):
            ep = episode(children[n % 3], at(11, 1 + n % 28, n % 24), at(11, 1 + n % 28, n % 24) + 2 * HOURS)
            interview(ep, Status.COMPLETED, completed_after=HOURS, primary_factor="bullying")

    add(3)
    few = _queries(client, world.manager_a)
    add(27)
    # The session, the user, memberships with their authorities; the authorities by name; the
    # governance packs the reader asked for; both periods' episodes (1) and interviews (1); the
    # episode measures (1 on PostgreSQL, 14 on SQLite); the push and pull factors (1); the
    # establishments to choose from; unread notifications; the access log row.
    assert _queries(client, world.manager_a) == few
    assert few <= (12 if connection.vendor == "postgresql" else 25)


def _records_queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("reporting:dashboard"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reporting:dashboard_records"), {"measure": "all", **NOVEMBER})
    assert response.status_code == 200
    return len(captured)


def test_the_records_behind_a_figure_take_the_same_number_of_queries_for_3_and_30(client, world):
    children = [make_child(responsible=world.la_a) for _ in range(3)]
    for n in range(3):
        episode(children[n], at(11, 1 + n))
    few = _records_queries(client, world.manager_a)
    for n in range(27):
        episode(children[n % 3], at(11, 4 + n % 25, n % 24))
    # The framework's queries as for the dashboard; memberships, authorities and the episode
    # scope; the form's choices; the count and the page of episodes (with child, force and
    # establishment joined); the access log rows in one insert.
    assert _records_queries(client, world.manager_a) == few


def test_an_analysts_home_page_points_to_the_dashboard(client, world):
    client.force_login(world.analyst_a)
    text = client.get(reverse("home")).content.decode()
    assert f'not named children: see them on the <a class="govuk-link" href="{reverse("reporting:dashboard")}">' in text


def test_a_long_table_shows_its_largest_rows_and_every_row_when_asked(client, world, history, monkeypatch):
    monkeypatch.setattr(dashboard_views, "LONGEST_TABLE", 2)
    monkeypatch.setattr(dashboard_charts, "MOST_BARS", 2)

    response = page(client, world.manager_a, **NOVEMBER)
    shown = next(b for b in response.context["board"].breakdowns if b.measure == "establishment")
    text = response.content.decode()

    assert [(r.label, r.count) for r in shown.rows] == [("Oak House", 3), ("Elm Lodge", 1)]
    assert shown.left_out == 1
    assert "The 2 with the most episodes; 1 more not shown." in text
    assert "whole=establishment#establishment-heading" in text

    response = page(client, world.manager_a, **NOVEMBER, whole="establishment")
    whole = next(b for b in response.context["board"].breakdowns if b.measure == "establishment")
    text = response.content.decode()

    assert [(r.label, r.count) for r in whole.rows] == [("Oak House", 3), ("Elm Lodge", 1), ("Not recorded", 3)]
    assert "Every row is shown; the chart shows the 2 largest." in text
    chart = text[text.index('id="establishment-chart-desc"') :].split("</desc>")[0]
    assert "Oak House: 3; Elm Lodge: 1" in chart and "Not recorded" not in chart
    # The other long tables are still cut.
    district = next(b for b in response.context["board"].breakdowns if b.measure == "district")
    assert len(district.rows) == 2 and district.left_out == 2


def test_a_reader_of_many_authorities_chooses_an_authority_before_a_long_list_of_establishments(
    client, world, history, monkeypatch
):
    monkeypatch.setattr(dashboard_views, "MOST_ESTABLISHMENTS", 2)
    birch = Establishment.objects.create(
        name="Birch Court", placement_type=PlacementType.RESIDENTIAL, local_authority=world.la_b
    )
    regional = person(Role.MANAGER, AgencyFactory(name="Regional team", serves=[world.la_a, world.la_b]))

    def choices(response):
        return [label for _, label in response.context["form"].fields["establishment"].choices]

    every = page(client, regional, **NOVEMBER)
    assert choices(every) == ["Any establishment"]
    assert "Choose a local authority and apply the filters first" in every.content.decode()

    stockport = page(client, regional, **NOVEMBER, local_authority=world.la_b.pk)
    assert choices(stockport) == ["Any establishment", "Birch Court"]
    assert page(client, regional, **NOVEMBER, local_authority=world.la_b.pk, establishment=birch.pk).context["board"]

    refused = page(client, regional, **NOVEMBER, establishment=birch.pk)
    assert refused.context["board"] is None
    assert "Choose a local authority before choosing an establishment" in refused.content.decode()
    # A reader of one authority is offered all its establishments, however many.
    assert choices(page(client, world.manager_a, **NOVEMBER)) == ["Any establishment", "Elm Lodge", "Oak House"]
