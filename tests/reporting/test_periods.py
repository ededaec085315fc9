"""The looked-after spells and the missing periods the returns count, at their boundaries."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from children.models import LegalStatus
from reporting.periods import AWAY, MISSING, Spell, looked_after_spells, periods_for_child

D = datetime.date
S20, CARE_ORDER, CIN = LegalStatus.LOOKED_AFTER_S20, LegalStatus.LOOKED_AFTER_CARE_ORDER, LegalStatus.CHILD_IN_NEED
RECORDED = timezone.make_aware(datetime.datetime(2025, 1, 1, 12))


def row(status, since=None, when=RECORDED):
    return SimpleNamespace(legal_status=status, legal_status_since=since, history_date=when)


def episode(pk, last_seen, returned=None, known=False):
    def moment(text):
        return timezone.make_aware(datetime.datetime.fromisoformat(text)) if text else None

    return SimpleNamespace(pk=pk, last_seen_at=moment(last_seen), returned_at=moment(returned), whereabouts_known=known)


YEAR = {"first_day": D(2025, 4, 1), "last_day": D(2026, 3, 31)}
ALWAYS = [Spell(D(2020, 1, 1), None)]


def test_a_move_from_section_20_to_a_care_order_keeps_the_spell_and_a_corrected_date_moves_it():
    assert looked_after_spells([row(S20, D(2024, 5, 1)), row(CARE_ORDER, D(2025, 2, 1))], None) == [
        Spell(D(2024, 5, 1), None)
    ]
    assert looked_after_spells([row(S20, D(2024, 5, 1)), row(S20, D(2024, 3, 1))], None) == [Spell(D(2024, 3, 1), None)]


def test_leaving_care_ends_the_spell_and_coming_back_starts_another():
    history = [row(S20, D(2024, 1, 1)), row(CIN, D(2024, 6, 30)), row(CARE_ORDER, D(2025, 1, 15))]
    assert looked_after_spells(history, None) == [Spell(D(2024, 1, 1), D(2024, 6, 30)), Spell(D(2025, 1, 15), None)]


def test_care_ends_on_the_18th_birthday_even_for_a_leap_day_birthday():
    assert looked_after_spells([row(S20, D(2020, 1, 1))], D(2008, 2, 29)) == [Spell(D(2020, 1, 1), D(2026, 3, 1))]
    assert looked_after_spells([row(S20, D(2027, 1, 1))], D(2008, 5, 5)) == []


def test_without_a_since_date_the_spell_starts_the_day_the_status_was_recorded_in_uk_time():
    just_after_midnight_bst = timezone.make_aware(datetime.datetime(2025, 7, 1, 0, 30))  # 30 June in UTC
    assert looked_after_spells([row(S20, when=just_after_midnight_bst)], None) == [Spell(D(2025, 7, 1), None)]


def test_a_return_just_after_midnight_on_1_april_ends_the_period_in_the_next_year():
    periods = periods_for_child([episode(1, "2026-03-31T22:00", "2026-04-01T00:30")], ALWAYS, **YEAR)
    assert [(p.kind, p.start, p.end) for p in periods] == [(MISSING, D(2026, 3, 31), None)]


def test_a_period_that_ended_on_31_march_of_the_year_before_is_not_in_the_return():
    assert periods_for_child([episode(1, "2025-03-30T22:00", "2025-03-31T23:30")], ALWAYS, **YEAR) == []
    kept = periods_for_child([episode(1, "2025-03-30T22:00", "2025-04-01T00:10")], ALWAYS, **YEAR)
    assert [(p.start, p.end) for p in kept] == [(D(2025, 3, 30), D(2025, 4, 1))]


def test_an_open_period_starting_the_day_another_ended_is_joined_to_it():
    periods = periods_for_child(
        [episode(1, "2025-09-14T09:00", "2025-09-14T11:00"), episode(2, "2025-09-14T18:00", known=True)], ALWAYS, **YEAR
    )
    assert [(p.kind, p.start, p.end, p.episode_ids) for p in periods] == [(MISSING, D(2025, 9, 14), None, (1, 2))]


def test_away_records_that_overlap_stay_away():
    periods = periods_for_child(
        [
            episode(1, "2025-09-01T09:00", "2025-09-02T11:00", True),
            episode(2, "2025-09-02T10:00", "2025-09-03T10:00", True),
        ],
        ALWAYS,
        **YEAR,
    )
    assert [(p.kind, p.start, p.end) for p in periods] == [(AWAY, D(2025, 9, 1), D(2025, 9, 3))]
