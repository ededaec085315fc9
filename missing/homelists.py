"""The lists of a home page: the first lines of each and how many there are in all, read in as
few queries as the page has tables (docs/benchmarks.md, "Fewer queries on every page")."""

import operator
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, Count, F, Q, QuerySet, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

# How many lines each home page list shows before it points to the full list.
HOME_LINES = 10
# A subquery with no row.
NO_ROW = "SELECT 1 WHERE 1 = 0"


@dataclass(frozen=True)
class Wanted:
    """One list of a queryset's rows: those matching `where`, in `order_by`'s order ("-" for
    descending), of which the first `lines` are read (None: all of them)."""

    where: Q
    order_by: tuple[str, ...]
    lines: int | None = HOME_LINES


@dataclass
class HomeList:
    """The first lines of one list on a home page, and how many there are in all."""

    rows: list
    total: int

    @classmethod
    def of(cls, queryset, lines: int = HOME_LINES) -> "HomeList":
        # The count of every row comes with the first lines (a window over the whole list is
        # counted before the LIMIT): one query, however long the list.
        rows = list(queryset.annotate(home_total=Window(Count("pk")))[:lines])
        return cls(rows=rows, total=rows[0].home_total if rows else 0)

    @classmethod
    def several(cls, queryset, lists: dict[str, Wanted]) -> dict[str, "HomeList"]:
        """Lists of one queryset in one query: the rows of any list, numbered in the list's
        order and counted within it (window functions partitioned on whether the row is in the
        list), of which the first lines of each are read. A row may be in several lists."""
        windows = {}
        for n, wanted in enumerate(lists.values()):
            within = {"partition_by": [F(f"in_{n}")]}
            windows[f"in_{n}"] = Case(When(wanted.where, then=True), default=False)
            windows[f"line_{n}"] = Window(RowNumber(), order_by=_ordering(wanted.order_by), **within)
            windows[f"total_{n}"] = Window(Count("pk"), **within)
        first_lines = [
            Q(**{f"in_{n}": True}) if wanted.lines is None else Q(**{f"in_{n}": True, f"line_{n}__lte": wanted.lines})
            for n, wanted in enumerate(lists.values())
        ]
        rows = list(
            queryset.filter(reduce(operator.or_, (wanted.where for wanted in lists.values())))
            .annotate(**windows)
            .filter(reduce(operator.or_, first_lines))
        )
        found = {}
        for n, (name, wanted) in enumerate(lists.items()):
            # A row read for another list may be beyond this one's first lines.
            mine = sorted(
                (row for row in rows if _shown(row, n, wanted.lines)), key=lambda row: getattr(row, f"line_{n}")
            )
            found[name] = cls(rows=mine, total=getattr(mine[0], f"total_{n}") if mine else 0)
        return found

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _shown(row, n: int, lines: int | None) -> bool:
    return getattr(row, f"in_{n}") and (lines is None or getattr(row, f"line_{n}") <= lines)


def _ordering(fields: tuple[str, ...]) -> list:
    return [F(field[1:]).desc() if field.startswith("-") else F(field).asc() for field in fields]


def counts(**querysets: QuerySet | RawSQL) -> dict[str, int]:
    """The number of rows of each queryset (or SQL), in one query (`SELECT (SELECT COUNT(*) …),
    …`), where `.count()` takes a query each."""
    parts, params = [], []
    for rows in querysets.values():
        sql, values = (rows.sql, rows.params) if isinstance(rows, RawSQL) else _sql_of_ids(rows)
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(values)
    using = next((rows.db for rows in querysets.values() if isinstance(rows, QuerySet)), DEFAULT_DB_ALIAS)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def _sql_of_ids(queryset: QuerySet) -> tuple[str, tuple]:
    try:
        return queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a queryset that can have no row
        return NO_ROW, ()
