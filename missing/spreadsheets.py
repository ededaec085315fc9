"""CSV for spreadsheets: every download the product writes goes through `spreadsheet_safe`.

A spreadsheet reads a cell starting with one of FORMULA_STARTS as a formula (CSV injection,
security battery I10): such cells are written with a leading apostrophe, which spreadsheets show
as text.
"""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(columns: list[str], rows: list[dict]) -> str:
    """CSV with a header line, every cell (header included) made spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(column) for column in columns])
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(column, "")) for column in columns])
    return out.getvalue()
