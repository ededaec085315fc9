"""Runs the DfE rules of the community SSDA903 validator (csc-validator-be-903) on the CSV
files in a folder and prints, as JSON, the rules that ran and the rows each rule flagged.

Run by the validator's own Python 3.11 environment (scripts/ssda903-validator-venv), never by
the application's:  var/ssda903-venv/bin/python tests/reporting/ssda903_validate.py DIR 2027 E08000003
The collection year is the validator's: the year the collection ends (2027 for 2026 to 2027).
"""

import json
import logging
import sys
from pathlib import Path


def validate(folder: Path, collection_year: str, local_authority: str) -> dict:
    logging.disable(logging.CRITICAL)  # the validator logs every rule at INFO
    from lac_validator.lac_validator import LacValidator
    from lac_validator.rules.ruleset_utils import get_year_ruleset
    from lac_validator.utils import process_uploaded_files

    files = process_uploaded_files({"This year": [str(p) for p in sorted(folder.glob("*.csv"))]})
    registry = get_year_ruleset(collection_year)
    validator = LacValidator(
        metadata={"collectionYear": collection_year, "localAuthority": local_authority},
        files=files,
        registry=registry,
    )
    errors: dict[str, dict[str, list]] = {}
    for table, frame in validator.ds_results.items():
        if table == "metadata":
            continue
        for column in frame.columns:
            if not str(column).startswith("ERR_"):
                continue
            flagged = frame[frame[column] == True]  # noqa: E712 (a pandas mask)
            if len(flagged):
                children = [str(c) for c in flagged.get("CHILD", flagged.index)]
                errors.setdefault(column[4:], {})[table] = children
    return {
        "tables": sorted(t for t in validator.dfs),
        "ran": sorted(validator.dones),
        "skipped": sorted(validator.skips),
        "crashed": sorted(validator.fails),
        "errors": errors,
    }


if __name__ == "__main__":
    folder, year, authority = sys.argv[1:4]
    print(json.dumps(validate(Path(folder), year, authority)))
