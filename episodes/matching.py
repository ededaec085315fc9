"""Which child a police record is about (shared/spec/police-feed.md, 'Matching a record to a child').

Certain: given name, family name and date of birth equal after normalising case, accents,
spacing, hyphens and apostrophes. Likely (held for a coordinator, never merged silently): a
misspelt name, a date of birth with day and month swapped, a known alias. No candidate: a new
child. Candidates are the children of the record's local authority (responsible or host), which
the coordinator deciding may see.
"""

import dataclasses
import datetime
import functools
from collections.abc import Iterable

from django.db.models import Q

from children.models import Child
from children.services import search_key

# A name is "misspelt" within this many single-letter edits (e.g. Kayleigh / Kayley is 3: too far;
# Jayden / Jaden is 1).
MISSPELLING_DISTANCE = 2


@dataclasses.dataclass
class Candidate:
    """What matching reads of a known child; `key` is its stored name key, and the other keys
    are worked out only for the candidates that need them."""

    pk: int
    given_name: str
    family_name: str
    key: str
    date_of_birth: datetime.date | None
    responsible_authority_id: int
    host_authority_id: int | None
    aliases: tuple[str, ...] = ()

    @functools.cached_property
    def given_key(self) -> str:
        return search_key(self.given_name)

    @functools.cached_property
    def family_key(self) -> str:
        return search_key(self.family_name)

    @functools.cached_property
    def alias_keys(self) -> frozenset[str]:
        return frozenset(search_key(alias) for alias in self.aliases)

    @property
    def authorities(self) -> tuple[int, ...]:
        if self.host_authority_id is None:
            return (self.responsible_authority_id,)
        return (self.responsible_authority_id, self.host_authority_id)

    @classmethod
    def new(cls, pk: int, report) -> "Candidate":
        """The child a report creates, as the intake will store it."""
        return cls(
            pk=pk,
            given_name=report.given_name,
            family_name=report.family_name,
            key=name_key(report.given_name, report.family_name),
            date_of_birth=report.date_of_birth,
            responsible_authority_id=report.local_authority.pk,
            host_authority_id=None,
        )

    @classmethod
    def of(cls, child: Child) -> "Candidate":
        """From a child read with its aliases prefetched."""
        return cls(
            pk=child.pk,
            given_name=child.given_name,
            family_name=child.family_name,
            key=child.name_key,
            date_of_birth=child.date_of_birth,
            responsible_authority_id=child.responsible_authority_id,
            host_authority_id=child.host_authority_id,
            aliases=tuple(alias.name for alias in child.aliases.all()),
        )


@dataclasses.dataclass
class Match:
    """`child` and the children in `candidates` are Candidates: their `pk` names the child."""

    child: Candidate | None = None
    candidates: list[tuple[Candidate, str]] = dataclasses.field(default_factory=list)

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
    for authority_id, (dates, keys) in _wanted(reports).items():
        in_area = Q(responsible_authority_id=authority_id) | Q(host_authority_id=authority_id)
        query |= in_area & (Q(date_of_birth__in=dates) | Q(name_key__in=keys))
    return query


def _wanted(reports: Iterable) -> dict[int, tuple[set, set]]:
    by_authority: dict[int, tuple[set, set]] = {}
    for report in reports:
        dates, keys = by_authority.setdefault(report.local_authority.pk, (set(), set()))
        dates.update(d for d in (report.date_of_birth, swapped(report.date_of_birth)) if d)
        keys.add(name_key(report.given_name, report.family_name))
    return by_authority


class CandidateIndex:
    """Candidates by (local authority, date of birth) and (local authority, name key), so each
    report is compared only with the children it could be about."""

    def __init__(self, candidates: Iterable[Candidate] = ()):
        self.by_date: dict[tuple, list[Candidate]] = {}
        self.by_key: dict[tuple, list[Candidate]] = {}
        for candidate in candidates:
            self.add(candidate)

    def add(self, candidate: Candidate) -> None:
        """Also a child created for an earlier record of the same batch: a batch then decides
        as the same records would one at a time."""
        for authority in candidate.authorities:
            if candidate.date_of_birth is not None:
                self.by_date.setdefault((authority, candidate.date_of_birth), []).append(candidate)
            self.by_key.setdefault((authority, candidate.key), []).append(candidate)

    def for_report(self, report) -> list[Candidate]:
        authority = report.local_authority.pk
        found = self.by_key.get((authority, name_key(report.given_name, report.family_name)), [])
        for day in (report.date_of_birth, swapped(report.date_of_birth)):
            if day is not None:
                found = found + self.by_date.get((authority, day), [])
        return list({candidate.pk: candidate for candidate in found}.values())


def match(report, children: Iterable[Candidate]) -> Match:
    """Decide which of `children` the report is about."""
    given, family = search_key(report.given_name), search_key(report.family_name)
    key = f"{given} {family}"
    dob = report.date_of_birth
    exact, likely = [], []
    for child in children:
        if report.local_authority.pk not in child.authorities:
            continue
        same_name = child.key == key
        same_dob = dob is not None and child.date_of_birth == dob
        if same_name and same_dob:
            exact.append(child)
            continue
        if same_dob and (key in child.alias_keys or (given in child.alias_keys and family == child.family_key)):
            likely.append((child, "known by this name (an alias)"))
        elif same_dob and _close(given, child.given_key) and _close(family, child.family_key):
            likely.append((child, "same date of birth, name spelt differently"))
        elif same_dob and given == child.family_key and family == child.given_key:
            likely.append((child, "same date of birth, given and family names swapped"))
        elif same_name and dob is not None and child.date_of_birth == swapped(dob):
            likely.append((child, "same name, day and month of birth swapped"))
        elif same_name and (dob is None or child.date_of_birth is None):
            likely.append((child, "same name, date of birth not known on one record"))
    if len(exact) == 1:
        return Match(child=exact[0])
    return Match(candidates=[(child, "same name and date of birth as another child") for child in exact] + likely)
