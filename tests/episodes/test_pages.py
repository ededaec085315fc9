"""The episode list, the episode page with its timeline, the child page's episode section and the
navigation: what each person sees, and what they may not."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines.services import sweep
from episodes import selectors, services
from episodes.models import Episode
from tests.factories import make_child, make_episode

pytestmark = pytest.mark.django_db

# 12:00 in London (GMT), a Friday.
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def uk(moment: datetime.datetime) -> str:
    """A feed date-time with its offset, to the second."""
    return moment.isoformat()


def episode(child, *, hours_ago: float = 2, **row) -> Episode:
    seen = NOW - datetime.timedelta(hours=hours_ago)
    row.setdefault("last_seen_at", uk(seen))
    row.setdefault("reported_at", uk(seen))
    return make_episode(child=child, **row)


def body(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def positions(text: str, *needles: str) -> list[int]:
    missing = [needle for needle in needles if needle not in text]
    assert not missing, missing
    return [text.index(needle) for needle in needles]


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_only_episodes_of_children_in_scope(client, world):
    episode(world.c1, force_reference="MP/1001")
    episode(world.c3, force_reference="MP/1003", local_authority="Stockport")
    episode(world.c4, force_reference="MP/1004")

    client.force_login(world.coordinator_a)
    page = body(client, reverse("episodes:list"))

    assert "Chloe Ashdown" in page and "GMP MP/1001" in page
    assert "Casey Oduya" in page and "GMP MP/1004" in page
    assert "Callum Brennan" not in page and "MP/1003" not in page
    assert "2 episodes" in page


def test_police_see_their_own_forces_episodes_and_not_another_forces(client, world):
    episode(world.c1, force_reference="MP/2001")
    episode(world.c3, force="WMP", force_reference="WM/2003", local_authority="Stockport")

    client.force_login(world.police_f2)
    page = body(client, reverse("episodes:list"))

    assert "WMP WM/2003" in page
    assert "MP/2001" not in page and "Chloe Ashdown" not in page


def test_an_open_episode_says_how_long_the_child_has_been_missing(client, world):
    episode(world.c1, hours_ago=5.5)
    client.force_login(world.coordinator_a)
    assert "Missing for 5 hours 30 minutes so far" in body(client, reverse("episodes:list"))


def test_the_list_filters_by_state_category_risk_authority_and_last_seen_dates(client, world):
    episode(world.c1, force_reference="MP/3001", risk_level="high")  # missing, today
    returned = episode(
        world.c1,
        hours_ago=24 * 5,
        force_reference="MP/3002",
        category="absent",
        risk_level="low",
        returned_at=uk(NOW - datetime.timedelta(days=5) + datetime.timedelta(hours=3)),
    )
    episode(world.c4, hours_ago=24 * 40, force_reference="MP/3003", local_authority="Stockport")
    client.force_login(world.coordinator_b)  # sees c4 (Stockport's child) only
    assert "MP/3003" in body(client, reverse("episodes:list"), local_authority=world.la_b.pk)
    client.force_login(world.coordinator_a)
    url = reverse("episodes:list")

    def shown(**filters) -> set[str]:
        page = body(client, url, **filters)
        return {ref for ref in ("MP/3001", "MP/3002", "MP/3003") if ref in page}

    assert shown() == {"MP/3001", "MP/3002", "MP/3003"}
    assert shown(state="missing") == {"MP/3001", "MP/3003"}
    assert shown(state="returned") == {"MP/3002"}
    assert shown(category="absent") == {"MP/3002"}
    assert shown(risk_level="high") == {"MP/3001"}
    assert shown(local_authority=world.la_a.pk) == {"MP/3001", "MP/3002"}
    assert shown(last_seen_from="2026-11-14") == {"MP/3001", "MP/3002"}
    # UK days, the last one included: 5 days ago (15 Nov) and 40 days ago (11 Oct).
    assert shown(last_seen_from="2026-10-11", last_seen_to="2026-11-15") == {"MP/3002", "MP/3003"}
    assert returned.state == "returned"


def test_a_bad_filter_says_what_is_wrong(client, world):
    client.force_login(world.coordinator_a)
    page = body(client, reverse("episodes:list"), last_seen_from="31/02/2026", last_seen_to="")
    assert "There is a problem" in page and "Enter a valid date" in page
    page = body(client, reverse("episodes:list"), last_seen_from="2026-11-10", last_seen_to="2026-11-01")
    assert "The end date must be the same as or after the start date" in page


def test_the_list_sorts_by_last_seen_or_by_time_missing_longest_first(client, world):
    episode(world.c1, hours_ago=3, force_reference="MP/4003")  # missing 3 hours so far
    episode(world.c1, hours_ago=10, force_reference="MP/4010")  # missing 10 hours so far
    episode(
        world.c1,
        hours_ago=24 * 5,
        force_reference="MP/4120",
        returned_at=uk(NOW - datetime.timedelta(days=5) + datetime.timedelta(hours=1)),
    )  # lasted 1 hour
    episode(
        world.c1,
        hours_ago=24 * 6,
        force_reference="MP/4144",
        returned_at=uk(NOW - datetime.timedelta(days=6) + datetime.timedelta(hours=30)),
    )  # lasted 30 hours
    client.force_login(world.coordinator_a)

    by_last_seen = body(client, reverse("episodes:list"))
    longest = body(client, reverse("episodes:list"), sort="longest")

    def order(page):
        refs = ["MP/4003", "MP/4010", "MP/4120", "MP/4144"]
        return sorted(refs, key=page.index)

    assert order(by_last_seen) == ["MP/4003", "MP/4010", "MP/4120", "MP/4144"]
    assert order(longest) == ["MP/4144", "MP/4010", "MP/4003", "MP/4120"]


def test_sorted_by_risk_the_highest_grade_comes_first_and_within_it_the_longest_missing(client, world):
    episode(world.c1, hours_ago=80, force_reference="MP/6080", risk_level="low")
    episode(world.c1, hours_ago=3, force_reference="MP/6003", risk_level="high")
    episode(world.c4, hours_ago=30, force_reference="MP/6030", risk_level="high")
    episode(world.c4, hours_ago=50, force_reference="MP/6050", risk_level="medium")
    client.force_login(world.coordinator_a)

    page = body(client, reverse("episodes:list"), sort="risk", state="missing")

    refs = ["MP/6003", "MP/6030", "MP/6050", "MP/6080"]
    assert sorted(refs, key=page.index) == ["MP/6030", "MP/6003", "MP/6050", "MP/6080"]
    assert '<option value="risk" selected>Risk grade, highest first, then longest missing</option>' in page


def test_the_list_shows_25_episodes_a_page(client, world):
    for n in range(26):
        episode(world.c1, hours_ago=n + 1, force_reference=f"MP/5{n:03d}")
    client.force_login(world.coordinator_a)

    first = body(client, reverse("episodes:list"))
    second = body(client, reverse("episodes:list"), page=2)

    assert first.count("episode last seen") == 25 and "MP/5025" not in first
    assert second.count("episode last seen") == 1 and "MP/5025" in second


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_the_list_takes_the_same_queries_for_10_and_100_episodes(client, world):
    client.force_login(world.coordinator_a)
    client.get(reverse("home"))  # the first request records the session in the session list
    for n in range(10):
        episode(world.c1 if n % 2 else world.c4, hours_ago=n + 1)
    url = reverse("episodes:list") + "?sort=longest"
    with_10 = _queries(client, url)
    for n in range(90):
        episode(world.c1 if n % 2 else world.c4, hours_ago=n + 20)
    with_100 = _queries(client, url)
    # session, user, memberships with their authorities, the filter's local authorities, count,
    # page of episodes, the inbox's unread count, the access log's rows (one insert); the session
    # is saved only every SESSION_RENEW_SECONDS
    assert len(with_10) == len(with_100) == 8, "\n".join(with_100)


# --- The episode page -----------------------------------------------------------------------


def test_outsiders_get_404_on_the_episode_and_every_form(client, world):
    record = episode(world.c1)
    routes = ["detail", "record_return", "reclassify", "safe_and_well", "close", "reopen"]
    for outsider in (world.coordinator_b, world.police_f2, world.analyst_a, world.rhi_worker):
        client.force_login(outsider)
        for route in routes:
            url = reverse(f"episodes:{route}", args=[record.pk])
            assert client.get(url).status_code == 404, (outsider, route)
            assert client.post(url, {"version": 1, "reason": "x", "category": "absent"}).status_code == 404
    record.refresh_from_db()
    assert record.version == 1 and record.history.count() == 1


def test_an_out_of_scope_episode_and_a_missing_one_look_the_same(client, world):
    record = episode(world.c1)
    client.force_login(world.coordinator_b)
    assert client.get(reverse("episodes:detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("episodes:detail", args=[record.pk + 1000])).status_code == 404


def test_the_episode_page_shows_the_record(client, world):
    record = episode(
        world.c1,
        hours_ago=26,
        force_reference="MP/6001",
        risk_level="high",
        missing_from="home",
        missing_from_postcode="m1 1ae",
        last_seen_location="Piccadilly Gardens",
        reported_by="parent",
        circumstances="Left after an argument",
        cse_concern="no",
        officer="PC 1234 Shah",
        returned_at=uk(NOW - datetime.timedelta(hours=2)),
        found_location="Friend's house",
        found_postcode="M14 5RX",
        return_method="police",
    )
    client.force_login(world.social_worker_a)
    page = body(client, record.get_absolute_url())

    for text in (
        "Chloe Ashdown",
        "Greater Manchester Police, MP/6001",
        "High",
        "Returned",
        "19 Nov 2026 10:00",  # last seen, UK time
        "20 Nov 2026 10:00",  # returned
        "1 day",  # 24 hours
        "Piccadilly Gardens",
        "M1 1AE",
        "Friend&#x27;s house",
        "M14 5RX",
        "Found or brought back by the police",
        "parent",
        "Left after an argument",
        "PC 1234 Shah",
        "Manchester",
        "Due by 21 Nov 2026 10:00",  # the safe-and-well check, 24 hours after return
    ):
        assert text in page, text


def test_times_are_shown_in_uk_summer_time(client, world, clock):
    clock.move_to(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC))
    record = make_episode(child=world.c1, last_seen_at="2026-07-01T09:00", reported_at="2026-07-01T09:30")
    client.force_login(world.coordinator_a)
    assert record.last_seen_at == datetime.datetime(2026, 7, 1, 8, 0, tzinfo=datetime.UTC)
    assert "1 Jul 2026 09:00" in body(client, record.get_absolute_url())


def test_children_who_went_missing_together_are_linked_only_when_the_viewer_may_see_them(client, world):
    episode(world.c3, force_reference="MP/7003", local_authority="Stockport")
    episode(world.c4, force_reference="MP/7004")
    record = episode(world.c1, force_reference="MP/7001", went_missing_with="MP/7003;MP/7004")
    client.force_login(world.coordinator_a)

    page = body(client, record.get_absolute_url())

    assert record.linked.count() == 2
    assert "Casey Oduya" in page  # LA-B's child placed in LA-A
    assert "Callum Brennan" not in page  # LA-B's child: not for LA-A's coordinator


def test_a_classification_at_odds_with_the_guidance_is_pointed_out(client, world):
    record = episode(world.c1, category="absent", risk_level="low", cse_concern="yes")
    client.force_login(world.coordinator_a)
    assert "any known CSE risk means missing" in body(client, record.get_absolute_url())


def test_the_timeline_tells_everything_newest_first_with_who_when_and_why(client, world, clock):
    record = episode(world.c1, hours_ago=6, force_reference="MP/8001")
    clock.shift(datetime.timedelta(minutes=10))
    services.episode_reclassify(
        episode=record,
        by=world.police_f1,
        category="missing",
        risk_level="high",
        reason="Seen with an adult of concern",
    )
    clock.shift(datetime.timedelta(minutes=10))
    services.episode_record_return(
        episode=record,
        by=world.coordinator_a,
        returned_at=NOW,
        found_location="Bus station",
        found_postcode="M1 2AB",
        return_method="own_accord",
    )
    clock.shift(datetime.timedelta(hours=30))
    sweep(NOW + datetime.timedelta(hours=30, minutes=20))
    clock.shift(datetime.timedelta(minutes=10))
    services.safe_and_well_record(
        episode=record,
        by=world.police_f1,
        held_at=NOW + datetime.timedelta(hours=30),
        held_by="PC Shah",
        outcome="Safe",
    )
    clock.shift(datetime.timedelta(minutes=10))
    record.refresh_from_db()
    services.episode_close(episode=record, by=world.coordinator_a, reason="Return interview offered")
    client.force_login(world.manager_a)

    page = body(client, record.get_absolute_url())
    timeline = page[page.index('id="timeline"') :]

    titles = [
        "Episode closed",
        "Safe-and-well check recorded",
        "Safe-and-well check overdue",
        "Safe-and-well check due",  # the clock the return started
        "Return recorded",
        "Risk re-graded",
        "Episode recorded",
    ]
    assert positions(timeline, *titles) == sorted(positions(timeline, *titles))
    assert "Seen with an adult of concern" in timeline and "Risk grade: Medium → High" in timeline
    assert "Percy Constable" in timeline and "Cora Ordinator" in timeline
    assert "Closed: Return interview offered" in timeline
    assert "Where found: — → Bus station" in timeline
    assert "20 Nov 2026 12:20" in timeline  # when the return was recorded, UK time


def test_a_check_reported_with_the_return_shows_its_clock_met_at_once(client, world):
    record = episode(
        world.c1,
        hours_ago=6,
        returned_at=uk(NOW - datetime.timedelta(hours=2)),
        safe_and_well_at=uk(NOW - datetime.timedelta(hours=1)),
        safe_and_well_outcome="Safe and well",
        officer="PC 1234 Shah",
    )
    client.force_login(world.coordinator_a)

    page = body(client, record.get_absolute_url())
    timeline = page[page.index('id="timeline"') :]

    assert "Safe-and-well check done" in timeline and "Safe-and-well check recorded" in timeline
    assert "Safe-and-well check due" not in timeline
    assert "Held by: PC 1234 Shah, GMP" in timeline


def test_buttons_follow_the_role_and_the_state(client, world):
    record = episode(world.c1)
    url = record.get_absolute_url()

    def buttons(user) -> set[str]:
        client.force_login(user)
        page = body(client, url)
        labels = {
            "Record the return",
            "Reclassify or re-grade",
            "Record the safe-and-well check",
            "Close the episode",
            "Reopen the episode",
        }
        return {label for label in labels if f">{label}</a>" in page}

    assert buttons(world.coordinator_a) == {"Record the return", "Reclassify or re-grade"}
    assert buttons(world.police_f1) == {"Record the return", "Reclassify or re-grade"}
    assert buttons(world.social_worker_a) == set()
    services.episode_record_return(episode=record, by=world.police_f1, returned_at=NOW)
    assert buttons(world.coordinator_a) == {
        "Reclassify or re-grade",
        "Record the safe-and-well check",
        "Close the episode",
    }
    assert buttons(world.police_f1) == {"Reclassify or re-grade", "Record the safe-and-well check"}
    assert buttons(world.manager_a) == {"Reclassify or re-grade", "Close the episode"}
    services.episode_close(episode=record, by=world.coordinator_a)
    assert buttons(world.coordinator_a) == set()
    assert buttons(world.manager_a) == {"Reopen the episode"}


# --- The child page -------------------------------------------------------------------------


def test_episode_counts_include_an_episode_last_seen_exactly_30_days_ago():
    now = NOW
    child = make_child(responsible=_manchester())
    at_boundary = make_episode(child=child, category="absent", risk_level="low")
    just_outside = make_episode(child=child, category="absent", risk_level="low")
    Episode.objects.filter(pk=at_boundary.pk).update(last_seen_at=now - datetime.timedelta(days=30))
    Episode.objects.filter(pk=just_outside.pk).update(last_seen_at=now - datetime.timedelta(days=30, seconds=1))

    counts = selectors.child_episode_counts(child=child, now=now)

    assert counts.windows == ["30 days", "90 days", "12 months"]
    assert dict(counts.rows)["Absent"] == [1, 2, 2]
    assert dict(counts.rows)["Missing"] == [0, 0, 0]


def test_episode_counts_over_12_calendar_months():
    child = make_child(responsible=_manchester())
    inside = make_episode(child=child)
    outside = make_episode(child=child)
    # 20 Nov 2026 12:00 UK -> 20 Nov 2025 12:00 UK is the start of the 12 months.
    Episode.objects.filter(pk=inside.pk).update(
        last_seen_at=datetime.datetime(2025, 11, 20, 12, 0, tzinfo=datetime.UTC)
    )
    Episode.objects.filter(pk=outside.pk).update(
        last_seen_at=datetime.datetime(2025, 11, 20, 11, 59, tzinfo=datetime.UTC)
    )
    assert dict(selectors.child_episode_counts(child=child, now=NOW).rows)["Missing"] == [0, 0, 1]


def test_12_months_before_29_february_starts_on_28_february():
    now = datetime.datetime(2028, 2, 29, 12, 0, tzinfo=datetime.UTC)
    assert selectors.window_start(now, 12) == datetime.datetime(2027, 2, 28, 12, 0, tzinfo=datetime.UTC)


def _manchester():
    from tests.factories import authority

    return authority("E08000003")


def test_the_child_page_shows_counts_and_every_episode(client, world):
    episode(world.c1, hours_ago=3, force_reference="MP/9001")
    episode(world.c1, hours_ago=24 * 45, category="absent", risk_level="low", force_reference="MP/9002")
    episode(world.c1, hours_ago=24 * 200, force_reference="MP/9003")
    client.force_login(world.social_worker_a)

    page = body(client, world.c1.get_absolute_url())
    section = page[page.index('id="episodes"') :]

    missing_row = section[section.index(">Missing</th>") :].split("</tr>")[0]
    absent_row = section[section.index(">Absent</th>") :].split("</tr>")[0]
    assert [int(n) for n in _cells(missing_row)] == [1, 1, 2]
    assert [int(n) for n in _cells(absent_row)] == [0, 1, 1]
    assert section.count("Missing for 3 hours so far") == 1
    assert section.count('href="/episodes/') == 3


def _cells(row: str) -> list[str]:
    return [cell.split(">", 1)[1].split("<", 1)[0] for cell in row.split("<td")[1:]]


def test_the_child_page_offers_recording_by_role(client, world):
    client.force_login(world.coordinator_a)
    page = body(client, world.c4.get_absolute_url())
    assert f"/episodes/new/?child={world.c4.pk}" in page
    assert f"/episodes/new/away/?child={world.c4.pk}" in page  # Casey is looked after
    page = body(client, world.c1.get_absolute_url())
    assert f"/episodes/new/away/?child={world.c1.pk}" not in page  # Chloe is not

    client.force_login(world.iro_a)
    page = body(client, world.c4.get_absolute_url())
    assert "/episodes/new/" not in page and 'id="episodes"' in page


# --- Navigation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("coordinator_a", True), ("police_f1", True), ("iro_a", True), ("analyst_a", False), ("admin", False)],
)
def test_the_navigation_offers_episodes_to_the_roles_that_see_children(client, world, persona, shown):
    client.force_login(getattr(world, persona))
    page = body(client, reverse("home"))
    assert ('class="govuk-service-navigation__link" href="/episodes/"' in page) == shown
