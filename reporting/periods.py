"""Missing and away periods of looked-after children, as the statutory returns count them.

The DfE's SSDA903 return and Ofsted's Annex A count the time a looked-after child was missing
(whereabouts unknown) or away from placement without authorisation (whereabouts known), in whole
UK dates, only while the child was looked after, never two periods of one child at once.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, replace

from children.models import LOOKED_AFTER

UK = zoneinfo.ZoneInfo("Europe/London")
# Care ends at 18: a child who turns 18 while missing stops being looked after that day.
ADULT_AGE = 18

MISSING = "M"  # SSDA903: whereabouts unknown
AWAY = "A"  # SSDA903: away from placement without authorisation, whereabouts known


def uk_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(UK).date()


def birthday(date_of_birth: datetime.date, age: int) -> datetime.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:  # born on 29 February
        return datetime.date(date_of_birth.year + age, 3, 1)


@dataclass(frozen=True)
class Spell:
    """A time the child was looked after: from `start` to `end` (the day care ended), both
    included; `end` is None while the child is still looked after."""

    start: datetime.date
    end: datetime.date | None


def looked_after_spells(history: Iterable, date_of_birth: datetime.date | None) -> list[Spell]:
    """The child's spells of being looked after, read from the record's history.

    1. Walk the history rows oldest first; a change into a looked-after status starts a spell on
       the status's 'since' date (or the day it was recorded), a change out of one ends it, and
       a corrected 'since' date of the same status moves the spell's start.
    2. End every spell at the 18th birthday at the latest, and drop a spell that starts after it.

    `history` holds objects with legal_status, legal_status_since and history_date.
    """
    spells: list[Spell] = []
    start = None
    previous = None
    for row in history:
        since = row.legal_status_since or uk_date(row.history_date)
        if row.legal_status in LOOKED_AFTER and start is None:
            start = since
        elif row.legal_status in LOOKED_AFTER and row.legal_status_since and previous.legal_status == row.legal_status:
            # The same status with another 'since' date is a correction of when the spell began;
            # a move between looked-after statuses (s20 to a care order) keeps the spell's start.
            start = row.legal_status_since
        elif row.legal_status not in LOOKED_AFTER and start is not None:
            spells.append(Spell(start, max(start, since)))
            start = None
        previous = row
    if start is not None:
        spells.append(Spell(start, None))
    if date_of_birth is None:
        return spells
    adult = birthday(date_of_birth, ADULT_AGE)
    return [
        Spell(spell.start, adult if spell.end is None or spell.end > adult else spell.end)
        for spell in spells
        if spell.start <= adult
    ]


@dataclass(frozen=True)
class Period:
    """One SSDA903 missing or away period: MISSING is 'M' or 'A'; `end` None while still open."""

    kind: str
    start: datetime.date
    end: datetime.date | None
    episode_ids: tuple[int, ...]


def _merged_kind(a: str, b: str) -> str:
    # A period that was partly missing is reported as missing: the greater concern.
    return MISSING if MISSING in (a, b) else AWAY


def _merge_times(episodes: list) -> list[tuple[str, datetime.datetime, datetime.datetime | None, tuple]]:
    """Join records of one child that overlap in time (a police report and the council's own
    record of the same night, or a record entered twice) into one."""
    merged: list[list] = []
    for episode in sorted(episodes, key=lambda e: (e.last_seen_at, e.pk)):
        kind = AWAY if episode.whereabouts_known else MISSING
        current = merged[-1] if merged else None
        if current is not None and (current[2] is None or episode.last_seen_at < current[2]):
            current[0] = _merged_kind(current[0], kind)
            if current[2] is not None and (episode.returned_at is None or episode.returned_at > current[2]):
                current[2] = episode.returned_at
            current[3] = (*current[3], episode.pk)
        else:
            merged.append([kind, episode.last_seen_at, episode.returned_at, (episode.pk,)])
    return [tuple(m) for m in merged]


def periods_for_child(
    episodes: list, spells: list[Spell], *, first_day: datetime.date, last_day: datetime.date
) -> list[Period]:
    """The child's missing and away periods that touch `first_day`..`last_day`, in date order.

    1. Join records that overlap in time (see _merge_times).
    2. Turn times into UK dates: the start is the day the child was last seen (Homeward records
       one time, last seen, for leaving the placement and being last seen: the later of the two);
       a period that ended after `last_day`, or has not ended, is open.
    3. Keep only the part of each period while the child was looked after: it starts no earlier
       than the spell and ends no later than the day care ended.
    4. Keep the periods that touch the window: started by `last_day`, and open or ended on or
       after `first_day`.
    5. Join periods that still share days in a way the return cannot show (SSDA903 rule 574:
       a period may not start before the previous one ended, or while it is open).
    """
    dated = []
    for kind, started, returned, ids in _merge_times(episodes):
        start = uk_date(started)
        end = uk_date(returned) if returned is not None else None
        for spell in spells:
            clipped_start = max(start, spell.start)
            clipped_end = end
            if spell.end is not None and (clipped_end is None or clipped_end > spell.end):
                clipped_end = spell.end
            if clipped_end is not None and clipped_end < clipped_start:
                continue
            if clipped_end is not None and clipped_end > last_day:
                clipped_end = None
            if clipped_start > last_day or (clipped_end is not None and clipped_end < first_day):
                continue
            dated.append(Period(kind, clipped_start, clipped_end, ids))
    dated.sort(key=lambda p: (p.start, p.end or datetime.date.max))
    result: list[Period] = []
    for period in dated:
        previous = result[-1] if result else None
        if previous is not None and _must_join(previous, period):
            end = None if previous.end is None or period.end is None else max(previous.end, period.end)
            result[-1] = replace(
                previous,
                kind=_merged_kind(previous.kind, period.kind),
                end=end,
                episode_ids=previous.episode_ids + period.episode_ids,
            )
        else:
            result.append(period)
    return result


def _must_join(previous: Period, period: Period) -> bool:
    """Two periods in date order that the return would read as overlapping: the first is still
    open, the second starts before the first ended, or the second is open and starts on the day
    the first ended (two closed periods may share a day: gone twice on one day)."""
    if previous.end is None:
        return True
    if period.start < previous.end:
        return True
    return period.end is None and period.start == previous.end
