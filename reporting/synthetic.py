"""A synthetic history at scale for benchmarks: children, episodes, return interviews,
safe-and-well checks, deadlines and escalations, generated inside PostgreSQL in a few
INSERT … SELECT statements (setseed makes a run reproducible).

What it writes, and what it leaves out:
- children (one history row each: the SSDA903 return reads looked-after spells from it), about
  12 % looked after in a placement, some placed out of area;
- episodes: most children have one, one in a hundred has 100 to 300; durations in the shares
  of issue 3, scaled to add up to 100 %; recent ones may still be open;
- a return interview for every returned missing episode, due 72 hours after the return;
- safe-and-well checks and their 24-hour clocks; the 72-hour interview clocks; reminders and
  social-worker visit clocks only while open; time-rule clocks of episodes still missing;
- escalations of the time rules (24 hours, 72 hours, 7 days, one episode over 24 hours).
No users are made, so no worker is allocated, no visit, meeting or recipient is recorded, and
episodes, interviews, checks, deadlines and escalations have no history rows.
"""

import dataclasses
import datetime
import pathlib
import random
import re
import time

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from faker import Faker

from episodes.deadlines import SAFE_AND_WELL
from episodes.models import Episode
from interviews.models import ReturnInterview
from interviews.services import INTERVIEW_DUE, INTERVIEW_REMINDER, SOCIAL_WORKER_VISIT
from organisations.models import LocalAuthority
from risk import rules
from risk.services import deadline_kind

SQL_FILE = pathlib.Path(__file__).with_suffix(".sql")
SAFE_DATABASE_WORDS = ("bench", "synthetic")
LOOKED_AFTER_SHARE = 0.12
# Issue 3, 'Demo data': (share of returned episodes, lowest hours, highest hours). The
# issue's shares (30, 21, 16, 16.5, 12 and 3 %) add up to 98.5 %, so each is scaled by 1/0.985.
DURATION_BANDS = [(0.30, 0.25, 8), (0.21, 8, 16), (0.16, 16, 24), (0.165, 24, 48), (0.12, 48, 168), (0.03, 168, 720)]
# Plausible postcode areas and their highest district, given to authorities in turn.
POSTCODE_AREAS = [
    ("M", 40), ("SK", 17), ("WN", 8), ("B", 99), ("LS", 29), ("L", 38), ("S", 36), ("BS", 49),
    ("NE", 99), ("NG", 34), ("LE", 19), ("BD", 24), ("CV", 37), ("SO", 53), ("PL", 35), ("E", 20),
    ("N", 22), ("SE", 28), ("SW", 20), ("OL", 16), ("BL", 9), ("PR", 26), ("HU", 20), ("DE", 75),
]  # fmt: skip
KNOWN_AREAS = {"E08000003": "M", "E08000007": "SK", "E08000010": "WN", "E08000025": "B", "E08000035": "LS"}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ETHNICITY_CODES = ["WBRI"] * 12 + ["WOTH", "MWBC", "MWAS", "APKN", "AIND", "BAFR", "BCRB", "CHNE", "OOTH", "NOBT"]
PLACES = ["Town centre", "Bus station", "A friend's address", "Retail park", "The park near home", "Railway station"]
TIME_RULES = [
    (rules.MISSING_24_HOURS, 24),
    (rules.EPISODE_OVER_24_HOURS, 24),
    (rules.MISSING_72_HOURS, 72),
    (rules.MISSING_7_DAYS, 168),
]


TEMPORARY_TABLES = ("synth_la", "synth_child", "synth_episode", "synth_interview", "synth_check", "synth_rule")


@dataclasses.dataclass
class Summary:
    children: int = 0
    looked_after: int = 0
    episodes: int = 0
    interviews: int = 0
    deadlines: int = 0
    open_deadlines: int = 0
    escalations: int = 0
    seconds: float = 0.0


def refusal(*, vendor: str, name: str, not_live: bool) -> str | None:
    """Why synthetic data may not be written here (None when it may)."""
    if vendor != "postgresql":
        return "generate_synthetic runs on PostgreSQL only: set DATABASE_URL=postgres://..."
    if not not_live and not any(word in name.lower() for word in SAFE_DATABASE_WORDS):
        return (
            f"The database '{name}' does not look like a benchmark database (its name has neither "
            f"{' nor '.join(repr(w) for w in SAFE_DATABASE_WORDS)}); "
            "give --i-know-this-is-not-live to write to it anyway."
        )
    return None


def _names(seed: int) -> tuple[list[str], list[str], list[str]]:
    fake = Faker("en_GB")
    fake.seed_instance(seed)

    # Plain letters only, so lower case is the name's search key (children.services.search_key).
    def plain(make, count: int) -> list[str]:
        names = []
        while len(names) < count:
            name = make()
            if name.isascii() and name.isalpha():
                names.append(name)
        return names

    return plain(fake.first_name_female, 200), plain(fake.first_name_male, 200), plain(fake.last_name, 400)


def _duration_sql(u: str, v: str) -> str:
    total = sum(share for share, _, _ in DURATION_BANDS)
    cases, cumulative = [], 0.0
    for share, low, high in DURATION_BANDS:
        cumulative += share / total
        cases.append(f"WHEN {u} < {cumulative:.6f} THEN {low} + {v} * {high - low}")
    cases[-1] = f"ELSE {DURATION_BANDS[-1][1]} + {v} * {DURATION_BANDS[-1][2] - DURATION_BANDS[-1][1]}"
    return "CASE " + " ".join(cases) + " END"


def generate(*, children: int, years: int, authorities: list[str] | None = None, seed: int = 1, now=None) -> Summary:
    """Write the synthetic history in one transaction; return what was written.

    1. Per authority: a postcode area, the police force that covers it, establishments.
    2. Children in a temporary table with their random draws, then the rows and history rows.
    3. Episodes for each child over the years the child was 10 to 17 and within the window.
    4. Interviews, safe-and-well checks, deadlines and escalations read from those episodes.
    """
    started = time.monotonic()
    now = now or datetime.datetime.now(datetime.UTC)
    queryset = LocalAuthority.objects.order_by("ons_code")
    if authorities:
        queryset = queryset.filter(ons_code__in=authorities)
        missing = set(authorities) - set(queryset.values_list("ons_code", flat=True))
        if missing:
            raise ValueError(f"No local authority with the ONS code {', '.join(sorted(missing))}.")
    las = list(queryset.values_list("pk", "ons_code"))
    if not las:
        raise ValueError("No local authorities: run the migrations (organisations 0002 loads them).")
    female, male, family = _names(seed)
    episode_type = ContentType.objects.get_for_model(Episode).pk
    interview_type = ContentType.objects.get_for_model(ReturnInterview).pk
    params = {
        "n": children,
        "years": years,
        "now": now,
        "female": female,
        "male": male,
        "family": family,
        "ethnicity": ETHNICITY_CODES,
        "places": PLACES,
        "letters": list(INWARD_LETTERS),
        "lac_share": LOOKED_AFTER_SHARE,
        "episode_type": episode_type,
        "interview_type": interview_type,
        "rule_codes": [code for code, _ in TIME_RULES],
        "rule_triggers": [rules.BY_CODE[code].trigger for code, _ in TIME_RULES],
        "rule_hours": [hours for _, hours in TIME_RULES],
        "interview_due": INTERVIEW_DUE,
        "interview_reminder": INTERVIEW_REMINDER,
        "safe_and_well": SAFE_AND_WELL,
        "social_worker_visit": SOCIAL_WORKER_VISIT,
        "rule_prefix": deadline_kind(rules.BY_CODE[rules.MISSING_24_HOURS]).removesuffix(rules.MISSING_24_HOURS),
    }
    areas = dict(POSTCODE_AREAS)
    area_names = [
        KNOWN_AREAS.get(code) or POSTCODE_AREAS[index % len(POSTCODE_AREAS)][0] for index, (_, code) in enumerate(las)
    ]
    params.update(
        la_idx=list(range(1, len(las) + 1)),
        la_id=[pk for pk, _ in las],
        la_area=area_names,
        la_districts=[areas[area] for area in area_names],
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # setseed takes a number in [-1, 1]; any seed maps to one.
        cursor.execute("SELECT setseed(%s)", [random.Random(seed).uniform(-1, 1)])
        cursor.execute("SELECT coalesce(max(id), 0) FROM deadlines_deadline")
        (deadlines_before,) = cursor.fetchone()
        for statement in _statements():
            cursor.execute(statement, params)
        summary = _summary(cursor, deadlines_before=deadlines_before)
        # ON COMMIT DROP is not enough when the caller's transaction goes on (a test's).
        cursor.execute(f"DROP TABLE {', '.join(TEMPORARY_TABLES)}")
    summary.seconds = round(time.monotonic() - started, 1)
    return summary


def _statements() -> list[str]:
    """The statements of reporting/synthetic.sql, with the postcode and duration expressions filled in."""
    postcode = (
        "la.area || (1 + floor(random() * la.districts))::int || ' ' || floor(random() * 10)::int"
        " || (%(letters)s)[1 + floor(random() * 20)::int] || (%(letters)s)[1 + floor(random() * 20)::int]"
    )
    text = SQL_FILE.read_text(encoding="utf-8")
    text = text.replace("{la_postcode}", postcode).replace("{duration}", _duration_sql("r_u", "r_v"))
    return [statement for statement in re.split(r";\n\s*\n", text) if statement.strip()]


def _summary(cursor, *, deadlines_before: int) -> Summary:
    cursor.execute(
        """SELECT (SELECT count(*) FROM synth_child), (SELECT count(*) FROM synth_child WHERE looked_after),
                  (SELECT count(*) FROM synth_episode), (SELECT count(*) FROM synth_interview),
                  (SELECT count(*) FROM risk_escalation WHERE child_id IN (SELECT id FROM synth_child)),
                  (SELECT count(*) FROM deadlines_deadline WHERE id > %s),
                  (SELECT count(*) FROM deadlines_deadline WHERE id > %s AND state = 'open')""",
        [deadlines_before, deadlines_before],
    )
    children, looked_after, episodes, interviews, escalations, deadlines, open_deadlines = cursor.fetchone()
    return Summary(children, looked_after, episodes, interviews, deadlines, open_deadlines, escalations)
