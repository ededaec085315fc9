"""Working days in England: weekends and England and Wales bank holidays are skipped.

Bank holidays come from the `holidays` package (England's calendar, with the substitute days
when a holiday falls at a weekend), never from a list typed here.
"""

import datetime
from functools import cache
from zoneinfo import ZoneInfo

import holidays

UK_TIME = ZoneInfo("Europe/London")


@cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`th working day after `day` (`day` itself never counts): 5 working days after
    Thursday 24 December 2026 is Tuesday 5 January 2027 (25 and 28 December and 1 January are
    bank holidays)."""
    if count < 0:
        raise ValueError("count must be 0 or more")
    while count:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def previous_working_day(day: datetime.date) -> datetime.date:
    """The last working day before `day`: Friday for a Monday; Thursday 24 December 2026 for
    Tuesday 29 December (Christmas Day and the substitute Boxing Day fall between)."""
    day -= datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of a UK day (midnight in Europe/London), in UTC."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=UK_TIME).astimezone(datetime.UTC)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of a UK day (the next day's midnight in Europe/London), in UTC: a task due
    "by Tuesday" is overdue from Wednesday 00:00 UK time."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=UK_TIME)
    return midnight.astimezone(datetime.UTC)


def working_days_after(moment: datetime.datetime, count: int) -> datetime.datetime:
    """Due by the end of the `count`th working day after the UK day on which `moment` falls."""
    return end_of_day(add_working_days(moment.astimezone(UK_TIME).date(), count))
