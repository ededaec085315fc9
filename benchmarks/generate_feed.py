"""Synthetic police feed files (shared/spec/police-feed.md) for the import benchmark.

Writes two files: `base.csv`, an earlier extract, and `mixed.csv`, the later extract the
benchmark times, with the day-to-day mix: 60 % records the base file did not have, 30 % base
records that changed (the risk re-graded, or the child found with the safe-and-well check done)
and 10 % base records sent again unchanged.

Children: most appear once; a few "repeaters" go missing five to forty times, and a third of the
new records in the later file are about children the base file already named, so matching links
records to children it knows. Names are Faker en_GB, with some French, Polish, Spanish, Irish,
Turkish and Portuguese names (accents, 'Ó Caitigín'), hyphens and apostrophes. Times are within
the last year, written in UK local time without an offset, never in the hour skipped or
repeated when the clocks change.

    python benchmarks/generate_feed.py --rows 100000 --out var/bench
"""

import argparse
import csv
import dataclasses
import datetime
import os
import pathlib
import random
import sys
import zoneinfo

from faker import Faker

UK = zoneinfo.ZoneInfo("Europe/London")
ROOT = pathlib.Path(__file__).resolve().parent.parent

# (name in the feed, postcode area, highest district, share of records)
AUTHORITIES = [("Manchester", "M", 40, 0.5), ("Stockport", "SK", 8, 0.25), ("Wigan", "WN", 8, 0.25)]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
OTHER_LOCALES = ["fr_FR", "pl_PL", "es_ES", "ga_IE", "tr_TR", "pt_PT"]
ETHNICITIES = [
    ("White British", 60),
    ("White Irish", 2),
    ("White Other", 6),
    ("Mixed White and Black Caribbean", 5),
    ("Mixed White and Asian", 3),
    ("Asian Pakistani", 8),
    ("Asian Indian", 2),
    ("Asian Bangladeshi", 2),
    ("Black African", 6),
    ("Black Caribbean", 2),
    ("Chinese", 1),
    ("Arab", 1),
    ("Gypsy or Irish Traveller", 1),
    ("", 1),
]
# Issue 3, 'Demo data': how long episodes last (the rest are over a week).
DURATIONS = [
    (0.30, 0.5, 8),
    (0.21, 8, 16),
    (0.16, 16, 24),
    (0.165, 24, 48),
    (0.12, 48, 168),
    (0.045, 168, 24 * 30),
]
CIRCUMSTANCES = [
    "Left after an argument with staff about phone use",
    "Did not return from school, last seen at the bus stop",
    "Went out to meet friends and did not come back at the agreed time",
    "Left the placement at night through a window",
    "Believed to be with an older male, known to police",
    "Said she was going to the shop, phone now switched off",
    "Refused to come home after a family row",
    "Seen getting into a car, registration not known",
    "Has gone missing from this address before, usually found in the city centre",
    "Mother reports he has taken money and a change of clothes",
]
FOUND = [
    "Piccadilly Gardens, Manchester",
    "Stockport bus station",
    "Wigan North Western station",
    "A friend's address",
    "Trafford Centre",
    "Market Street, Manchester",
    "Returned to placement",
    "Returned home",
    "Hospital A&E",
    "Park near home address",
]
OUTCOMES = [
    "Seen by officer, no concerns raised",
    "Child spoke about staying with friends, declined to give names",
    "Disclosed drinking alcohol with older youths; referred to the missing hub",
    "Would not engage; carer present throughout",
    "Child said they felt safe, information shared with social worker",
]


@dataclasses.dataclass
class ChildRecord:
    given_name: str
    family_name: str
    date_of_birth: datetime.date | None
    gender: str
    ethnicity: str
    local_authority: str
    postcode: str
    placement_postcode: str  # blank unless looked after


@dataclasses.dataclass
class Feeds:
    base: list[dict[str, str]]
    mixed: list[dict[str, str]]
    counts: dict[str, int]


class FeedGenerator:
    """Deterministic for a seed and a `now`."""

    def __init__(self, *, seed: int = 2026, now: datetime.datetime | None = None, columns: list[str]):
        self.random = random.Random(seed)
        self.now = (now or datetime.datetime.now(datetime.UTC)).replace(second=0, microsecond=0)
        self.columns = columns
        self.reference = 0
        faker = Faker(["en_GB", *OTHER_LOCALES])
        faker.seed_instance(seed)
        # Faker is slow per call; draw pools once and sample from them.
        english = faker["en_GB"]
        self.given = {
            "male": [english.first_name_male() for _ in range(3000)],
            "female": [english.first_name_female() for _ in range(3000)],
        }
        self.family = [english.last_name() for _ in range(3000)]
        self.foreign = {
            locale: (
                [faker[locale].first_name_male() for _ in range(200)],
                [faker[locale].first_name_female() for _ in range(200)],
                [faker[locale].last_name() for _ in range(300)],
            )
            for locale in OTHER_LOCALES
        }
        self.streets = [english.street_name() for _ in range(500)]
        self.placements = {
            name: [self.postcode(name) for _ in range(15)] for name, _area, _districts, _share in AUTHORITIES
        }

    # --- values ------------------------------------------------------------------------------

    def postcode(self, authority: str) -> str:
        area, districts = next((a, d) for name, a, d, _ in AUTHORITIES if name == authority)
        inward = self.random.choice(INWARD_LETTERS) + self.random.choice(INWARD_LETTERS)
        return f"{area}{self.random.randint(1, districts)} {self.random.randint(0, 9)}{inward}"

    def authority(self) -> str:
        return self.random.choices([a[0] for a in AUTHORITIES], weights=[a[3] for a in AUTHORITIES])[0]

    def name(self, gender: str) -> tuple[str, str]:
        draw = self.random.random()
        pick = "female" if gender == "female" else "male"
        if draw < 0.08:
            males, females, families = self.foreign[self.random.choice(OTHER_LOCALES)]
            return self.random.choice(females if pick == "female" else males), self.random.choice(families)
        given, family = self.random.choice(self.given[pick]), self.random.choice(self.family)
        if draw < 0.11:
            family = f"{family}-{self.random.choice(self.family)}"
        elif draw < 0.12:
            family = f"O'{family}"
        return given, family

    def child(self, authority: str | None = None) -> ChildRecord:
        authority = authority or self.authority()
        gender = self.random.choices(["male", "female", "unknown"], weights=[48, 50, 2])[0]
        given, family = self.name(gender)
        # Old enough to go missing, and under 17 today, so under 18 at every time in the last year.
        today = self.now.date()
        born = today - datetime.timedelta(days=self.random.randint(9 * 365, 17 * 365 - 10))
        looked_after = self.random.random() < 0.35
        return ChildRecord(
            given_name=given,
            family_name=family,
            date_of_birth=None if self.random.random() < 0.04 else born,
            gender=gender,
            ethnicity=self.random.choices([e for e, _ in ETHNICITIES], weights=[w for _, w in ETHNICITIES])[0],
            local_authority=authority,
            postcode=self.postcode(authority),
            placement_postcode=self.random.choice(self.placements[authority]) if looked_after else "",
        )

    def next_reference(self, moment: datetime.datetime) -> str:
        self.reference += 1
        return f"MP/{moment:%y}/{self.reference:07d}"

    def duration(self) -> datetime.timedelta:
        _share, low, high = self.random.choices(DURATIONS, weights=[d[0] for d in DURATIONS])[0]
        return datetime.timedelta(minutes=self.random.randint(int(low * 60), int(high * 60)))

    def moment_in_last_year(self) -> datetime.datetime:
        return self.exact(self.now - datetime.timedelta(minutes=self.random.randint(3 * 24 * 60, 365 * 24 * 60)))

    @staticmethod
    def exact(moment: datetime.datetime) -> datetime.datetime:
        """The first moment at or after `moment` whose UK local time names one moment only (so
        never in the hour repeated when the clocks go back)."""
        while True:
            local = moment.astimezone(UK).replace(tzinfo=None)
            if local.replace(tzinfo=UK, fold=0).utcoffset() == local.replace(tzinfo=UK, fold=1).utcoffset():
                return moment
            moment += datetime.timedelta(minutes=30)

    @staticmethod
    def local(moment: datetime.datetime | None) -> str:
        return "" if moment is None else moment.astimezone(UK).strftime("%Y-%m-%dT%H:%M")

    def circumstances(self) -> str:
        text = self.random.choice(CIRCUMSTANCES)
        if self.random.random() < 0.3:
            text += f", last seen on {self.random.choice(self.streets)}"
        if self.random.random() < 0.1:
            text += '.\nCarer called police "as agreed in the risk assessment".'
        return text

    # --- rows --------------------------------------------------------------------------------

    def row(self, child: ChildRecord, last_seen: datetime.datetime, *, returned: bool) -> dict[str, str]:
        at_placement = bool(child.placement_postcode) and self.random.random() < 0.85
        if at_placement:
            missing_from, missing_from_postcode = "care_placement", child.placement_postcode
            reported_by = self.random.choices(["residential_home", "foster_carer", "carer"], weights=[6, 3, 1])[0]
        else:
            missing_from = self.random.choices(["home", "school", "other"], weights=[85, 8, 7])[0]
            missing_from_postcode = child.postcode if missing_from == "home" else ""
            reported_by = {"home": "parent", "school": "school"}.get(missing_from, "other")
        cse = self.random.choices(["yes", "no", "unknown", ""], weights=[10, 55, 25, 10])[0]
        category = "missing" if cse == "yes" or self.random.random() < 0.75 else "absent"
        risks = ["high", "medium", "low"] if category == "missing" else ["low", "no_apparent_risk"]
        reported_at = self.exact(last_seen + datetime.timedelta(minutes=self.random.randint(20, 12 * 60)))
        reported_at = min(reported_at, self.now)
        row = dict.fromkeys(self.columns, "")
        row.update(
            force="GMP",
            force_reference=self.next_reference(last_seen),
            local_authority=child.local_authority,
            reported_at=self.local(reported_at),
            category=category,
            risk_level=self.random.choices(risks, weights=[1, 5, 3][: len(risks)])[0],
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth.isoformat() if child.date_of_birth else "",
            gender=child.gender,
            ethnicity=child.ethnicity,
            home_postcode=child.postcode,
            missing_from=missing_from,
            missing_from_postcode=missing_from_postcode,
            last_seen_at=self.local(last_seen),
            last_seen_location=f"{self.random.choice(self.streets)}, {child.local_authority}",
            reported_by=reported_by,
            circumstances=self.circumstances(),
            cse_concern=cse,
            officer=f"PC {self.random.randint(1000, 9999)} {self.random.choice(self.family)}",
        )
        row["_last_seen"] = last_seen
        if returned:
            self.found(row)
        return row

    def found(self, row: dict) -> None:
        """The child is back: when, where, how, and the safe-and-well check."""
        last_seen = row["_last_seen"]
        latest = self.now - datetime.timedelta(hours=1)
        returned_at = self.exact(last_seen + self.duration())
        if returned_at > latest:
            returned_at = self.exact(last_seen + (latest - last_seen) * self.random.random())
        check_at = self.exact(returned_at + datetime.timedelta(minutes=self.random.randint(30, 30 * 60)))
        if check_at > self.now:
            check_at = returned_at
        row.update(
            returned_at=self.local(returned_at),
            found_location=self.random.choice(FOUND),
            found_postcode=self.postcode(row["local_authority"]) if self.random.random() < 0.6 else "",
            return_method=self.random.choices(
                ["own_accord", "police", "family", "carer", "other"], weights=[45, 25, 15, 10, 5]
            )[0],
            safe_and_well_at=self.local(check_at),
            safe_and_well_outcome=self.random.choice(OUTCOMES),
            harm_disclosed=self.random.choices(["no", "yes", "unknown"], weights=[80, 8, 12])[0],
        )

    def new_records(self, count: int, known: list[ChildRecord], *, share_known: float, returned_share: float):
        """`count` new records; `share_known` of them about children in `known`; one in twenty
        in pairs who went missing together."""
        rows, children = [], []
        while len(rows) < count:
            last_seen = self.moment_in_last_year()
            if known and self.random.random() < share_known:
                group = [self.random.choice(known)]
            else:
                group = [self.child()]
                if self.random.random() < 0.05 and count - len(rows) >= 2:
                    group.append(self.child(group[0].local_authority))
                children.extend(group)
            returned = self.random.random() < returned_share
            pair = [self.row(child, last_seen, returned=returned) for child in group]
            if len(pair) == 2:
                pair[0]["went_missing_with"] = pair[1]["force_reference"]
                pair[1]["went_missing_with"] = pair[0]["force_reference"]
                pair[1]["last_seen_location"] = pair[0]["last_seen_location"]
            rows.extend(pair)
        return rows, children

    def base(self, count: int) -> tuple[list[dict], list[ChildRecord]]:
        """An earlier extract: 70 % of records are about children seen once, 30 % about
        repeaters (5 to 40 episodes each); 70 % of children are back, with a safe-and-well check."""
        rows = []
        repeaters = []
        repeat_rows = int(count * 0.3)
        while len(rows) < repeat_rows:
            child = self.child()
            repeaters.append(child)
            for _ in range(min(self.random.randint(5, 40), repeat_rows - len(rows))):
                rows.append(self.row(child, self.moment_in_last_year(), returned=self.random.random() < 0.7))
        singles, children = self.new_records(count - len(rows), [], share_known=0, returned_share=0.7)
        rows.extend(singles)
        return rows, repeaters + children

    def mixed(self, base: list[dict], known: list[ChildRecord], count: int) -> tuple[list[dict], dict[str, int]]:
        new_count, update_count = round(count * 0.6), round(count * 0.3)
        same_count = count - new_count - update_count
        if len(base) < update_count + same_count:
            raise ValueError("the base file needs at least 40 % as many rows as the mixed file")
        chosen = self.random.sample(range(len(base)), update_count + same_count)
        rows = [dict(base[i]) for i in chosen[update_count:]]
        found = regraded = 0
        for i in chosen[:update_count]:
            row = dict(base[i])
            if not row["returned_at"]:
                self.found(row)
                found += 1
            else:
                row["risk_level"] = self.random.choice(
                    [r for r in ("high", "medium", "low", "no_apparent_risk") if r != row["risk_level"]]
                )
                if row["risk_level"] in ("high", "medium"):
                    row["category"] = "missing"
                elif row["cse_concern"] != "yes":
                    row["category"] = "absent"
                regraded += 1
            rows.append(row)
        new, _ = self.new_records(new_count, known, share_known=0.3, returned_share=0.7)
        rows.extend(new)
        counts = {
            "new": len(new),
            "updated": update_count,
            "child found": found,
            "risk re-graded": regraded,
            "unchanged": same_count,
        }
        return rows, counts

    def feeds(self, rows: int, base_rows: int | None = None) -> Feeds:
        base, known = self.base(base_rows or rows)
        mixed, counts = self.mixed(base, known, rows)
        # An extract lists records in the order the police recorded them.
        base.sort(key=lambda row: row["_last_seen"])
        mixed.sort(key=lambda row: row["_last_seen"])
        return Feeds(base=base, mixed=mixed, counts={"base": len(base), "mixed": len(mixed), **counts})


def write_feed(path: pathlib.Path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def feed_columns() -> list[str]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "missing.settings")
    import django

    django.setup()
    from episodes.feed import COLUMNS

    return list(COLUMNS)


def generate(
    out: pathlib.Path, *, rows: int, base_rows: int | None = None, seed: int = 2026, now=None
) -> tuple[pathlib.Path, pathlib.Path, dict[str, int]]:
    """Write base.csv and mixed.csv into `out`; returns their paths and what the mixed file holds."""
    columns = feed_columns()
    feeds = FeedGenerator(seed=seed, now=now, columns=columns).feeds(rows, base_rows)
    out.mkdir(parents=True, exist_ok=True)
    base_path, mixed_path = out / "base.csv", out / "mixed.csv"
    write_feed(base_path, feeds.base, columns)
    write_feed(mixed_path, feeds.mixed, columns)
    return base_path, mixed_path, feeds.counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the mixed file (default 100,000)")
    parser.add_argument("--base-rows", type=int, help="rows in the base file (default: as many as --rows)")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "var" / "bench", help="folder to write into")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    base_path, mixed_path, counts = generate(args.out, rows=args.rows, base_rows=args.base_rows, seed=args.seed)
    print(f"wrote {base_path} and {mixed_path}")
    print(", ".join(f"{name} {count}" for name, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
