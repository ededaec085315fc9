"""CSV for spreadsheets: every download the product writes goes through `spreadsheet_safe`.

A spreadsheet reads a cell starting with one of FORMULA_STARTS as a formula (CSV injection,
security battery I10): such cells are written with a leading apostrophe, which spreadsheets show
as text.
"""

import csv
import io
import itertools
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(columns: list[str], rows: list[dict]) -> str:
    """CSV with a header line, every cell (header included) made spreadsheet-safe."""
    return "".join(csv_lines(columns, rows))


def csv_lines(columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """The same CSV a line at a time, for a download too long to build in memory."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for cells in itertools.chain([dict(zip(columns, columns, strict=True))], rows):
        writer.writerow([spreadsheet_safe(cells.get(column, "")) for column in columns])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
