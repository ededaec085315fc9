"""The SSDA903 export on the tricky cases: plain checks of the CSV, then the DfE rules run by the
community validator in its own Python 3.11 environment."""

import csv
import datetime
import json
import os
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from reporting.models import ExportKind, ExportLog
from reporting.periods import UK
from tests.conftest import REQUIRE_SERVICES
from tests.reporting.ssda903_cases import YEAR, build_cases, expected_missing_rows

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR_PYTHON = Path(os.environ.get("SSDA903_VENV", ROOT / "var" / "ssda903-venv")) / "bin" / "python"
VALIDATE_SCRIPT = Path(__file__).with_name("ssda903_validate.py")
MANCHESTER = "E08000003"
# The DfE rules on the Missing table, and those on the Header table and across the two that the
# validator can run without the Episodes table (which the council's social care system returns).
MISSING_RULES = ["1004", "1005", "1006", "564", "565", "566", "567", "570", "571", "574", "586"]
HEADER_RULES = ["101", "102", "103", "168", "171", "174", "301", "351", "444", "611", "612", "620", "621"]
CROSS_CHECKS = ["INT04", "INT13", "INT32"]
CHECKED_RULES = MISSING_RULES + HEADER_RULES + CROSS_CHECKS


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def export(tmp_path, year=YEAR, *codes) -> Path:
    args = ["--year", str(year), "--out", str(tmp_path)]
    for code in codes or (MANCHESTER,):
        args += ["--local-authority", code]
    call_command("export_ssda903", *args)
    return tmp_path


def validator_python() -> Path:
    if VALIDATOR_PYTHON.exists():
        return VALIDATOR_PYTHON
    reason = f"needs the SSDA903 validator at {VALIDATOR_PYTHON}: run scripts/ssda903-validator-venv"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


def run_validator(folder: Path, collection_year: str) -> dict:
    done = subprocess.run(
        [str(validator_python()), str(VALIDATE_SCRIPT), str(folder), collection_year, MANCHESTER],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_missing_table_of_the_tricky_cases(world, tmp_path):
    cases = build_cases(world)
    rows = read_csv(export(tmp_path) / "Missing.csv")
    assert rows[0] == ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
    assert rows[1:] == expected_missing_rows(cases)
    reported = {row[0] for row in rows[1:]}
    assert str(cases.not_looked_after.pk) not in reported
    assert str(cases.other_authority.pk) not in reported


def test_the_header_table_has_one_row_for_each_child_in_the_missing_table(world, tmp_path):
    cases = build_cases(world)
    folder = export(tmp_path)
    header = read_csv(folder / "Header.csv")
    assert header[0] == ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
    by_child = {row[0]: row for row in header[1:]}
    assert set(by_child) == {row[0] for row in read_csv(folder / "Missing.csv")[1:]}
    assert by_child[str(cases.open_at_year_end.pk)][1:] == [
        "F",
        "01/05/2009",
        "WBRI",
        "A123456789012",
        "1",
        "02/01/2026",
    ]
    assert by_child[str(cases.became_looked_after.pk)][1:] == ["M", "29/02/2012", "BCRB", "UN4", "", ""]
    # No DfE ethnicity code recorded yet: 'information not yet obtained'.
    assert by_child[str(cases.same_day.pk)][3] == "NOBT"
    assert by_child[str(cases.turned_18.pk)][5] == ""  # a girl not recorded as a mother, or not


def test_every_export_is_logged_with_who_when_and_what(world, tmp_path):
    build_cases(world)
    export(tmp_path)
    log = ExportLog.objects.get()
    assert log.kind == ExportKind.SSDA903
    assert log.made_by == "manage.py export_ssda903"
    assert log.collection_year == YEAR
    assert list(log.local_authorities.values_list("ons_code", flat=True)) == [MANCHESTER]
    assert (log.children, log.rows) == (6, 10)


def test_an_unknown_authority_code_is_refused_and_nothing_is_written(world, tmp_path):
    with pytest.raises(CommandError, match="E99999999"):
        call_command("export_ssda903", "--year", "2026", "--out", str(tmp_path), "--local-authority", "E99999999")
    assert not ExportLog.objects.exists()
    assert not list(tmp_path.iterdir())


def test_the_community_validator_finds_no_error_in_the_tricky_cases(world, tmp_path):
    build_cases(world)
    python = validator_python()
    assert python.exists()
    result = run_validator(export(tmp_path), str(YEAR + 1))
    assert result["tables"] == ["Header", "Missing"]
    assert set(CHECKED_RULES) <= set(result["ran"]), "some rules did not run"
    failed = {rule: where for rule, where in result["errors"].items() if rule in CHECKED_RULES}
    assert failed == {}


def test_the_2026_to_2027_return_passes_the_validators_rules_for_2027(world, tmp_path):
    # --year 2026 is 1 April 2026 to 31 March 2027: the validator's collection year 2027.
    python = validator_python()
    with time_machine.travel(datetime.datetime(2027, 4, 10, 12, tzinfo=UK), tick=False):
        cases = build_cases(world, 2026)
        rows = read_csv(export(tmp_path, 2026) / "Missing.csv")
    assert rows[1:] == expected_missing_rows(cases, 2026)
    assert ["M", "28/03/2027", ""] == rows[2][2:]  # open at the year end
    assert python.exists()
    result = run_validator(tmp_path, "2027")
    assert set(CHECKED_RULES) <= set(result["ran"])
    assert {rule: where for rule, where in result["errors"].items() if rule in CHECKED_RULES} == {}


def test_the_validator_check_notices_overlapping_periods(tmp_path):
    # The same harness on a file that breaks rule 574 (and 571), so the test above can fail.
    (tmp_path / "Missing.csv").write_text(
        "CHILD,DOB,MISSING,MIS_START,MIS_END\r\n7,01/01/2012,M,01/05/2025,\r\n7,01/01/2012,M,03/05/2025,04/05/2026\r\n"
    )
    (tmp_path / "Header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n7,M,01/01/2012,WBRI,,,\r\n")
    errors = run_validator(tmp_path, str(YEAR + 1))["errors"]
    assert set(errors) >= {"574", "571"}
