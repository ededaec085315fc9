"""Every rule of shared/spec/police-feed.md for one row, read by episodes.feed.parse_report.

The same reader serves the file, the upload, the API and the form, so these hold for all four.
"""

import datetime
import io
import unicodedata

import pytest
import time_machine

from episodes.feed import FeedFile, FeedRefused, Lookups, normalise_postcode, parse_report, parse_uk_datetime
from tests.factories import report_row

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def read(**overrides):
    return parse_report(report_row(**overrides), line=7, lookups=Lookups(), now=NOW)


def errors_of(**overrides) -> dict[str, str]:
    report, errors = read(**overrides)
    assert report is None
    assert all(e.line == 7 for e in errors)
    return {e.column: e.reason for e in errors}


def test_a_valid_row_is_read_with_its_values():
    report, errors = read(
        force="gmp",
        local_authority="e08000003",
        home_postcode="m11ae",
        risk_level="HIGH",
        last_seen_at="2026-11-19T21:30",
        returned_at="2026-11-20T09:15+00:00",
        reported_at="2026-11-19T23:00",
        went_missing_with="MP/2; MP/3;;MP/2",
    )
    assert errors == []
    assert report.force.code == "GMP"
    assert report.local_authority.name == "Manchester"
    assert report.home_postcode == "M1 1AE"
    assert report.risk_level == "high"
    assert report.last_seen_at == datetime.datetime(2026, 11, 19, 21, 30, tzinfo=datetime.UTC)  # GMT in November
    assert report.went_missing_with == ("MP/2", "MP/3")


@pytest.mark.parametrize(
    "column",
    [
        "force",
        "force_reference",
        "local_authority",
        "reported_at",
        "category",
        "risk_level",
        "given_name",
        "family_name",
        "last_seen_at",
    ],
)
def test_a_blank_required_value_is_rejected_naming_the_column(column):
    assert errors_of(**{column: "  "})[column] == "is required"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("category", "runaway"),
        ("risk_level", "very high"),
        ("gender", "boy"),
        ("missing_from", "nan's"),
        ("reported_by", "neighbour"),
        ("cse_concern", "maybe"),
        ("return_method", "taxi"),
        ("harm_disclosed", "y"),
    ],
)
def test_a_value_not_in_the_list_is_rejected_with_the_allowed_values(column, value):
    reason = errors_of(**{column: value})[column]
    assert reason.startswith(f"'{value}' is not one of:")


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T10:00", "2026-11-01", "19/11/2026 21:30"])
def test_a_date_time_that_cannot_be_read_is_rejected(value):
    assert "date" in errors_of(last_seen_at=value)["last_seen_at"]


def test_returned_before_last_seen_is_rejected():
    reason = errors_of(last_seen_at="2026-11-19T21:30", returned_at="2026-11-19T21:00")["returned_at"]
    assert reason == "is before last_seen_at"


def test_reported_before_last_seen_is_rejected():
    reason = errors_of(last_seen_at="2026-11-19T21:30", reported_at="2026-11-19T21:29")["reported_at"]
    assert reason == "is before last_seen_at"


def test_a_time_in_the_future_is_rejected():
    assert errors_of(returned_at="2026-11-20T12:01+00:00")["returned_at"] == "is in the future"


def test_a_time_exactly_now_is_accepted():
    report, errors = read(returned_at="2026-11-20T12:00+00:00", last_seen_at="2026-11-20T10:00")
    assert errors == [] and report.returned_at == NOW


def test_a_date_of_birth_in_the_future_is_rejected():
    assert errors_of(date_of_birth="2026-11-21")["date_of_birth"] == "is in the future"


def test_a_person_18_when_last_seen_is_rejected_and_17_the_day_before_is_accepted():
    reason = errors_of(date_of_birth="2008-11-19", last_seen_at="2026-11-19T08:00")["date_of_birth"]
    assert "18 when last seen" in reason
    _, errors = read(date_of_birth="2008-11-20", last_seen_at="2026-11-19T08:00")
    assert errors == []


def test_an_unknown_force_or_local_authority_is_rejected():
    errors = errors_of(force="XYZ", local_authority="Atlantis")
    assert errors["force"] == "'XYZ' is not a police force known to Homeward"
    assert errors["local_authority"] == "'Atlantis' is not a local authority known to Homeward"


def test_a_local_authority_by_name_or_code_in_any_case():
    for value in ("Manchester", "manchester", "E08000003", " e08000003 "):
        report, errors = read(local_authority=value)
        assert errors == [] and report.local_authority.ons_code == "E08000003"


def test_every_error_in_a_row_is_reported_together():
    errors = errors_of(category="", risk_level="extreme", home_postcode="not a postcode")
    assert set(errors) == {"category", "risk_level", "home_postcode"}


def test_a_postcode_in_any_spacing_or_case_is_normalised_and_a_non_postcode_rejected():
    assert normalise_postcode(" sw1a   1aa ") == "SW1A 1AA"
    assert normalise_postcode("M11AE") == "M1 1AE"
    assert normalise_postcode("12345") is None
    assert errors_of(found_postcode="12345")["found_postcode"] == "'12345' is not a UK postcode"


def test_control_characters_and_overlong_values_are_rejected():
    assert errors_of(circumstances="left at\x00 night")["circumstances"] == "contains a control character"
    assert errors_of(given_name="A" * 201)["given_name"] == "is longer than 200 characters"


def test_a_record_cannot_name_itself_as_a_companion():
    assert errors_of(force_reference="MP/1", went_missing_with="MP/1;MP/2")["went_missing_with"] == (
        "names this record itself"
    )


def test_safe_and_well_before_the_return_or_without_one_is_rejected():
    assert "returned_at is blank" in errors_of(safe_and_well_at="2026-11-20T10:00")["safe_and_well_at"]
    reason = errors_of(
        last_seen_at="2026-11-19T08:00", returned_at="2026-11-20T10:00", safe_and_well_at="2026-11-20T09:00"
    )["safe_and_well_at"]
    assert reason == "is before returned_at"


# --- Time zones (security battery I7) ---------------------------------------------------------


def test_a_local_time_in_the_hour_skipped_in_spring_is_rejected():
    value, error, _ = parse_uk_datetime("2026-03-29T01:30")
    assert value is None
    assert error == "2026-03-29 01:30 did not exist in the UK (the clocks went forward)"


def test_a_local_time_in_the_hour_repeated_in_autumn_is_read_as_bst_with_a_warning():
    value, error, warning = parse_uk_datetime("2026-10-25T01:30")
    assert error == ""
    assert value == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)  # 01:30 BST
    assert "happened twice" in warning and "British Summer Time" in warning


@pytest.mark.parametrize(
    ("text", "utc_hour"), [("2026-10-25T01:30+01:00", 0), ("2026-10-25T01:30+00:00", 1), ("2026-10-25T01:30Z", 1)]
)
def test_a_time_with_an_offset_is_exact(text, utc_hour):
    value, error, warning = parse_uk_datetime(text)
    assert (error, warning) == ("", "")
    assert value == datetime.datetime(2026, 10, 25, utc_hour, 30, tzinfo=datetime.UTC)


def test_an_ambiguous_time_in_a_row_is_accepted_with_the_warning_in_the_report():
    report, errors = read(last_seen_at="2026-10-25T01:30", reported_at="2026-10-25T03:00")
    assert errors == []
    assert report.warnings == [
        "line 7: last_seen_at: 2026-10-25 01:30 happened twice in the UK (the clocks went back); "
        "read as the first, British Summer Time"
    ]


# --- Names (security battery I8) --------------------------------------------------------------


@pytest.mark.parametrize("name", ["Zoë", "Siobhán", "Łukasz", "Nguyễn", "O’Brien", "Jan–Marie", "محمد", "王伟", "A"])
def test_names_in_any_script_are_kept_exactly(name):
    report, errors = read(given_name=name)
    assert errors == [] and report.given_name == name


def test_a_decomposed_name_is_kept_in_its_composed_form():
    report, _ = read(given_name="Zoe\u0308")
    assert report.given_name == "Zoë" and unicodedata.is_normalized("NFC", report.given_name)


# --- The file ---------------------------------------------------------------------------------


def feed(content: bytes) -> FeedFile:
    file = FeedFile(io.BytesIO(content))
    file.check()
    return file


HEADER = "force,force_reference,local_authority,reported_at,category,risk_level,given_name,family_name,last_seen_at"


def test_a_file_that_is_not_utf8_is_refused_whole():
    with pytest.raises(FeedRefused, match="not UTF-8"):
        feed(f"{HEADER}\nGMP,1,Manchester,2026-11-01T10:00,missing,high,Zoë,Smith,2026-11-01T09:00\n".encode("latin-1"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (HEADER.encode() + b"\n", "The file has a header but no rows."),
        (b"force,given_name\nGMP,Zoe\n", "lacks required columns: force_reference, local_authority"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
        (f'{HEADER}\nGMP,"1,Manchester\n'.encode(), "cannot be read as CSV"),
    ],
)
def test_whole_file_refusals_say_what_is_wrong(content, message):
    with pytest.raises(FeedRefused, match=message):
        feed(content)


def test_rows_are_numbered_by_the_line_they_start_on_with_quoted_newlines_bom_and_crlf():
    content = (
        "\ufeff" + HEADER + ",circumstances,extra\r\n"
        'GMP,1,Manchester,2026-11-01T10:00,missing,high,Zoë,Smith,2026-11-01T09:00,"left, upset\r\nsaid ""bye""",x\r\n'
        "\r\n"
        "GMP,2,Manchester,2026-11-01T10:00,missing,high,Sam,Jones,2026-11-01T09:00,,\r\n"
        "\r\n\r\n"
    ).encode()
    file = feed(content)
    rows = list(file.rows())
    assert file.unknown_columns == ["extra"]
    assert [line for line, _, _ in rows] == [2, 5]
    assert rows[0][1]["circumstances"] == 'left, upset\r\nsaid "bye"'
    assert rows[0][1]["force"] == "GMP"  # the BOM is not part of the first column's name
