"""`import_police_feed`: every rule of the police feed spec, through the command, with small files.

Each rejected row is reported as `line L: column: reason` and leaves no trace; the rows around it
are imported. A refused file writes nothing anywhere.
"""

import csv
import datetime
import io
import unicodedata

import pytest
from django.core.management import call_command
from django.utils import timezone

from children.models import Child, ChildAlias
from deadlines.models import Deadline, DeadlineState, OutboxMessage
from episodes import imports
from episodes.deadlines import SAFE_AND_WELL
from episodes.feed import COLUMNS, REQUIRED
from episodes.models import (
    Episode,
    HeldReport,
    ImportJob,
    ImportRejection,
    MatchCandidate,
    Reclassification,
    SafeAndWellCheck,
)
from tests.factories import report_row

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
SUMMARY = "created {}, updated {}, unchanged {}, rejected {}, held for matching {}"


def local(delta: datetime.timedelta) -> str:
    """A UK local time without an offset, `delta` from now, as a force's extract writes it."""
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def feed_file(tmp_path, rows, *, name="feed.csv", columns=None, lineterminator="\n", bom=False, trailer=""):
    """Write rows (column -> text) as a feed file; columns default to those the rows use."""
    columns = columns or list(dict.fromkeys(column for row in rows for column in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator=lineterminator, restval="")
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in columns} for row in rows)
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (buffer.getvalue() + trailer).encode())
    return path


def run(path, *options) -> tuple[int, str, str]:
    """Run the command as an operator would; returns (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_police_feed", str(path), *options, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


def table_counts() -> dict[str, int]:
    """Every table an import can write, with its history."""
    models = [
        Episode,
        Episode.history.model,
        Episode.linked.through,
        Child,
        Child.history.model,
        ChildAlias,
        Reclassification,
        Reclassification.history.model,
        SafeAndWellCheck,
        SafeAndWellCheck.history.model,
        HeldReport,
        HeldReport.history.model,
        MatchCandidate,
        Deadline,
        Deadline.history.model,
        OutboxMessage,
        ImportJob,
        ImportRejection,
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


def assert_no_trace(row: dict[str, str]) -> None:
    reference = row["force_reference"]
    assert not Episode.objects.filter(force_reference=reference).exists()
    assert not Episode.history.filter(force_reference=reference).exists()
    assert not HeldReport.objects.filter(force_reference=reference).exists()
    if row.get("family_name"):
        assert not Child.objects.filter(family_name=row["family_name"]).exists()
        assert not Child.history.filter(family_name=row["family_name"]).exists()


# --- Rows that break a rule -----------------------------------------------------------------

# Overrides of a valid row; a function where the value depends on when the test runs.
ROW_RULES = [
    ("blank_required_value", {"given_name": ""}, "given_name", "is required"),
    ("required_value_only_spaces", {"risk_level": "  "}, "risk_level", "is required"),
    (
        "unreadable_date",
        {"last_seen_at": "31/02/2026 10:00"},
        "last_seen_at",
        "cannot be read as a date and time (expected e.g. 2026-03-14T21:30 or 2026-03-14T21:30+00:00)",
    ),
    (
        "date_without_a_time",
        {"reported_at": "2026-03-14"},
        "reported_at",
        "is a date without a time (expected e.g. 2026-03-14T21:30)",
    ),
    ("value_not_listed", {"category": "lost"}, "category", "'lost' is not one of: missing, absent"),
    (
        "risk_grade_not_listed",
        {"risk_level": "extreme"},
        "risk_level",
        "'extreme' is not one of: high, medium, low, no_apparent_risk",
    ),
    (
        "returned_before_last_seen",
        lambda: {
            "last_seen_at": local(-datetime.timedelta(hours=2)),
            "returned_at": local(-datetime.timedelta(hours=3)),
        },
        "returned_at",
        "is before last_seen_at",
    ),
    (
        "reported_before_last_seen",
        lambda: {
            "last_seen_at": local(-datetime.timedelta(hours=2)),
            "reported_at": local(-datetime.timedelta(hours=3)),
        },
        "reported_at",
        "is before last_seen_at",
    ),
    (
        "time_in_the_future",
        lambda: {"returned_at": local(datetime.timedelta(days=1))},
        "returned_at",
        "is in the future",
    ),
    (
        "date_of_birth_in_the_future",
        lambda: {"date_of_birth": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
        "date_of_birth",
        "is in the future",
    ),
    (
        "date_of_birth_not_a_date",
        {"date_of_birth": "2012-13-01"},
        "date_of_birth",
        "'2012-13-01' is not a date (expected YYYY-MM-DD)",
    ),
    ("unknown_force", {"force": "XYZ"}, "force", "'XYZ' is not a police force known to Homeward"),
    (
        "unknown_local_authority",
        {"local_authority": "Atlantis"},
        "local_authority",
        "'Atlantis' is not a local authority known to Homeward",
    ),
    ("postcode_not_a_uk_postcode", {"home_postcode": "XYZ 123"}, "home_postcode", "'XYZ 123' is not a UK postcode"),
    (
        "local_time_skipped_when_the_clocks_went_forward",
        {"last_seen_at": "2026-03-29T01:30", "reported_at": "2026-03-29T03:00"},
        "last_seen_at",
        "2026-03-29 01:30 did not exist in the UK (the clocks went forward)",
    ),
    (
        "safe_and_well_check_before_return",
        lambda: {
            "last_seen_at": local(-datetime.timedelta(hours=5)),
            "returned_at": local(-datetime.timedelta(hours=2)),
            "safe_and_well_at": local(-datetime.timedelta(hours=3)),
        },
        "safe_and_well_at",
        "is before returned_at",
    ),
]


@pytest.mark.parametrize(("overrides", "column", "reason"), [r[1:] for r in ROW_RULES], ids=[r[0] for r in ROW_RULES])
def test_a_row_breaking_a_rule_is_reported_and_leaves_no_trace(tmp_path, overrides, column, reason):
    overrides = overrides() if callable(overrides) else overrides
    good_before, bad, good_after = report_row(), report_row(**{"family_name": "Rejectedrow", **overrides}), report_row()
    children = Child.objects.count()

    status, out, err = run(feed_file(tmp_path, [good_before, bad, good_after], columns=COLUMNS))

    assert status == 1 and err == ""
    assert out.splitlines()[0] == SUMMARY.format(2, 0, 0, 1, 0)
    assert f"line 3: {column}: {reason}" in out.splitlines()
    assert_no_trace(bad)
    for good in (good_before, good_after):
        assert Episode.objects.filter(force_reference=good["force_reference"]).exists()
    assert Child.objects.count() == children + 2


def test_a_row_breaking_several_rules_names_each(tmp_path):
    bad = report_row(category="lost", local_authority="Atlantis", given_name="")
    status, out, _ = run(feed_file(tmp_path, [bad]))
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == SUMMARY.format(0, 0, 0, 1, 0)
    assert sorted(lines[1:]) == [
        "line 2: category: 'lost' is not one of: missing, absent",
        "line 2: given_name: is required",
        "line 2: local_authority: 'Atlantis' is not a local authority known to Homeward",
    ]
    assert_no_trace(bad)


@pytest.mark.parametrize(("date_of_birth", "accepted"), [("2008-06-15", False), ("2008-06-16", True)])
def test_a_person_18_or_over_when_last_seen_is_rejected_at_the_birthday(tmp_path, date_of_birth, accepted):
    row = report_row(date_of_birth=date_of_birth, last_seen_at="2026-06-15T10:00", reported_at="2026-06-15T11:00")
    status, out, _ = run(feed_file(tmp_path, [row]))
    if accepted:
        assert (status, out.splitlines()) == (0, [SUMMARY.format(1, 0, 0, 0, 0)])
    else:
        assert status == 1
        reason = "makes the person 18 when last seen: Homeward is for children under 18"
        assert f"line 2: date_of_birth: {reason}" in out.splitlines()
        assert_no_trace(row)


def test_a_local_time_repeated_when_the_clocks_went_back_is_read_as_bst_with_a_warning(tmp_path):
    row = report_row(last_seen_at="2026-10-25T01:30", reported_at="2026-10-25T03:00")
    status, out, _ = run(feed_file(tmp_path, [row]))
    assert status == 0
    assert out.splitlines() == [
        SUMMARY.format(1, 0, 0, 0, 0),
        "line 2: last_seen_at: 2026-10-25 01:30 happened twice in the UK (the clocks went back); "
        "read as the first, British Summer Time",
    ]
    episode = Episode.objects.get(force_reference=row["force_reference"])
    assert episode.last_seen_at == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert episode.reported_at == datetime.datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # GMT again by then


@pytest.mark.parametrize(
    ("last_seen_at", "expected"),
    [
        ("2026-06-01T10:00+02:00", datetime.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)),
        ("2026-06-01T10:00-05:00", datetime.datetime(2026, 6, 1, 15, 0, tzinfo=UTC)),
        ("2026-06-01T10:00+00:00", datetime.datetime(2026, 6, 1, 10, 0, tzinfo=UTC)),
        ("2026-06-01T10:00Z", datetime.datetime(2026, 6, 1, 10, 0, tzinfo=UTC)),
        ("2026-06-01T10:00", datetime.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)),  # BST
        ("2026-01-15T10:00", datetime.datetime(2026, 1, 15, 10, 0, tzinfo=UTC)),  # GMT
        ("2026-06-01T10:00:30.5+01:00", datetime.datetime(2026, 6, 1, 9, 0, 30, 500000, tzinfo=UTC)),
    ],
)
def test_times_with_an_offset_are_kept_exactly_and_without_one_are_uk_local(tmp_path, last_seen_at, expected):
    row = report_row(last_seen_at=last_seen_at, reported_at="2026-06-02T12:00")
    status, out, _ = run(feed_file(tmp_path, [row]))
    assert (status, out.splitlines()) == (0, [SUMMARY.format(1, 0, 0, 0, 0)])
    assert Episode.objects.get(force_reference=row["force_reference"]).last_seen_at == expected


# --- Files refused whole ----------------------------------------------------------------------


def _csv_bytes(rows, columns=None) -> bytes:
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _refused_files():
    latin = report_row(given_name="Zoë", family_name="Latin")
    header = ",".join(REQUIRED).encode() + b"\n"
    return [
        ("latin_1_text", lambda: _csv_bytes([latin]).decode().encode("latin-1"), "The file is not UTF-8 text"),
        (
            "latin_1_byte_after_good_rows",
            lambda: _csv_bytes([report_row(), report_row()]) + "Zoë,".encode("latin-1"),
            "The file is not UTF-8 text",
        ),
        (
            "missing_required_column",
            lambda: _csv_bytes([report_row()], columns=[c for c in REQUIRED if c != "last_seen_at"]),
            "The file lacks required column: last_seen_at. Nothing was imported.",
        ),
        (
            "missing_two_required_columns",
            lambda: _csv_bytes([report_row()], columns=[c for c in REQUIRED if c not in ("force", "category")]),
            "The file lacks required columns: force, category. Nothing was imported.",
        ),
        (
            "png_image",
            lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02",
            "The file is not UTF-8 text (byte 1 cannot be read)",
        ),
        ("empty_file", lambda: b"", "The file is empty."),
        ("header_only", lambda: header, "The file has a header but no rows."),
        ("header_and_blank_lines", lambda: header + b"\n,,,\n\n", "The file has a header but no rows."),
        (
            "unreadable_csv_quoting",
            lambda: _csv_bytes([report_row()]) + b'GMP,"MP/1"x,Manchester\n',
            "The file cannot be read as CSV at line 3",
        ),
        ("duplicate_column", lambda: header.rstrip(b"\n") + b",force\n" + b"x\n", "names a column more than once"),
    ]


@pytest.mark.parametrize(
    ("content", "message"), [f[1:] for f in _refused_files()], ids=[f[0] for f in _refused_files()]
)
def test_a_refused_file_exits_2_with_the_reason_and_writes_nothing(tmp_path, content, message):
    path = tmp_path / "feed.csv"
    path.write_bytes(content())
    before = table_counts()

    status, out, err = run(path)

    assert status == 2
    assert out == ""
    assert err.startswith("Refused feed.csv: ") and message in err
    assert "Nothing was imported." in err
    assert table_counts() == before


def test_a_file_that_cannot_be_opened_exits_2(tmp_path):
    status, out, err = run(tmp_path / "no-such-file.csv")
    assert status == 2 and out == ""
    assert "Cannot open" in err and "Nothing was imported." in err


# --- CSV mechanics ----------------------------------------------------------------------------


@pytest.mark.parametrize("lineterminator", ["\r\n", "\n"], ids=["crlf", "lf"])
@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no_bom"])
def test_bom_and_either_line_ending_are_read(tmp_path, lineterminator, bom):
    rows = [report_row(), report_row()]
    status, out, _ = run(feed_file(tmp_path, rows, lineterminator=lineterminator, bom=bom))
    assert (status, out.splitlines()) == (0, [SUMMARY.format(2, 0, 0, 0, 0)])
    assert Episode.objects.filter(force_reference__in=[r["force_reference"] for r in rows]).count() == 2


def test_quoted_commas_quotes_and_line_breaks_are_kept_and_later_lines_counted_right(tmp_path):
    circumstances = 'Left after an argument, took her "good" phone.\r\nSeen later at Piccadilly, alone.'
    multiline = report_row(circumstances=circumstances, last_seen_location="Oldham Street, Manchester")
    bad = report_row(category="lost")
    status, out, _ = run(feed_file(tmp_path, [multiline, bad], lineterminator="\r\n"))

    assert status == 1
    # The first record spans lines 2 and 3 of the file, so the next begins on line 4.
    assert out.splitlines() == [
        SUMMARY.format(1, 0, 0, 1, 0),
        "line 4: category: 'lost' is not one of: missing, absent",
    ]
    episode = Episode.objects.get(force_reference=multiline["force_reference"])
    assert episode.circumstances == circumstances
    assert episode.last_seen_location == "Oldham Street, Manchester"


def test_columns_in_any_order_are_read_by_name(tmp_path):
    row = report_row(risk_level="high", home_postcode="m1 1ae")
    status, out, _ = run(feed_file(tmp_path, [row], columns=list(reversed(COLUMNS))))
    assert (status, out.splitlines()) == (0, [SUMMARY.format(1, 0, 0, 0, 0)])
    episode = Episode.objects.select_related("child").get(force_reference=row["force_reference"])
    assert episode.risk_level == "high"
    assert episode.child.given_name == row["given_name"] and episode.child.postcode == "M1 1AE"


def test_an_unknown_extra_column_is_ignored_and_named_once(tmp_path):
    rows = [report_row(station="Longsight"), report_row(station="Collyhurst"), report_row(station="")]
    status, out, _ = run(feed_file(tmp_path, rows))
    assert status == 0
    assert out.splitlines() == [
        SUMMARY.format(3, 0, 0, 0, 0),
        "Columns ignored (not in the feed format): station",
    ]


def test_trailing_empty_lines_are_not_rows(tmp_path):
    path = feed_file(tmp_path, [report_row(), report_row()], lineterminator="\r\n", trailer="\r\n\r\n\n,,\n")
    status, out, _ = run(path)
    assert (status, out.splitlines()) == (0, [SUMMARY.format(2, 0, 0, 0, 0)])


def test_a_row_with_more_values_than_the_header_is_rejected(tmp_path):
    good = report_row()
    path = feed_file(tmp_path, [good], columns=REQUIRED, trailer="GMP,MP/999,Manchester,a,b,c,d,e,f,g\n")
    status, out, _ = run(path)
    assert status == 1
    assert "line 3: (row): has 10 values but the header has 9 columns" in out.splitlines()
    assert not Episode.objects.filter(force_reference="MP/999").exists()


@pytest.mark.parametrize("batch_size", [500, 1], ids=["same_batch", "separate_batches"])
def test_went_missing_with_a_record_later_in_the_file_links_both(tmp_path, monkeypatch, batch_size):
    monkeypatch.setattr(imports, "BATCH_SIZE", batch_size)
    first, second, alone = report_row(), report_row(), report_row()
    first["went_missing_with"] = f"{second['force_reference']}; "

    status, _, _ = run(feed_file(tmp_path, [first, alone, second]))

    assert status == 0
    episodes = {e.force_reference: e for e in Episode.objects.prefetch_related("linked")}
    assert list(episodes[first["force_reference"]].linked.all()) == [episodes[second["force_reference"]]]
    assert list(episodes[second["force_reference"]].linked.all()) == [episodes[first["force_reference"]]]
    assert not episodes[alone["force_reference"]].linked.exists()


# --- Importing again ----------------------------------------------------------------------------


def _mixed_rows():
    """A missing child, a returned child with the check done, a returned child waiting for it,
    and a row that breaks a rule."""
    return [
        report_row(),
        report_row(
            last_seen_at=local(-datetime.timedelta(hours=30)),
            reported_at=local(-datetime.timedelta(hours=29)),
            returned_at=local(-datetime.timedelta(hours=10)),
            return_method="police",
            safe_and_well_at=local(-datetime.timedelta(hours=8)),
            safe_and_well_outcome="Seen at home with mum; no harm disclosed",
            harm_disclosed="no",
        ),
        report_row(
            last_seen_at=local(-datetime.timedelta(hours=6)),
            reported_at=local(-datetime.timedelta(hours=5)),
            returned_at=local(-datetime.timedelta(hours=1)),
            found_postcode="m60 2la",
        ),
        report_row(risk_level="extreme"),
    ]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    path = feed_file(tmp_path, _mixed_rows(), columns=COLUMNS)
    first = run(path)
    after_first = table_counts()

    second = run(path)

    assert first[0] == second[0] == 1
    assert first[1].splitlines()[0] == SUMMARY.format(3, 0, 0, 1, 0)
    assert second[1].splitlines()[0] == SUMMARY.format(0, 0, 3, 1, 0)
    assert table_counts() == after_first
    assert Deadline.objects.filter(kind=SAFE_AND_WELL).count() == 2


def test_a_changed_record_is_updated_once_with_history_a_reclassification_and_one_clock(tmp_path):
    row = report_row(risk_level="medium")
    run(feed_file(tmp_path, [row], name="monday.csv"))
    episode = Episode.objects.get(force_reference=row["force_reference"])
    history_before, version_before = episode.history.count(), episode.version
    children_before = Child.objects.count()

    found = dict(
        row,
        risk_level="high",
        returned_at=local(-datetime.timedelta(minutes=30)),
        found_location="Piccadilly Gardens",
        return_method="police",
    )
    status, out, _ = run(feed_file(tmp_path, [found], name="tuesday.csv"))

    assert (status, out.splitlines()) == (0, [SUMMARY.format(0, 1, 0, 0, 0)])
    episode.refresh_from_db()
    assert episode.state == "returned" and episode.risk_level == "high"
    assert episode.found_location == "Piccadilly Gardens"
    assert episode.version == version_before + 1
    assert episode.history.count() == history_before + 1
    assert episode.history.first().history_change_reason == "Police feed file tuesday.csv, line 2"
    (reclassification,) = episode.reclassifications.all()
    assert (reclassification.field, reclassification.from_value, reclassification.to_value) == (
        "risk_level",
        "medium",
        "high",
    )
    assert reclassification.source == "Police feed file tuesday.csv, line 2"
    (clock,) = Deadline.objects.filter(kind=SAFE_AND_WELL, subject_id=episode.pk)
    assert clock.state == DeadlineState.OPEN
    assert clock.due_at == episode.returned_at + datetime.timedelta(hours=24)
    assert Child.objects.count() == children_before

    # The same update sent again: nothing more.
    counts = table_counts()
    status, out, _ = run(feed_file(tmp_path, [found], name="tuesday-again.csv"))
    assert (status, out.splitlines()) == (0, [SUMMARY.format(0, 0, 1, 0, 0)])
    assert table_counts() == counts


def test_a_record_that_may_be_a_known_child_is_held_once(tmp_path, world):
    """Chloe Ashdown (C1) spelt 'Chloee Ashdown': held for a coordinator, never merged."""
    row = report_row(given_name="Chloee", family_name="Ashdown", date_of_birth=world.c1.date_of_birth.isoformat())
    path = feed_file(tmp_path, [row])
    assert run(path)[1].splitlines() == [SUMMARY.format(0, 0, 0, 0, 1)]
    assert run(path)[1].splitlines() == [SUMMARY.format(0, 0, 0, 0, 1)]
    held = HeldReport.objects.get(force_reference=row["force_reference"])
    assert [c.child for c in held.match_candidates.all()] == [world.c1]
    assert not Episode.objects.filter(force_reference=row["force_reference"]).exists()


# --- Dry run and exit status ------------------------------------------------------------------


def test_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path):
    path = feed_file(tmp_path, _mixed_rows(), columns=COLUMNS)
    before = table_counts()

    status, out, _ = run(path, "--dry-run")

    assert status == 1
    lines = out.splitlines()
    assert lines[0] == SUMMARY.format(3, 0, 0, 1, 0)
    assert "line 5: risk_level: 'extreme' is not one of: high, medium, low, no_apparent_risk" in lines
    assert lines[-1] == "Dry run: nothing was saved."
    assert table_counts() == before


def test_exit_status_is_0_when_every_row_is_accepted(tmp_path):
    assert run(feed_file(tmp_path, [report_row()]))[0] == 0


# --- Names in any script ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_name", "family_name"),
    [
        ("Zo\u00eb", "Nfc"),  # ë as one character
        ("Zoe\u0308", "Nfd"),  # e followed by a combining diaeresis
        ("Łukasz", "Wiśniewski"),
        ("محمد", "الحسن"),
        ("伟", "王"),
        ("Siobhán", "Nguyễn"),
    ],
)
def test_names_in_any_script_are_stored_exactly_in_nfc(tmp_path, given_name, family_name):
    row = report_row(given_name=given_name, family_name=family_name)
    status, _, _ = run(feed_file(tmp_path, [row]))
    assert status == 0
    child = Episode.objects.select_related("child").get(force_reference=row["force_reference"]).child
    assert child.given_name == unicodedata.normalize("NFC", given_name)
    assert child.family_name == unicodedata.normalize("NFC", family_name)
    assert child.history.get().given_name == unicodedata.normalize("NFC", given_name)
