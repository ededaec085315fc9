"""Ofsted Annex A List 8's missing columns: counts in the last 12 months and the return
interview after the last missing episode."""

import csv
import datetime

import pytest
from django.core.management import call_command

from children.models import LegalStatus
from interviews.models import ReturnInterview, Status
from missing.spreadsheets import spreadsheet_safe
from reporting.ssda903 import (
    ANNEX_A_ABSENT,
    ANNEX_A_ACCEPTED,
    ANNEX_A_CHILD_ID,
    ANNEX_A_MISSING,
    ANNEX_A_OFFERED,
    annex_a_list8_rows,
)
from tests.factories import make_child
from tests.reporting.ssda903_cases import away, lac_child, police

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 31)


def interview_after(episode, status):
    """The return interview the intake offered after the episode, or a new one, now at `status`."""
    interview = ReturnInterview.objects.filter(episodes=episode).first()
    if interview is not None:
        ReturnInterview.objects.filter(pk=interview.pk).update(status=status)
        return interview
    interview = ReturnInterview.objects.create(
        child=episode.child,
        local_authority=episode.local_authority,
        status=status,
        returned_at=episode.returned_at,
        due_at=episode.returned_at + datetime.timedelta(hours=72),
        triage="red",
    )
    interview.episodes.add(episode)
    return interview


def rows_by_child(world):
    from children.models import Child

    rows = annex_a_list8_rows(children=Child.objects.filter(responsible_authority=world.la_a), today=TODAY)
    return {row[ANNEX_A_CHILD_ID]: row for row in rows}


def test_counts_missing_and_away_in_the_last_12_months_and_the_interview_after_the_last(world):
    child = lac_child(world, "Mia")
    police(child, "2025-03-30T10:00", "2025-03-30T20:00")  # more than 12 months before
    first = police(child, "2025-06-01T10:00", "2025-06-02T10:00")
    away(child, world.coordinator_a, "2025-08-01T10:00", "2025-08-01T22:00")
    last = police(child, "2026-02-01T10:00", "2026-02-03T10:00", category="absent")
    interview_after(first, Status.DECLINED)
    interview_after(last, Status.COMPLETED)

    row = rows_by_child(world)[str(child.pk)]

    assert (row[ANNEX_A_MISSING], row[ANNEX_A_ABSENT]) == ("2", "1")
    assert (row[ANNEX_A_OFFERED], row[ANNEX_A_ACCEPTED]) == ("Y", "Y")


def test_a_declined_interview_was_offered_and_not_accepted(world):
    child = lac_child(world, "Dee")
    interview_after(police(child, "2026-03-01T10:00", "2026-03-01T20:00"), Status.DECLINED)
    row = rows_by_child(world)[str(child.pk)]
    assert (row[ANNEX_A_OFFERED], row[ANNEX_A_ACCEPTED]) == ("Y", "N")


def test_an_interview_judged_not_appropriate_after_the_last_episode_was_not_offered(world):
    child = lac_child(world, "Noel")
    interview_after(police(child, "2026-01-01T10:00", "2026-01-01T20:00"), Status.COMPLETED)
    interview_after(police(child, "2026-03-01T10:00", "2026-03-01T20:00"), Status.NOT_APPROPRIATE)
    row = rows_by_child(world)[str(child.pk)]
    assert (row[ANNEX_A_MISSING], row[ANNEX_A_OFFERED], row[ANNEX_A_ACCEPTED]) == ("2", "N", "")


def test_an_interview_still_waiting_was_offered_and_acceptance_is_not_known_yet(world):
    child = lac_child(world, "Wes")
    interview_after(police(child, "2026-03-20T10:00", "2026-03-20T20:00"), Status.ALLOCATED)
    row = rows_by_child(world)[str(child.pk)]
    assert (row[ANNEX_A_OFFERED], row[ANNEX_A_ACCEPTED]) == ("Y", "")


def test_every_looked_after_child_is_listed_even_without_episodes_and_no_one_else(world):
    quiet = lac_child(world, "Quinn")
    home = make_child(responsible=world.la_a, legal_status=LegalStatus.CHILD_IN_NEED)
    rows = rows_by_child(world)
    assert rows[str(quiet.pk)][ANNEX_A_MISSING] == "0" and rows[str(quiet.pk)][ANNEX_A_OFFERED] == ""
    assert str(home.pk) not in rows
    assert str(world.c4.pk) not in rows  # looked after by Stockport


def test_the_command_writes_the_csv(world, tmp_path):
    child = lac_child(world, "Cara")
    police(child, "2026-03-01T10:00", "2026-03-01T20:00")
    call_command(
        "export_annex_a_list8", "--date", "2026-03-31", "--out", str(tmp_path), "--local-authority", "E08000003"
    )
    with (tmp_path / "AnnexA_List8_missing.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r[ANNEX_A_CHILD_ID], r[ANNEX_A_MISSING]) for r in rows] == [(str(child.pk), "1")]


def test_cells_a_spreadsheet_would_run_are_neutralised():
    assert [spreadsheet_safe(v) for v in ["=1+1", "+44", "-3", "@SUM", "A123", None]] == [
        "'=1+1",
        "'+44",
        "'-3",
        "'@SUM",
        "A123",
        "",
    ]
