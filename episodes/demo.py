"""A year of synthetic episodes for the demo children, sent through the intake as Greater
Manchester Police's feed would send them, and a few records waiting for the coordinator.

The shape follows the councils' figures (issue 3): most children go missing once or never, a
few dozens of times, most often looked-after children in residential homes; most return within a
day; a handful are missing now. A fixed seed makes every demo the same.
"""

import collections
import dataclasses
import datetime
import random

from django.db import transaction
from django.utils import timezone

from children import services as children_services
from children.models import Child, LegalStatus, PlacementType
from organisations.models import Agency, User
from organisations.roles import AgencyKind

from . import matching, services
from .feed import Lookups, normalise_postcode, parse_report
from .models import Episode, EpisodeState, HeldReport
from .services import IntakeSource, Outcome

SEED = 2026
FORCE_CODE = "GMP"
SOURCE = IntakeSource("feed", "Demo police feed", None)
YEAR = datetime.timedelta(days=365)

# Duration bands of returned police episodes: (share %, from hours, to hours). 30 % under 8 h
# (and the 1.5 % the other bands leave over), 21 % 8-16 h, 16 % 16-24 h, 16.5 % 24-48 h, 12 %
# 2-7 days, 3 % over 7 days.
DURATION_BANDS = [
    (31.5, 0.5, 8),
    (21, 8, 16),
    (16, 16, 24),
    (16.5, 24, 48),
    (12, 48, 168),
    (3, 168, 21 * 24),
]
# Going missing peaks in the evening: weights for the hour last seen, 00:00 to 23:00.
HOUR_WEIGHTS = [4, 3, 2, 1, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 5, 6, 8, 9, 10, 11, 11, 10, 8, 6]
# How many episodes a child has in the year, by how they live (count: weight).
EPISODE_WEIGHTS = {
    "residential": {0: 15, 1: 30, 2: 20, 3: 15, 4: 10, 5: 6, 6: 4},
    "looked_after": {0: 35, 1: 35, 2: 15, 3: 10, 4: 5},
    "open_to_social_care": {0: 50, 1: 35, 2: 10, 3: 5},
    "other": {0: 65, 1: 30, 2: 5},
}
# A few children go missing a few dozen times a year.
FREQUENT_PER_CHILDREN = 50
FREQUENT_EPISODES = (18, 40)
# Still missing now: hours since last seen, one child each.
MISSING_NOW_HOURS = [2.5, 6, 10, 19, 28, 50, 80, 200]
# Returned without a safe-and-well check yet: hours since return (over 24: the check is overdue).
CHECK_OVERDUE_HOURS = [26, 31, 40]
CHECK_DUE_HOURS = [3, 9, 17]
RECLASSIFIED_SHARE = 0.15
CHECK_LATE_SHARE = 0.1
CHECKS_NOT_HELD = 3
LINKED_PAIRS = 3
AWAY_RECORDS = 5
# Keep the regular episodes this far from now, so they never meet the recent ones above.
RECENT_MARGIN = datetime.timedelta(days=10)

LAST_SEEN_PLACES = [
    "Piccadilly Gardens",
    "the Arndale Centre",
    "Platt Fields Park",
    "Stockport bus station",
    "a friend's house in Longsight",
    "the canal towpath, Castlefield",
    "Wigan North Western station",
    "outside school",
    "the Trafford Centre",
    "Manchester Piccadilly station",
]
MANCHESTER_PLACES = [place for place in LAST_SEEN_PLACES if "Stockport" not in place and "Wigan" not in place]
FOUND_PLACES = [
    ("a friend's flat in Moss Side", "M14 4SQ"),
    ("Piccadilly Gardens", "M1 1RG"),
    ("Stockport bus station", "SK1 1QP"),
    ("an address in Cheetham Hill", "M8 9DN"),
    ("Wigan town centre", "WN1 1PX"),
    ("the Trafford Centre", "M17 8AA"),
    ("a relative's house in Gorton", "M18 8LD"),
    ("Manchester Piccadilly station", "M1 2BN"),
    ("a park in Wythenshawe", "M22 5RX"),
    ("an adult's flat in Salford", "M6 5FX"),
]
CIRCUMSTANCES = {
    "care_placement": [
        "Did not return to the home by the agreed time of 21:00.",
        "Left the home after an argument with staff and did not answer calls.",
        "Went out with friends after school and did not come back.",
        "Staff saw the young person get into a car with unknown adults.",
        "Left through a window after staff checks at night.",
    ],
    "home": [
        "Left home after an argument with a parent.",
        "Did not come home after visiting friends.",
        "Went to the shop and did not return.",
        "Parent found the bedroom empty in the morning.",
    ],
    "school": [
        "Left school at lunchtime and did not return home.",
        "Not seen since leaving a lesson; did not arrive home.",
    ],
}
CHECK_OUTCOMES = [
    "Spoke with the child alone. Stayed with friends; no harm disclosed.",
    "Child says they slept at a friend's house. No concerns raised.",
    "Child would not say where they had been. Referred to the missing hub.",
    "Spent the night in the city centre with older peers; intelligence shared with the CSE team.",
    "Child was tired but well. Carer present for part of the check at the child's request.",
]
OFFICERS = ["Ahmed", "Brooks", "Clarke", "Doyle", "Evans", "Fitzgerald", "Hussain", "Kowalski", "Nolan", "Patel"]
VOWEL_SWAPS = {"a": "e", "e": "a", "i": "y", "o": "a", "u": "o"}
NICKNAMES = ["Bex", "Jojo", "Kaz", "Dee", "Mo", "Tiny", "Lulu", "Zed"]


@dataclasses.dataclass
class Planned:
    """One police episode planned for a child: its times and the classification the police give."""

    child: Child
    last_seen_at: datetime.datetime
    returned_at: datetime.datetime | None
    category: str
    risk_level: str
    cse_concern: str = "no"
    check: str = "feed"  # "feed": the police send the check; "none": not yet; "not_held": decided against
    first_report: tuple[str, str] | None = None  # (category, risk) first sent, when re-graded later
    reference: str = ""
    went_missing_with: str = ""


@dataclasses.dataclass
class DemoEpisodes:
    episodes: int
    missing_now: int
    held: int
    away: int


def demo_episodes_exist() -> bool:
    return Episode.objects.exists() or HeldReport.objects.exists()


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _kind(child: Child) -> str:
    if child.is_looked_after:
        return "residential" if child.placement_type == PlacementType.RESIDENTIAL else "looked_after"
    if child.legal_status in (LegalStatus.CHILD_IN_NEED, LegalStatus.CHILD_PROTECTION, LegalStatus.CARE_LEAVER):
        return "open_to_social_care"
    return "other"


def _band_pool(rng: random.Random, size: int) -> list[tuple[float, float]]:
    """`size` duration bands in the shares above (largest remainder), shuffled."""
    exact = [share * size / 100 for share, _low, _high in DURATION_BANDS]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: size - sum(counts)]:
        counts[i] += 1
    pool = [(low, high) for (_share, low, high), n in zip(DURATION_BANDS, counts, strict=True) for _ in range(n)]
    rng.shuffle(pool)
    return pool


def _duration(rng: random.Random, band: tuple[float, float]) -> datetime.timedelta:
    low, high = band
    return datetime.timedelta(minutes=round(rng.uniform(low, high) * 60))


def _classification(rng: random.Random, child: Child, on: datetime.date) -> tuple[str, str, str]:
    """(category, risk grade, CSE concern). domain.md: any known CSE risk means missing, and a child
    of 12 or under whose whereabouts are unknown is always missing."""
    if child.flag_cse:
        return "missing", rng.choice(["high", "medium"]), "yes"
    age = child.age_on(on) or 15
    if age > 12 and rng.random() < 0.28:
        return "absent", rng.choice(["low", "no_apparent_risk", "no_apparent_risk"]), "no"
    risk = rng.choices(["high", "medium", "low"], weights=[12, 63, 25])[0]
    return "missing", risk, rng.choice(["no", "no", "no", "unknown"])


def _first_report(rng: random.Random, category: str, risk: str) -> tuple[str, str] | None:
    """What the police first sent for an episode they later re-graded."""
    if category == "missing" and risk == "high":
        return "missing", "medium"
    if category == "missing" and risk == "medium":
        return rng.choice([("absent", "low"), ("missing", "low")])
    if category == "absent" and risk == "low":
        return "absent", "no_apparent_risk"
    return None


def _evening(rng: random.Random, moment: datetime.datetime) -> datetime.datetime:
    """The same UK day, at an hour drawn from HOUR_WEIGHTS."""
    local = timezone.localtime(moment)
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    return local.replace(hour=hour, minute=rng.randrange(0, 60, 5), second=0, microsecond=0)


class _Planner:
    def __init__(self, children: list[Child], now: datetime.datetime, rng: random.Random):
        self.children = children
        self.now = now
        self.rng = rng

    def counts(self) -> dict[int, int]:
        rng = self.rng
        counts = {child.pk: _weighted(rng, EPISODE_WEIGHTS[_kind(child)]) for child in self.children}
        frequent_weights = [
            {"residential": 10, "looked_after": 3, "open_to_social_care": 2, "other": 1}[_kind(c)]
            for c in self.children
        ]
        wanted = max(1, round(len(self.children) / FREQUENT_PER_CHILDREN))
        frequent: set[int] = set()
        while len(frequent) < min(wanted, len(self.children)):
            frequent.add(rng.choices(self.children, weights=frequent_weights)[0].pk)
        for pk in sorted(frequent):
            counts[pk] = rng.randint(*FREQUENT_EPISODES)
        return counts

    def plan(self) -> list[Planned]:
        """Every child's episodes in the year: the recent ones (missing now, checks due) first
        fixed, then the rest spread over the year without overlapping."""
        rng, now = self.rng, self.now
        counts = self.counts()
        with_episodes = [c for c in self.children if counts[c.pk]]
        special = rng.sample(with_episodes, min(len(with_episodes), len(MISSING_NOW_HOURS) + 6))
        missing_now = dict(zip((c.pk for c in special), MISSING_NOW_HOURS, strict=False))
        rest = special[len(missing_now) :]
        returned_recently = dict(zip((c.pk for c in rest), CHECK_OVERDUE_HOURS + CHECK_DUE_HOURS, strict=False))

        returned_total = sum(counts.values()) - len(missing_now)
        pool = _band_pool(rng, returned_total)
        planned = []
        for child in self.children:
            n = counts[child.pk]
            if not n:
                continue
            episodes = []
            end_of_regular = now - RECENT_MARGIN
            if child.pk in missing_now:
                last_seen = now - datetime.timedelta(hours=missing_now[child.pk])
                episodes.append(self._episode(child, last_seen, None))
                n -= 1
            elif child.pk in returned_recently:
                returned = now - datetime.timedelta(hours=returned_recently[child.pk])
                duration = _duration(rng, pool.pop())
                episode = self._episode(child, returned - duration, returned)
                episode.check = "none"
                episodes.append(episode)
                end_of_regular = min(end_of_regular, returned - duration - RECENT_MARGIN)
                n -= 1
            durations = [_duration(rng, pool.pop()) for _ in range(n)]
            episodes.extend(self._spread(child, durations, now - YEAR, end_of_regular))
            planned.extend(sorted(episodes, key=lambda e: e.last_seen_at))
        return planned

    def _spread(self, child, durations, start, end) -> list[Planned]:
        """Place episodes of these durations between start and end, in random order, apart."""
        rng = self.rng
        free = (end - start) - sum(durations, datetime.timedelta())
        points = sorted(rng.uniform(0, free.total_seconds()) for _ in durations)
        episodes, busy_until, used = [], start, datetime.timedelta()
        for point, duration in zip(points, durations, strict=True):
            last_seen = _evening(rng, start + datetime.timedelta(seconds=point) + used)
            if last_seen < busy_until + datetime.timedelta(hours=6):
                last_seen = busy_until + datetime.timedelta(hours=rng.randint(6, 30))
            returned = last_seen + duration
            if returned > end + RECENT_MARGIN / 2:
                break  # pushed along by the episodes before it, no room is left before the recent ones
            episodes.append(self._episode(child, last_seen, returned))
            busy_until, used = returned, used + duration
        return episodes

    def _episode(self, child, last_seen, returned) -> Planned:
        rng = self.rng
        category, risk, cse = _classification(rng, child, last_seen.date())
        episode = Planned(child, last_seen, returned, category, risk, cse)
        if rng.random() < RECLASSIFIED_SHARE:
            episode.first_report = _first_report(rng, category, risk)
        return episode


def _row(rng: random.Random, planned: Planned, now: datetime.datetime, *, first: bool = False) -> dict[str, str]:
    """The feed row (column -> text) a force would send for the planned episode."""
    child = planned.child
    placed = child.is_looked_after and child.establishment is not None
    if placed:
        missing_from, from_postcode = "care_placement", child.establishment.postcode
        reported_by = {
            PlacementType.RESIDENTIAL: "residential_home",
            PlacementType.SECURE: "residential_home",
            PlacementType.FOSTER: "foster_carer",
        }.get(child.establishment.placement_type, "carer")
    elif rng.random() < 0.15:
        missing_from, from_postcode, reported_by = "school", "", "school"
    else:
        missing_from, from_postcode, reported_by = "home", child.postcode, "parent"
    # Reported within a few hours, and before the child came back when the episode was long enough.
    limit = min(now, planned.returned_at) if planned.returned_at else now
    reported_at = planned.last_seen_at + datetime.timedelta(minutes=rng.randint(20, 360))
    reported_at = max(planned.last_seen_at, min(reported_at, limit - datetime.timedelta(minutes=1)))
    category, risk = planned.first_report if first else (planned.category, planned.risk_level)
    row = {
        "force": FORCE_CODE,
        "force_reference": planned.reference,
        "local_authority": (child.host_authority or child.responsible_authority).ons_code,
        "reported_at": reported_at.isoformat(),
        "category": category,
        "risk_level": risk,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else "",
        "gender": child.gender,
        "ethnicity": child.ethnicity,
        "home_postcode": normalise_postcode(child.postcode) or "",
        "missing_from": missing_from,
        "missing_from_postcode": normalise_postcode(from_postcode or "") or "",
        "last_seen_at": planned.last_seen_at.isoformat(),
        "last_seen_location": rng.choice(LAST_SEEN_PLACES),
        "reported_by": reported_by,
        "circumstances": rng.choice(CIRCUMSTANCES[missing_from]),
        "went_missing_with": planned.went_missing_with,
        "cse_concern": planned.cse_concern,
        "officer": f"PC {rng.randint(1000, 9999)} {rng.choice(OFFICERS)}",
    }
    if planned.returned_at and not first:
        place, postcode = rng.choice(FOUND_PLACES)
        row.update(
            returned_at=planned.returned_at.isoformat(),
            found_location=place,
            found_postcode=postcode,
            return_method=rng.choices(["own_accord", "police", "family", "carer", "other"], [45, 30, 12, 10, 3])[0],
        )
        if planned.check == "feed":
            late = rng.random() < CHECK_LATE_SHARE
            check_at = planned.returned_at + datetime.timedelta(
                hours=rng.uniform(24.5, 40) if late else rng.uniform(1, 22)
            )
            if check_at < now:
                row.update(
                    safe_and_well_at=check_at.isoformat(),
                    safe_and_well_outcome=rng.choice(CHECK_OUTCOMES),
                    harm_disclosed=rng.choices(["no", "yes", "unknown"], [80, 8, 12])[0],
                )
    return row


def _reports(rows: list[dict], lookups: Lookups, now: datetime.datetime):
    reports = []
    for line, row in enumerate(rows, 1):
        report, errors = parse_report(row, line=line, lookups=lookups, now=now)
        if errors:
            raise ValueError(f"Demo row for {row['force_reference']} was rejected: {errors}")
        reports.append(report)
    return reports


def _pair_up(rng: random.Random, planned: list[Planned]) -> list[tuple[Planned, Planned]]:
    """Children who went missing together: pairs of children with one episode each, in the same
    area, given the same times."""
    by_child: dict[int, list[Planned]] = {}
    for episode in planned:
        by_child.setdefault(episode.child.pk, []).append(episode)
    singles = [eps[0] for eps in by_child.values() if len(eps) == 1 and eps[0].returned_at and eps[0].check == "feed"]
    rng.shuffle(singles)
    pairs = []
    while singles and len(pairs) < LINKED_PAIRS:
        first = singles.pop()
        area = first.child.responsible_authority_id
        partner = next((e for e in singles if e.child.responsible_authority_id == area), None)
        if partner is None:
            continue
        singles.remove(partner)
        partner.last_seen_at, partner.returned_at = first.last_seen_at, first.returned_at
        pairs.append((first, partner))
    return pairs


def _hold_likely_matches(rng: random.Random, children: list[Child], lookups: Lookups, now: datetime.datetime) -> int:
    """Reports that only probably match a demo child (a misspelt name, names swapped, the day
    and month of birth swapped, an alias), left waiting for the Manchester coordinator."""
    manchester = [
        c for c in children if c.responsible_authority.ons_code == "E08000003" and c.host_authority_id is None
    ]
    missing_now = set(Episode.objects.filter(state=EpisodeState.MISSING).values_list("child_id", flat=True))
    manchester = [c for c in manchester if c.pk not in missing_now and c.date_of_birth]
    rng.shuffle(manchester)

    def misspelt(name: str) -> str:
        """As a name is misheard or mistyped: Sophie/Sofie, Kerry/Kery, Tracy/Tracie, Smith/Smyth."""
        if "ph" in name:
            return name.replace("ph", "f", 1)
        for i in range(1, len(name)):
            if name[i] == name[i - 1]:
                return name[:i] + name[i + 1 :]
        if name.endswith("y"):
            return name[:-1] + "ie"
        for i in range(1, len(name)):
            if name[i] in VOWEL_SWAPS:
                return name[:i] + VOWEL_SWAPS[name[i]] + name[i + 1 :]
        return name + "e"

    def given_misspelt(child: Child) -> tuple[str, str, datetime.date] | None:
        if len(child.given_name) < 5:
            return None
        return misspelt(child.given_name), child.family_name, child.date_of_birth

    def family_misspelt(child: Child) -> tuple[str, str, datetime.date] | None:
        if len(child.family_name) < 5:
            return None
        return child.given_name, misspelt(child.family_name), child.date_of_birth

    def birth_swapped(child: Child) -> tuple[str, str, datetime.date] | None:
        other = matching.swapped(child.date_of_birth)
        return (child.given_name, child.family_name, other) if other else None

    def names_swapped(child: Child) -> tuple[str, str, datetime.date]:
        return child.family_name, child.given_name, child.date_of_birth

    def alias(child: Child) -> tuple[str, str, datetime.date]:
        nickname = rng.choice(NICKNAMES)
        names = [a.name for a in child.aliases.all()] + [nickname]
        children_services.child_update(
            child=child, by=None, reason="The police know the child by this name (demo data)", aliases=names
        )
        return nickname, child.family_name, child.date_of_birth

    kinds = [given_misspelt, birth_swapped, family_misspelt, alias, names_swapped]
    held = 0
    for hours_ago, kind in zip([0.5, 3, 8, 20, 46], kinds, strict=True):
        received = now - datetime.timedelta(hours=hours_ago)
        for child in list(manchester):
            names = kind(child)
            if names is None:
                continue
            given, family, born = names
            last_seen = received - datetime.timedelta(hours=rng.uniform(2, 6))
            row = {
                "force": FORCE_CODE,
                "force_reference": f"MP/{received:%y}/{rng.randint(900000, 999999)}",
                "local_authority": "E08000003",
                "reported_at": (last_seen + datetime.timedelta(hours=1)).isoformat(),
                "category": "missing",
                "risk_level": rng.choice(["medium", "high"]),
                "given_name": given,
                "family_name": family,
                "date_of_birth": born.isoformat(),
                "gender": child.gender,
                "home_postcode": normalise_postcode(child.postcode) or "",
                "missing_from": "home",
                "last_seen_at": last_seen.isoformat(),
                "last_seen_location": rng.choice(MANCHESTER_PLACES),
                "reported_by": "parent",
                "circumstances": rng.choice(CIRCUMSTANCES["home"]),
                "cse_concern": "unknown",
                "officer": f"PC {rng.randint(1000, 9999)} {rng.choice(OFFICERS)}",
            }
            (report,) = _reports([row], lookups, received)
            children = Child.objects.filter(matching.candidate_query([report])).prefetch_related("aliases")
            if not matching.match(report, [matching.Candidate.of(child) for child in children]).held:
                continue
            (outcome,) = services.intake_reports(reports=[report], source=SOURCE, now=received)
            if outcome.outcome != Outcome.HELD:
                raise RuntimeError(f"Demo record {report.force_reference} was not held: {outcome.outcome}")
            manchester.remove(child)
            held += 1
            break
    return held


def _away_records(rng, children, coordinators: dict[str, User], now) -> int:
    """Looked-after children whose whereabouts were known but who were not where they should be."""
    looked_after = [
        c
        for c in children
        if c.is_looked_after and c.establishment_id and c.responsible_authority.ons_code in coordinators
    ]
    made = 0
    for child in rng.sample(looked_after, min(AWAY_RECORDS, len(looked_after))):
        last_seen = _evening(rng, now - datetime.timedelta(days=rng.randint(12, 300)))
        services.away_episode_create(
            child=child,
            by=coordinators[child.responsible_authority.ons_code],
            last_seen_at=last_seen,
            returned_at=last_seen + datetime.timedelta(hours=rng.uniform(3, 20)),
            whereabouts=rng.choice(
                [
                    "At their mother's address; contact is not agreed in the care plan.",
                    "Staying at a friend's house; the carer spoke to them by phone.",
                    "With an older sibling in Gorton; refused to come back until the morning.",
                ]
            ),
            circumstances="Known whereabouts, not authorised by the placement.",
            now=now,
        )
        made += 1
    return made


@transaction.atomic
def seed_episodes(
    *, coordinators: dict[str, User], police_spoc: User, seed: int = SEED, now: datetime.datetime | None = None
) -> DemoEpisodes:
    """Episodes for every demo child the demo force covers, through the same intake as the feed.

    `coordinators` maps a local authority's ONS code to its demo coordinator, who records the
    away-from-placement episodes and closes old episodes in that authority.
    """
    now = now or timezone.now()
    rng = random.Random(seed)
    force = Agency.objects.get(kind=AgencyKind.POLICE, code=FORCE_CODE)
    covered = set(force.local_authorities.values_list("pk", flat=True))
    children = [
        c
        for c in Child.objects.select_related("responsible_authority", "host_authority", "establishment")
        .prefetch_related("aliases")
        .order_by("pk")
        if (c.host_authority_id or c.responsible_authority_id) in covered
    ]
    planned = _Planner(children, now, rng).plan()
    pairs = _pair_up(rng, planned)
    for number, episode in enumerate(sorted(planned, key=lambda e: e.last_seen_at), 4100):
        episode.reference = f"MP/{timezone.localtime(episode.last_seen_at):%y}/{number:06d}"
    for first, partner in pairs:
        first.went_missing_with, partner.went_missing_with = partner.reference, first.reference
    # The police decided against a check for a few episodes of the children missing most often.
    per_child = collections.Counter(e.child.pk for e in planned)
    frequent = [
        e
        for e in planned
        if per_child[e.child.pk] >= 10 and e.check == "feed" and e.returned_at and e.returned_at < now - RECENT_MARGIN
    ]
    for episode in rng.sample(frequent, min(CHECKS_NOT_HELD, len(frequent))):
        episode.check = "not_held"

    lookups = Lookups()
    by_child: dict[int, list[Planned]] = {}
    for episode in planned:
        by_child.setdefault(episode.child.pk, []).append(episode)
    # Children who went missing together are sent in the order they were first reported.
    for episodes in sorted(by_child.values(), key=lambda eps: eps[0].last_seen_at):
        child = episodes[0].child
        first_rows = [_row(rng, e, now, first=True) for e in episodes if e.first_report]
        if first_rows:
            services.intake_reports(reports=_reports(first_rows, lookups, now), source=SOURCE, now=now, child=child)
        rows = [_row(rng, e, now) for e in episodes]
        services.intake_reports(reports=_reports(rows, lookups, now), source=SOURCE, now=now, child=child)

    for episode in Episode.objects.filter(force_reference__in=[e.reference for e in planned if e.check == "not_held"]):
        services.safe_and_well_record(
            episode=episode,
            by=police_spoc,
            not_held_reason="Very frequent episodes: agreed with the carer and social worker that the return "
            "interview covers it.",
            now=now,
        )
    with_police_episodes = {e.child.pk for e in planned}
    away = _away_records(rng, [c for c in children if c.pk not in with_police_episodes], coordinators, now)
    held = _hold_likely_matches(rng, children, lookups, now)
    _close_old(coordinators, now)
    return DemoEpisodes(
        episodes=Episode.objects.count(),
        missing_now=Episode.objects.filter(state=EpisodeState.MISSING).count(),
        held=held,
        away=away,
    )


def _close_old(coordinators: dict[str, User], now: datetime.datetime) -> None:
    """Episodes whose child came back more than eight weeks ago have nothing more to do."""
    old = Episode.objects.filter(
        state=EpisodeState.RETURNED, returned_at__lt=now - datetime.timedelta(weeks=8)
    ).select_related("local_authority")
    for episode in old:
        coordinator = coordinators.get(episode.local_authority.ons_code)
        if coordinator is not None:
            services.episode_close(episode=episode, by=coordinator, reason="Return interview done (demo data)", now=now)
