"""The intake service behind every door: created / updated / unchanged / held, matching, history,
reclassifications, companions and the safe-and-well clock (security battery I1, I2)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from children.models import Child, LegalStatus
from children.services import child_update
from deadlines.models import Deadline, DeadlineState
from episodes.deadlines import SAFE_AND_WELL
from episodes.feed import Lookups, parse_report
from episodes.models import Episode, EpisodeState, HeldReport, Reclassification, SafeAndWellCheck
from episodes.services import (
    EpisodeConflict,
    IntakeSource,
    Outcome,
    episode_close,
    held_report_link,
    held_report_new_child,
    intake_reports,
)
from tests.factories import make_child, report_row

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
FEED = IntakeSource("feed", "Police feed file gmp.csv")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def take(*rows, source=FEED, **kwargs):
    reports = []
    for line, row in enumerate(rows, start=2):
        report, errors = parse_report(row, line=line, lookups=Lookups())
        assert not errors, errors
        reports.append(report)
    return intake_reports(reports=reports, source=source, **kwargs)


def counts():
    return {
        "episodes": Episode.objects.count(),
        "episode history": Episode.history.count(),
        "children": Child.objects.count(),
        "child history": Child.history.count(),
        "deadlines": Deadline.objects.count(),
        "deadline history": Deadline.history.count(),
        "reclassifications": Reclassification.objects.count(),
        "checks": SafeAndWellCheck.objects.count(),
        "held": HeldReport.objects.count(),
        "held history": HeldReport.history.count(),
    }


def test_a_new_record_about_an_unknown_child_creates_the_child_and_the_episode(world):
    (outcome,) = take(report_row(force_reference="MP/1", given_name="Zoë", family_name="Quince"))
    assert outcome.outcome == Outcome.CREATED
    episode = outcome.episode
    assert episode.child.full_name == "Zoë Quince"
    assert episode.child.responsible_authority == world.la_a
    assert episode.state == EpisodeState.MISSING and not episode.whereabouts_known
    history = episode.history.get()
    assert history.history_change_reason == "Police feed file gmp.csv, line 2"
    assert history.history_user is None


def test_the_same_report_twice_changes_nothing_the_second_time(world):
    row = report_row(returned_at="2026-11-20T10:00", safe_and_well_at="2026-11-20T11:00", went_missing_with="MP/9")
    take(row)
    before = counts()
    (outcome,) = take(row)
    assert outcome.outcome == Outcome.UNCHANGED
    assert counts() == before


def test_a_re_graded_record_is_one_update_with_one_history_row_and_a_reclassification(world):
    row = report_row(force_reference="MP/2", risk_level="medium", category="absent")
    (created,) = take(row)
    before = counts()
    (outcome,) = take({**row, "risk_level": "high", "category": "missing"})
    assert outcome.outcome == Outcome.UPDATED
    after = counts()
    assert after["episode history"] == before["episode history"] + 1
    assert after["reclassifications"] == before["reclassifications"] + 2
    episode = Episode.objects.get(pk=created.episode.pk)
    assert (episode.risk_level, episode.category, episode.version) == ("high", "missing", 2)
    regrade = episode.reclassifications.get(field="risk_level")
    assert (regrade.from_value, regrade.to_value, regrade.changed_at) == ("medium", "high", NOW)
    assert regrade.source == "Police feed file gmp.csv, line 2"
    previous = episode.history.order_by("history_date", "history_id").first()
    assert previous.risk_level == "medium"  # the old value stays visible in history


def test_a_found_child_starts_the_safe_and_well_clock_once_24_hours_after_return(world):
    row = report_row(force_reference="MP/3", last_seen_at="2026-11-19T20:00")
    (created,) = take(row)
    assert not Deadline.objects.filter(kind=SAFE_AND_WELL).exists()
    take({**row, "returned_at": "2026-11-20T09:30"})
    take({**row, "returned_at": "2026-11-20T09:30"})
    deadline = Deadline.objects.get(kind=SAFE_AND_WELL)
    assert deadline.due_at == datetime.datetime(2026, 11, 21, 9, 30, tzinfo=datetime.UTC)
    assert Episode.objects.get(pk=created.episode.pk).state == EpisodeState.RETURNED

    take(
        {
            **row,
            "returned_at": "2026-11-20T09:30",
            "safe_and_well_at": "2026-11-20T11:00",
            "safe_and_well_outcome": "Stayed at a friend's",
            "harm_disclosed": "no",
        }
    )
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    check = SafeAndWellCheck.objects.get(episode=created.episode)
    assert (check.outcome, check.harm_disclosed) == ("Stayed at a friend's", "no")


def test_a_return_correction_moves_the_clock_and_a_withdrawn_return_cancels_it(world):
    row = report_row(force_reference="MP/4", last_seen_at="2026-11-19T20:00", returned_at="2026-11-20T01:00")
    take(row)
    take({**row, "returned_at": "2026-11-20T03:00"})
    deadline = Deadline.objects.get(kind=SAFE_AND_WELL)
    assert deadline.due_at == datetime.datetime(2026, 11, 21, 3, 0, tzinfo=datetime.UTC)
    take({**row, "returned_at": ""})
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.CANCELLED
    assert Episode.objects.get(force_reference="MP/4").state == EpisodeState.MISSING


def test_a_record_that_arrives_with_its_check_done_has_its_clock_met_at_once(world):
    take(
        report_row(last_seen_at="2026-11-19T20:00", returned_at="2026-11-20T01:00", safe_and_well_at="2026-11-20T02:00")
    )
    assert Deadline.objects.get(kind=SAFE_AND_WELL).state == DeadlineState.MET


def test_a_closed_episode_stays_closed_when_the_police_record_changes(world):
    row = report_row(force_reference="MP/5", last_seen_at="2026-11-19T20:00", returned_at="2026-11-20T01:00")
    (outcome,) = take(row)
    episode_close(episode=outcome.episode, by=world.coordinator_a)
    take({**row, "risk_level": "low"})
    episode = Episode.objects.get(pk=outcome.episode.pk)
    assert (episode.state, episode.risk_level) == (EpisodeState.CLOSED, "low")


def test_an_update_from_a_stale_version_is_refused_with_what_changed(world):
    row = report_row(force_reference="MP/6", risk_level="low")
    take(row)
    take({**row, "risk_level": "high"})
    before = counts()
    with pytest.raises(EpisodeConflict) as conflict:
        take({**row, "risk_level": "medium"}, expected_version=1)
    assert ("Risk grade", "Low", "High") in conflict.value.changes
    assert counts() == before


def test_children_who_went_missing_together_are_linked_whichever_record_came_first(world):
    take(report_row(force_reference="MP/10", went_missing_with="MP/11;MP/12"))
    take(report_row(force_reference="MP/11"))
    take(report_row(force_reference="MP/12", went_missing_with="MP/11"))
    first, second, third = (Episode.objects.get(force_reference=f"MP/1{i}") for i in range(3))
    assert set(first.linked.all()) == {second, third}
    assert set(second.linked.all()) == {first, third}


def test_a_later_row_for_the_same_record_in_one_import_wins(world):
    row = report_row(force_reference="MP/13", risk_level="low")
    outcomes = take(row, {**row, "risk_level": "high"})
    assert [o.outcome for o in outcomes] == [Outcome.CREATED, Outcome.UPDATED]
    assert Episode.objects.get(force_reference="MP/13").risk_level == "high"


# --- Matching (spec: 'Matching a record to a child') --------------------------------------------


def known_child(world, **fields):
    defaults = {"given_name": "Jan-Marie", "family_name": "O’Brien", "date_of_birth": datetime.date(2011, 3, 4)}
    return make_child(responsible=world.la_a, **{**defaults, **fields})


def test_an_exact_match_after_normalising_links_to_the_known_child(world):
    child = known_child(world)
    (outcome,) = take(report_row(given_name="JAN MARIE", family_name="obrien", date_of_birth="2011-03-04"))
    assert outcome.outcome == Outcome.CREATED
    assert outcome.episode.child == child
    assert Child.objects.count() == 4  # the world's three and this one: no new child


def test_a_child_placed_in_the_authority_is_matched_too(world):
    (outcome,) = take(
        report_row(
            given_name=world.c4.given_name,
            family_name=world.c4.family_name,
            date_of_birth=world.c4.date_of_birth.isoformat(),
            local_authority="Manchester",
        )
    )
    assert outcome.episode.child == world.c4


@pytest.mark.parametrize(
    ("given", "family", "dob", "reason"),
    [
        ("Jan-Mary", "O’Brian", "2011-03-04", "same date of birth, name spelt differently"),
        ("Jan-Marie", "O’Brien", "2011-04-03", "same name, day and month of birth swapped"),
        ("JJ", "O’Brien", "2011-03-04", "known by this name (an alias)"),
        ("Jan-Marie", "O’Brien", "", "same name, date of birth not known on one record"),
    ],
)
def test_a_likely_match_is_held_for_a_coordinator_never_merged(world, given, family, dob, reason):
    child = known_child(world)
    child_update(child=child, by=world.coordinator_a, reason="Known as JJ", aliases=["JJ"])
    before = Episode.objects.count()
    (outcome,) = take(report_row(given_name=given, family_name=family, date_of_birth=dob))
    assert outcome.outcome == Outcome.HELD
    assert Episode.objects.count() == before
    candidate = outcome.held.match_candidates.get()
    assert (candidate.child, candidate.reason) == (child, reason)


def test_no_candidate_in_the_authority_means_a_new_child(world):
    known_child(world, responsible_authority=world.la_b)  # the same child's name in another authority
    (outcome,) = take(report_row(given_name="Jan-Marie", family_name="O’Brien", date_of_birth="2011-03-04"))
    assert outcome.outcome == Outcome.CREATED
    assert outcome.episode.child.responsible_authority == world.la_a
    assert Child.objects.filter(name_key="jan marie obrien").count() == 2


def test_two_children_with_the_same_name_and_birthday_hold_the_record(world):
    known_child(world)
    known_child(world)
    (outcome,) = take(report_row(given_name="Jan-Marie", family_name="O’Brien", date_of_birth="2011-03-04"))
    assert outcome.outcome == Outcome.HELD
    assert outcome.held.match_candidates.count() == 2


def test_a_held_record_sent_again_unchanged_writes_nothing_and_changed_is_kept_up_to_date(world):
    known_child(world)
    row = report_row(force_reference="MP/20", given_name="Jan-Mary", family_name="O’Brien", date_of_birth="2011-03-04")
    take(row)
    before = counts()
    (again,) = take(row)
    assert again.outcome == Outcome.HELD and counts() == before
    take({**row, "risk_level": "high"})
    assert HeldReport.objects.get().report["risk_level"] == "high"
    assert HeldReport.objects.count() == 1


def test_confirming_a_held_record_links_it_and_keeps_the_decision_in_history(world):
    child = known_child(world)
    (held,) = take(report_row(given_name="Jan-Mary", family_name="O’Brien", date_of_birth="2011-03-04"))
    episode = held_report_link(held=held.held, child=child, by=world.coordinator_a)
    assert episode.child == child
    decided = HeldReport.objects.get()
    assert (decided.decision, decided.decided_by, decided.episode) == ("linked", world.coordinator_a, episode)
    assert decided.history.first().history_user == world.coordinator_a
    # The police send the record again: it is now an ordinary update of the linked episode.
    (outcome,) = take(HeldReport.objects.get().report)
    assert outcome.outcome == Outcome.UNCHANGED and outcome.episode == episode


def test_rejecting_a_held_record_creates_a_new_child(world):
    child = known_child(world)
    (held,) = take(report_row(given_name="Jan-Mary", family_name="O’Brien", date_of_birth="2011-03-04"))
    episode = held_report_new_child(held=held.held, by=world.coordinator_a)
    assert episode.child != child and episode.child.full_name == "Jan-Mary O’Brien"
    assert HeldReport.objects.get().decision == "new_child"
    with pytest.raises(ValidationError):
        held_report_new_child(held=held.held, by=world.coordinator_a)


def test_only_a_coordinator_of_the_authority_decides_a_held_record(world):
    child = known_child(world)
    (held,) = take(report_row(given_name="Jan-Mary", family_name="O’Brien", date_of_birth="2011-03-04"))
    for outsider in (world.coordinator_b, world.police_f1, world.social_worker_a):
        with pytest.raises(PermissionDenied):
            held_report_link(held=held.held, child=child, by=outsider)
    with pytest.raises(ValidationError):
        held_report_link(held=held.held, child=world.c1, by=world.coordinator_a)  # not a candidate
    assert HeldReport.objects.get().decision == "waiting" and Episode.objects.count() == 0


# --- Police scope -----------------------------------------------------------------------------


def test_police_see_the_children_with_an_episode_in_their_force_only(world):
    assert not Child.objects.visible_to(world.police_f1).exists()
    take(
        report_row(
            given_name=world.c1.given_name,
            family_name=world.c1.family_name,
            date_of_birth=world.c1.date_of_birth.isoformat(),
        )
    )
    assert list(Child.objects.visible_to(world.police_f1)) == [world.c1]
    assert not Child.objects.visible_to(world.police_f2).exists()
    assert list(Episode.objects.visible_to(world.police_f1).values_list("child", flat=True)) == [world.c1.pk]
    assert not Episode.objects.visible_to(world.coordinator_b).exists()


def test_a_looked_after_child_is_matched_not_duplicated_by_a_care_placement_report(world):
    child = known_child(world, legal_status=LegalStatus.LOOKED_AFTER_CARE_ORDER)
    (outcome,) = take(
        report_row(
            given_name="Jan-Marie", family_name="O'Brien", date_of_birth="2011-03-04", missing_from="care_placement"
        )
    )
    assert outcome.episode.child == child


def test_two_records_of_one_import_about_the_same_new_child_make_one_child(world):
    child = {"given_name": "Maisie", "family_name": "Threlfall", "date_of_birth": "2012-04-03"}
    first, second = take(report_row(force_reference="MP/30", **child), report_row(force_reference="MP/31", **child))
    assert (first.outcome, second.outcome) == (Outcome.CREATED, Outcome.CREATED)
    assert first.episode.child == second.episode.child
    assert Child.objects.filter(family_name="Threlfall").count() == 1
