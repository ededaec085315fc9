"""Postcode districts and the distance a child was found from where they went missing.

Distance from home is a measure of the Wigan protocol's monthly dashboard (§13; domain.md, "Data
and reporting"), and the statutory guidance names distance from home, family and friends as a
risk factor for running away. Episodes keep full postcodes; the distance is measured between the
centres of the two postcode districts (outward codes), so it is right to within the size of a
district (a mile or two in a city) and zero when both are in the same district.
"""

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Case, CharField, Func, Value, When
from django.db.models.functions import Coalesce, Length, Substr

from episodes.feed import RowError  # the same 'line L: column: reason' as the police feed

from .models import PostcodeDistrict

BUNDLED = Path(__file__).resolve().parent / "data" / "postcode_districts.csv"
OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
# The United Kingdom, with the Channel Islands, the Isle of Man and the Scilly Isles.
LATITUDES = (49.0, 61.0)
LONGITUDES = (-8.7, 2.0)
MILES_PER_DEGREE = 69.09  # of latitude, and of longitude at the equator
COLUMNS = ("outward_code", "latitude", "longitude")

# Birmingham's missing return interview service reports where children were found in these bands
# (seeds: Birmingham scrutiny inquiry papers): 0-5, 6-10, 10-20, 21-40, 41-80 and over 80 miles.
DISTANCE_LIMITS = [("under-5", 5), ("5-10", 10), ("10-20", 20), ("20-40", 40), ("40-80", 80)]
# (key, label) of each band, nearest first.
DISTANCE_BANDS = [
    ("under-5", "Under 5 miles"),
    ("5-10", "5 to 10 miles"),
    ("10-20", "10 to 20 miles"),
    ("20-40", "20 to 40 miles"),
    ("40-80", "40 to 80 miles"),
    ("80-plus", "80 miles or more"),
]


def outward_code(postcode_field: str, blank: str = ""):
    """The postcode district of a postcode stored as 'M1 1AE': all but the space and the
    three-character inward code; `blank` when no postcode is recorded."""
    return Case(
        When(**{postcode_field: ""}, then=Value(blank)),
        default=Substr(postcode_field, 1, Length(postcode_field) - 4),
        output_field=CharField(),
    )


class _DistanceBandBetween(Func):
    """The distance band between the centres of two postcode districts (two outward-code
    expressions), or NULL when either is not in the list.

    One scalar subquery, so each episode costs two primary-key lookups: the same distance written
    as four coordinate subqueries is repeated by the ORM wherever the CASE reads it, thirty lookups
    an episode, and took seconds on a year of England's episodes (docs/benchmarks.md)."""

    arity = 2
    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        (from_sql, from_params), (to_sql, to_params) = (compiler.compile(e) for e in self.source_expressions)
        east = "((hw_to.longitude - hw_from.longitude) * COS(RADIANS((hw_from.latitude + hw_to.latitude) / 2)))"
        north = "(hw_to.latitude - hw_from.latitude)"
        miles = f"(SQRT({east} * {east} + {north} * {north}) * %s)"
        bands = " ".join(f"WHEN {miles} < %s THEN %s" for _ in DISTANCE_LIMITS)
        band_params = [p for key, limit in DISTANCE_LIMITS for p in (MILES_PER_DEGREE, limit, key)]
        table = connection.ops.quote_name(PostcodeDistrict._meta.db_table)
        sql = (
            f"(SELECT CASE {bands} ELSE %s END FROM {table} hw_from, {table} hw_to"
            f" WHERE hw_from.outward_code = (SELECT {from_sql}) AND hw_to.outward_code = (SELECT {to_sql}))"
        )
        return sql, (*band_params, DISTANCE_BANDS[-1][0], *from_params, *to_params)


def distance_band(not_known: str, from_field: str = "missing_from_postcode", to_field: str = "found_postcode"):
    """The band of each episode's distance found from where it went missing from, as SQL:
    equirectangular distance between the two districts' centres (within a fraction of a per cent
    of the great-circle distance at these lengths). `not_known` when a postcode is not recorded
    or its district is not in the list; "still-missing" before a return."""
    return Case(
        When(returned_at__isnull=True, then=Value("still-missing")),
        default=Coalesce(_DistanceBandBetween(outward_code(from_field), outward_code(to_field)), Value(not_known)),
        output_field=CharField(),
    )


def miles_between(a: PostcodeDistrict, b: PostcodeDistrict) -> float:
    """The same distance in Python (for tests and for a single episode's page)."""
    east = (b.longitude - a.longitude) * math.cos(math.radians((a.latitude + b.latitude) / 2))
    return math.hypot(east, b.latitude - a.latitude) * MILES_PER_DEGREE


# -- Loading the list of districts -------------------------------------------------------------


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] | None = None
    refusal: str = ""

    def summary(self) -> str:
        return f"created {self.created}, updated {self.updated} postcode districts"


def _number(text: str, column: str, bounds: tuple[float, float], line: int, errors: list[RowError]):
    try:
        value = float(text)
    except ValueError:
        errors.append(RowError(line, column, f"not a number: {text!r}"))
        return None
    if not bounds[0] <= value <= bounds[1] or math.isnan(value):
        errors.append(RowError(line, column, f"{value} is outside the United Kingdom ({bounds[0]} to {bounds[1]})"))
        return None
    return value


def read_districts(text: str) -> tuple[dict[str, tuple[float, float]], list[RowError], str]:
    """Parse a CSV with the columns outward_code, latitude, longitude (others are ignored).
    Returns the districts, the row errors, and a refusal of the whole file."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        return {}, [], f"the header must name the columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}"
    districts: dict[str, tuple[float, float]] = {}
    errors: list[RowError] = []
    for row in reader:
        line = reader.line_num
        code = (row["outward_code"] or "").strip().upper()
        if not OUTWARD_CODE.match(code):
            errors.append(RowError(line, "outward_code", f"not a postcode district: {row['outward_code']!r}"))
            continue
        if code in districts:
            errors.append(RowError(line, "outward_code", f"{code} is given twice"))
            continue
        latitude = _number((row["latitude"] or "").strip(), "latitude", LATITUDES, line, errors)
        longitude = _number((row["longitude"] or "").strip(), "longitude", LONGITUDES, line, errors)
        if latitude is not None and longitude is not None:
            districts[code] = (latitude, longitude)
    if not districts and not errors:
        return {}, [], "the file holds no postcode districts"
    return districts, errors, ""


@transaction.atomic
def load_postcode_districts(text: str, model=PostcodeDistrict) -> LoadReport:
    """Create or update every district of the file, or none of them: a file with any bad row is
    refused whole, so the distances never mix two lists. `model` lets the migration pass its own."""
    districts, errors, refusal = read_districts(text)
    if refusal or errors:
        return LoadReport(errors=errors, refusal=refusal or f"{len(errors)} rows are wrong")
    existing = set(model.objects.filter(outward_code__in=list(districts)).values_list("outward_code", flat=True))
    model.objects.bulk_create(
        [model(outward_code=code, latitude=lat, longitude=lon) for code, (lat, lon) in districts.items()],
        update_conflicts=True,
        unique_fields=["outward_code"],
        update_fields=["latitude", "longitude"],
        batch_size=1000,
    )
    return LoadReport(created=len(districts) - len(existing), updated=len(existing), errors=[])


def load_bundled(model=PostcodeDistrict) -> LoadReport:
    return load_postcode_districts(BUNDLED.read_text(encoding="utf-8"), model=model)
