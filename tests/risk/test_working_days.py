"""Working days skip weekends and England and Wales bank holidays, substitutes included."""

import datetime

from risk.workingdays import (
    UK_TIME,
    add_working_days,
    is_working_day,
    previous_working_day,
    start_of_day,
    working_days_after,
)

D = datetime.date


def test_five_working_days_after_christmas_eve_2026_is_tuesday_5_january():
    # Security battery R9: skips 25 Dec, the weekend, 28 Dec (Boxing Day's substitute) and 1 Jan.
    assert add_working_days(D(2026, 12, 24), 5) == D(2027, 1, 5)


def test_boxing_day_substitute_and_new_year_are_not_working_days():
    assert not is_working_day(D(2026, 12, 25))
    assert not is_working_day(D(2026, 12, 28))
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2026, 12, 29))


def test_christmas_2027_on_a_saturday_moves_both_holidays_to_monday_and_tuesday():
    assert add_working_days(D(2027, 12, 24), 1) == D(2027, 12, 29)


def test_easter_2027_skips_good_friday_and_easter_monday():
    # Thursday 25 March 2027 + 1 working day: Friday 26 (Good Friday) and Monday 29 (Easter Monday) skipped.
    assert add_working_days(D(2027, 3, 25), 1) == D(2027, 3, 30)
    assert add_working_days(D(2026, 4, 2), 2) == D(2026, 4, 8)


def test_a_weekend_is_skipped_and_the_day_itself_never_counts():
    assert add_working_days(D(2026, 11, 6), 1) == D(2026, 11, 9)  # Friday -> Monday
    assert add_working_days(D(2026, 11, 7), 1) == D(2026, 11, 9)  # Saturday -> Monday
    assert add_working_days(D(2026, 11, 9), 0) == D(2026, 11, 9)


def test_due_at_the_end_of_the_uk_day_from_a_utc_moment():
    # 23:30 UTC on 24 Dec is still 24 Dec in the UK (GMT): due by the end of Tuesday 5 Jan 2027.
    moment = datetime.datetime(2026, 12, 24, 23, 30, tzinfo=datetime.UTC)
    due = working_days_after(moment, 5)
    assert due == datetime.datetime(2027, 1, 6, 0, 0, tzinfo=UK_TIME)
    # In summer (BST) the UK day starts an hour earlier in UTC.
    summer = working_days_after(datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC), 1)
    assert summer == datetime.datetime(2026, 7, 3, 23, 0, tzinfo=datetime.UTC)


def test_the_last_working_day_before_a_monday_and_after_christmas():
    assert previous_working_day(datetime.date(2026, 12, 7)) == datetime.date(2026, 12, 4)
    assert previous_working_day(datetime.date(2026, 12, 29)) == datetime.date(2026, 12, 24)
    # Midnight in London: 00:00 GMT in winter, 23:00 UTC the evening before in summer.
    assert start_of_day(datetime.date(2026, 12, 4)) == datetime.datetime(2026, 12, 4, tzinfo=datetime.UTC)
    assert start_of_day(datetime.date(2026, 7, 3)) == datetime.datetime(2026, 7, 2, 23, tzinfo=datetime.UTC)
