"""The police missing-person feed (shared/spec/police-feed.md): reading a file and reading one row.

The same row reader serves the file, the upload, the API (one JSON object per row) and the
hand-recording form, so a value means the same thing whichever door it came through.
"""

import codecs
import csv
import dataclasses
import datetime
import io
import re
import unicodedata
import zoneinfo
from collections.abc import Iterator, Mapping

from django.utils import timezone

from children.models import Gender
from missing.text import CONTROL_CHARACTERS
from organisations.models import Agency, LocalAuthority
from organisations.roles import AgencyKind

from . import rules
from .models import Category, MissingFrom, ReportedBy, ReturnMethod, RiskLevel, YesNoUnknown

UK = zoneinfo.ZoneInfo("Europe/London")

COLUMNS = [
    "force",
    "force_reference",
    "local_authority",
    "reported_at",
    "category",
    "risk_level",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "home_postcode",
    "missing_from",
    "missing_from_postcode",
    "last_seen_at",
    "last_seen_location",
    "reported_by",
    "circumstances",
    "went_missing_with",
    "cse_concern",
    "returned_at",
    "found_location",
    "found_postcode",
    "return_method",
    "safe_and_well_at",
    "safe_and_well_outcome",
    "harm_disclosed",
    "officer",
]
REQUIRED = [
    "force",
    "force_reference",
    "local_authority",
    "reported_at",
    "category",
    "risk_level",
    "given_name",
    "family_name",
    "last_seen_at",
]
CHOICES = {
    "category": [c.value for c in (Category.MISSING, Category.ABSENT)],
    "risk_level": RiskLevel.values,
    "gender": Gender.values,
    "missing_from": MissingFrom.values,
    "reported_by": ReportedBy.values,
    "cse_concern": YesNoUnknown.values,
    "return_method": ReturnMethod.values,
    "harm_disclosed": YesNoUnknown.values,
}
DATETIMES = ["reported_at", "last_seen_at", "returned_at", "safe_and_well_at"]
POSTCODES = ["home_postcode", "missing_from_postcode", "found_postcode"]
MAX_LENGTHS = {
    "force_reference": 50,
    "given_name": 200,
    "family_name": 200,
    "ethnicity": 100,
    "last_seen_location": 500,
    "found_location": 500,
    "officer": 200,
    "went_missing_with": 1000,
    "circumstances": 20_000,
    "safe_and_well_outcome": 20_000,
}
DEFAULT_MAX_LENGTH = 200
# A field longer than this cannot be a police record: the file is refused rather than read into memory.
MAX_FIELD_BYTES = 10 * 1024 * 1024

# The full UK postcode format (outward code, inward code), any spacing or case.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


class FeedRefused(Exception):
    """The whole file is refused before anything is written (spec: 'A file that cannot be read
    as CSV, is not UTF-8, or lacks a required column is refused whole')."""


@dataclasses.dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.column}: {self.reason}"


@dataclasses.dataclass
class PoliceReport:
    """One row of the feed, read and checked: the latest state of one police record."""

    line: int
    raw: dict[str, str]
    force: Agency
    force_reference: str
    local_authority: LocalAuthority
    reported_at: datetime.datetime
    category: str
    risk_level: str
    given_name: str
    family_name: str
    last_seen_at: datetime.datetime
    date_of_birth: datetime.date | None = None
    gender: str = ""
    ethnicity: str = ""
    home_postcode: str = ""
    missing_from: str = ""
    missing_from_postcode: str = ""
    last_seen_location: str = ""
    reported_by: str = ""
    circumstances: str = ""
    went_missing_with: tuple[str, ...] = ()
    cse_concern: str = ""
    returned_at: datetime.datetime | None = None
    found_location: str = ""
    found_postcode: str = ""
    return_method: str = ""
    safe_and_well_at: datetime.datetime | None = None
    safe_and_well_outcome: str = ""
    harm_disclosed: str = ""
    officer: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def key(self) -> tuple[int, str]:
        return (self.force.pk, self.force_reference)


class Lookups:
    """Police forces and local authorities by the names a feed may use, read once per import."""

    def __init__(self):
        self.forces = {a.code.upper(): a for a in Agency.objects.filter(kind=AgencyKind.POLICE).exclude(code="")}
        self.authorities = {}
        for authority in LocalAuthority.objects.all():
            self.authorities[authority.ons_code.upper()] = authority
            self.authorities[authority.name.casefold()] = authority

    def force(self, value: str) -> Agency | None:
        return self.forces.get(value.strip().upper())

    def local_authority(self, value: str) -> LocalAuthority | None:
        value = " ".join(value.split())
        return self.authorities.get(value.upper()) or self.authorities.get(value.casefold())


def normalise_postcode(value: str) -> str | None:
    """'m1 1ae' -> 'M1 1AE'; None when it is not a UK postcode."""
    match = POSTCODE.match(" ".join(value.upper().split()))
    return f"{match[1]} {match[2]}" if match else None


def _uk_hour(naive_hour: datetime.datetime) -> tuple[datetime.timedelta | None, bool]:
    """The UK's offset from UTC during one local hour, and whether that hour happened twice.
    None when the hour was skipped. UK clocks change on the hour, so an hour has one answer."""
    local = naive_hour.replace(tzinfo=UK, fold=0)
    if local.astimezone(datetime.UTC).astimezone(UK).replace(tzinfo=None) != naive_hour:
        return None, False
    return local.utcoffset(), local.utcoffset() != naive_hour.replace(tzinfo=UK, fold=1).utcoffset()


_UK_HOURS: dict[datetime.datetime, tuple[datetime.timedelta | None, bool]] = {}


def parse_uk_datetime(text: str) -> tuple[datetime.datetime | None, str, str]:
    """An ISO 8601 date-time; without an offset, UK local time. Returns (value, error, warning).

    Spec: a local time in the hour skipped when the clocks go forward did not exist and is
    refused; a local time in the hour repeated when they go back is read as its first
    occurrence (BST), with a warning.
    """
    text = text.strip()
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None, "cannot be read as a date and time (expected e.g. 2026-03-14T21:30 or 2026-03-14T21:30+00:00)", ""
    if len(text) <= 10:
        return None, "is a date without a time (expected e.g. 2026-03-14T21:30)", ""
    if value.tzinfo is not None:
        return value.astimezone(datetime.UTC), "", ""
    hour = value.replace(minute=0, second=0, microsecond=0)
    known = _UK_HOURS.get(hour)
    if known is None:
        known = _UK_HOURS[hour] = _uk_hour(hour)
    offset, repeated = known
    if offset is None:
        return None, f"{value:%Y-%m-%d %H:%M} did not exist in the UK (the clocks went forward)", ""
    warning = ""
    if repeated:
        warning = (
            f"{value:%Y-%m-%d %H:%M} happened twice in the UK (the clocks went back); "
            "read as the first, British Summer Time"
        )
    return (value - offset).replace(tzinfo=datetime.UTC), "", warning


def clean_text(value: str) -> str:
    """As sent, in NFC: the same name typed on two keyboards is stored the same way."""
    value = value.strip()
    return value if value.isascii() else unicodedata.normalize("NFC", value)


_ALLOWED = {column: frozenset(values) for column, values in CHOICES.items()}
_REQUIRED = frozenset(REQUIRED)
_LIMITS = [(column, MAX_LENGTHS.get(column, DEFAULT_MAX_LENGTH)) for column in COLUMNS]


def parse_report(
    raw: Mapping[str, object], *, line: int, lookups: Lookups, now: datetime.datetime | None = None
) -> tuple[PoliceReport | None, list[RowError]]:
    """Read one row (column -> text). Returns the report, or None and every error found.

    Called for every row of a feed file, so it is written for speed: the checks that hold for
    almost every row (no control character anywhere, ASCII text) are made once per row.
    """
    now = now or timezone.now()
    errors: dict[str, str] = {}
    get = raw.get
    text = {column: ("" if (v := get(column)) is None else v if type(v) is str else str(v)) for column in COLUMNS}
    values: dict[str, object] = {column: clean_text(value) for column, value in text.items()}
    warnings: list[str] = []

    suspect = CONTROL_CHARACTERS.search("".join(values.values())) is not None
    for column, limit in _LIMITS:
        value = values[column]
        if suspect and CONTROL_CHARACTERS.search(value):
            errors[column] = "contains a control character"
        elif len(value) > limit:
            errors[column] = f"is longer than {limit} characters"
        elif not value and column in _REQUIRED:
            errors[column] = "is required"

    for column, allowed in _ALLOWED.items():
        value = values[column]
        if value and column not in errors:
            lowered = value.lower()
            if lowered not in allowed:
                errors[column] = f"'{value}' is not one of: {', '.join(CHOICES[column])}"
            values[column] = lowered

    for column in DATETIMES:
        if not values[column] or column in errors:
            values[column] = None
            continue
        moment, error, warning = parse_uk_datetime(values[column])
        if error:
            errors[column] = error
        if warning:
            warnings.append(f"line {line}: {column}: {warning}")
        values[column] = moment

    for column in POSTCODES:
        if values[column] and column not in errors:
            postcode = normalise_postcode(values[column])
            if postcode is None:
                errors[column] = f"'{values[column]}' is not a UK postcode"
            values[column] = postcode or ""

    if "force" not in errors:
        values["force"] = lookups.force(values["force"])
        if values["force"] is None:
            errors["force"] = f"'{text['force'].strip()}' is not a police force known to Homeward"
    if "local_authority" not in errors:
        values["local_authority"] = lookups.local_authority(values["local_authority"])
        if values["local_authority"] is None:
            errors["local_authority"] = (
                f"'{text['local_authority'].strip()}' is not a local authority known to Homeward"
            )

    date_of_birth = None
    if values["date_of_birth"] and "date_of_birth" not in errors:
        try:
            date_of_birth = datetime.date.fromisoformat(values["date_of_birth"])
        except ValueError:
            errors["date_of_birth"] = f"'{values['date_of_birth']}' is not a date (expected YYYY-MM-DD)"
    values["date_of_birth"] = date_of_birth

    for column, reason in rules.time_errors(
        last_seen_at=values["last_seen_at"],
        reported_at=values["reported_at"],
        returned_at=values["returned_at"],
        safe_and_well_at=values["safe_and_well_at"],
        now=now,
    ).items():
        errors.setdefault(column, reason)
    if "date_of_birth" not in errors and date_of_birth is not None:
        reason = rules.date_of_birth_error(date_of_birth, values["last_seen_at"], timezone.localdate(now))
        if reason:
            errors["date_of_birth"] = reason

    companions = values["went_missing_with"]
    if companions:
        companions = tuple(dict.fromkeys(r.strip() for r in companions.split(";") if r.strip()))
        if values["force_reference"] and values["force_reference"] in companions:
            errors.setdefault("went_missing_with", "names this record itself")
    values["went_missing_with"] = companions or ()

    if errors:
        return None, [RowError(line, column, reason) for column, reason in errors.items()]
    return PoliceReport(line=line, raw=text, warnings=warnings, **values), []


class FeedFile:
    """A feed file read as the spec says, streamed a row at a time.

    `check()` reads the whole file once without keeping it (UTF-8, CSV quoting, the header), so
    a file that would be refused is refused before anything is written; `rows()` then reads it
    again, yielding (line number, column -> text) for each non-empty row.
    """

    def __init__(self, stream: io.BufferedIOBase):
        self.stream = stream
        self.columns: list[str] = []
        self.unknown_columns: list[str] = []
        self.row_count = 0

    def _text(self):
        self.stream.seek(0)
        return io.TextIOWrapper(self.stream, encoding="utf-8-sig", newline="", errors="strict")

    def check(self) -> None:
        self.stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        offset = 0
        while chunk := self.stream.read(1024 * 1024):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise FeedRefused(
                    f"The file is not UTF-8 text (byte {offset + error.start + 1} cannot be read). "
                    "Save it as CSV UTF-8 and try again."
                ) from None
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FeedRefused("The file is not UTF-8 text (it ends part-way through a character).") from None
        if offset == 0:
            raise FeedRefused("The file is empty.")
        wrapper = self._text()
        try:
            reader = self._reader(wrapper)
            self._read_header(reader)
            self.row_count = sum(1 for row in reader if any(cell.strip() for cell in row))
        finally:
            wrapper.detach()
        if self.row_count == 0:
            raise FeedRefused("The file has a header but no rows.")

    @staticmethod
    def _reader(wrapper):
        csv.field_size_limit(MAX_FIELD_BYTES)
        return _GuardedReader(csv.reader(wrapper, strict=True))

    def _read_header(self, reader) -> None:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise FeedRefused("The file has no header line.")
        columns = [cell.strip().lower() for cell in header]
        duplicates = sorted({c for c in columns if c and columns.count(c) > 1})
        if duplicates:
            raise FeedRefused(f"The header names a column more than once: {', '.join(duplicates)}.")
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise FeedRefused(
                f"The file lacks required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
                "Nothing was imported."
            )
        self.columns = columns
        self.unknown_columns = [c for c in columns if c and c not in COLUMNS]

    def rows(self) -> Iterator[tuple[int, dict[str, str] | None, RowError | None]]:
        """Each row as (line, values, None), or (line, None, error) for a row of the wrong width."""
        wrapper = self._text()
        try:
            reader = self._reader(wrapper)
            self._read_header(reader)
            line = reader.line_num + 1
            for cells in reader:
                start, line = line, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(self.columns):
                    yield (
                        start,
                        None,
                        RowError(
                            start, "(row)", f"has {len(cells)} values but the header has {len(self.columns)} columns"
                        ),
                    )
                    continue
                values = dict(zip(self.columns, cells, strict=False))
                yield start, values, None
        finally:
            wrapper.detach()

    def position(self) -> int:
        """How many bytes have been read so far (for a progress bar)."""
        return self.stream.tell()


class _GuardedReader:
    """csv.reader whose errors (a stray quote, a field past the size limit) refuse the file,
    naming the line."""

    def __init__(self, reader):
        self.reader = reader

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self.reader)
        except csv.Error as error:
            raise FeedRefused(f"The file cannot be read as CSV at line {self.reader.line_num}: {error}.") from None
