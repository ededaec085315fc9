"""Which child a police record is about (shared/spec/police-feed.md, 'Matching a record to a child').

Certain: given name, family name and date of birth equal after normalising case, accents,
spacing, hyphens and apostrophes. Likely (held for a coordinator, never merged silently): a
misspelt name, a date of birth with day and month swapped, a known alias. No candidate: a new
child. Candidates are the children of the record's local authority (responsible or host), which
the coordinator deciding may see.
"""

import dataclasses
import datetime
from collections.abc import Iterable

from django.db.models import Q

from children.models import Child
from children.services import search_key

# A name is "misspelt" within this many single-letter edits (e.g. Kayleigh / Kayley is 3: too far;
# Jayden / Jaden is 1).
MISSPELLING_DISTANCE = 2


@dataclasses.dataclass
class Match:
    child: Child | None = None
    candidates: list[tuple[Child, str]] = dataclasses.field(default_factory=list)

    @property
    def certain(self) -> bool:
        return self.child is not None

    @property
    def held(self) -> bool:
        return self.child is None and bool(self.candidates)


def name_key(given_name: str, family_name: str) -> str:
    return search_key(f"{given_name} {family_name}")


def swapped(day: datetime.date | None) -> datetime.date | None:
    """The date with day and month swapped, when that is another real date."""
    if day is None or day.day > 12 or day.day == day.month:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (names are short, so the quadratic table is fine)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _close(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 3 and edit_distance(a, b) <= MISSPELLING_DISTANCE)


def candidate_query(reports: Iterable) -> Q:
    """One query for every child any of `reports` could match: same local authority and same
    (or swapped) date of birth, or the same name."""
    query = Q(pk__in=[])
    by_authority: dict[int, tuple[set, set]] = {}
    for report in reports:
        dates, keys = by_authority.setdefault(report.local_authority.pk, (set(), set()))
        dates.update(d for d in (report.date_of_birth, swapped(report.date_of_birth)) if d)
        keys.add(name_key(report.given_name, report.family_name))
    for authority_id, (dates, keys) in by_authority.items():
        in_area = Q(responsible_authority_id=authority_id) | Q(host_authority_id=authority_id)
        query |= in_area & (Q(date_of_birth__in=dates) | Q(name_key__in=keys))
    return query


def match(report, children: Iterable[Child]) -> Match:
    """Decide which of `children` (with aliases prefetched) the report is about."""
    given, family = search_key(report.given_name), search_key(report.family_name)
    key = f"{given} {family}"
    dob = report.date_of_birth
    exact, likely = [], []
    for child in children:
        in_area = report.local_authority.pk in (child.responsible_authority_id, child.host_authority_id)
        if not in_area:
            continue
        child_given, child_family = search_key(child.given_name), search_key(child.family_name)
        same_name = child.name_key == key
        same_dob = dob is not None and child.date_of_birth == dob
        if same_name and same_dob:
            exact.append(child)
            continue
        alias_keys = {search_key(alias.name) for alias in child.aliases.all()}
        if same_dob and (key in alias_keys or (given in alias_keys and family == child_family)):
            likely.append((child, "known by this name (an alias)"))
        elif same_dob and _close(given, child_given) and _close(family, child_family):
            likely.append((child, "same date of birth, name spelt differently"))
        elif same_dob and given == child_family and family == child_given:
            likely.append((child, "same date of birth, given and family names swapped"))
        elif same_name and dob is not None and child.date_of_birth == swapped(dob):
            likely.append((child, "same name, day and month of birth swapped"))
        elif same_name and (dob is None or child.date_of_birth is None):
            likely.append((child, "same name, date of birth not known on one record"))
    if len(exact) == 1:
        return Match(child=exact[0])
    return Match(candidates=[(child, "same name and date of birth as another child") for child in exact] + likely)
