"""Small-number suppression for the readers who see figures and never names (analysts).

A count of one child, or of a few, in a table that names an authority, a month, an age and a
postcode district can be enough to recognise the child. Analysts (`AGGREGATE_ONLY`) therefore see
the dashboard, its summary API and the governance pack with small counts withheld; coordinators
and managers, who may read the records behind every figure, see them exactly.
"""

import dataclasses

# DfE statistical releases on children's social care (Children looked after in England, and
# Children in need: "Confidentiality"): counts from 1 to 5 are suppressed, shown as "c", so that
# no child can be recognised from a small number. Zero is shown.
SMALLEST_SHOWN = 6
SUPPRESSED_WORD = "Suppressed"
NOTE = (
    f"To protect children's privacy, counts from 1 to {SMALLEST_SHOWN - 1} are shown as “{SUPPRESSED_WORD}”, "
    f"and so is one more count in a table where it alone would give a withheld count away."
)

# Headline figures that add up to the episodes figure: withholding one of them alone would leave
# it as the total less the others.
ADDITIVE_HEADLINES = ("missing", "absent", "away")


def is_small(value: int | None) -> bool:
    return value is not None and 0 < value < SMALLEST_SHOWN


def suppress_cells(values: list[int | None]) -> list[int | None]:
    """Withhold (None) the small counts of one column whose total is shown elsewhere; if only one
    was withheld, withhold the next smallest count above zero as well (secondary suppression),
    so the hidden count cannot be worked out from the total and the others."""
    shown = [None if is_small(value) else value for value in values]
    withheld = [i for i, value in enumerate(values) if value is not None and shown[i] is None]
    if len(withheld) == 1:
        others = [(value, i) for i, value in enumerate(shown) if value]
        if others:
            shown[min(others)[1]] = None
    return shown


def suppress_count(value: int | None) -> int | None:
    """A count shown on its own (no total beside it): withheld when small."""
    return None if is_small(value) else value


def _figures(figures, additive=()) -> list:
    values = [suppress_count(f.value) for f in figures]
    previous = [suppress_count(f.previous) for f in figures]
    group = [i for i, f in enumerate(figures) if f.name in additive]
    for column, source in ((values, "value"), (previous, "previous")):
        for i, value in zip(group, suppress_cells([getattr(figures[i], source) for i in group]), strict=True):
            column[i] = value
    return [
        dataclasses.replace(f, value=v, previous=p, percent=f.percent if v is not None else None)
        for f, v, p in zip(figures, values, previous, strict=True)
    ]


def suppress_board(board):
    """The dashboard as an analyst sees it: every small count withheld, with the cells that would
    give it away; a percentage goes with its count."""
    interviews = _figures(board.interviews)
    completed = next((f for f in interviews if f.name == "completed"), None)
    if completed is not None and completed.value is None:
        interviews = [dataclasses.replace(f, percent=None) for f in interviews]
    breakdowns = []
    for breakdown in board.breakdowns:
        counts = suppress_cells([row.count for row in breakdown.rows])
        children = suppress_cells([row.children for row in breakdown.rows])
        rows = [
            dataclasses.replace(row, count=c, children=k)
            for row, c, k in zip(breakdown.rows, counts, children, strict=True)
        ]
        breakdowns.append(dataclasses.replace(breakdown, rows=rows))
    return dataclasses.replace(
        board,
        headlines=_figures(board.headlines, ADDITIVE_HEADLINES),
        interviews=interviews,
        breakdowns=breakdowns,
        suppressed=True,
    )


def cell(value):
    """A count as a table, chart or CSV shows it: the word for a withheld one."""
    return SUPPRESSED_WORD if value is None else value
