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
from django.db.models.sql import Query

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
        in_any = reduce(operator.or_, (wanted.where for wanted in lists.values()))
        rows = list(_first_lines(queryset.filter(in_any), windows, lists))
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


def _first_lines(queryset: QuerySet, windows: dict, lists: dict[str, Wanted]) -> QuerySet:
    """`queryset` with the `windows` of `several`, of which only the first lines of each list
    are read: `SELECT * FROM (<the rows, numbered and counted>) WHERE <within the first lines>`.

    Filtering on the windows in the ORM gives the same SQL, but Django compiles the numbered
    query twice to write it (once for the page's columns, once more as the subquery), which was
    a third of the time the tasking page's lists took to build (docs/benchmarks.md); here it is
    compiled once, and the rows are read into the queryset's models as usual."""
    numbered = queryset.annotate(**windows)
    numbered.query.__class__ = _FirstLinesQuery
    numbered.query.first_lines = [(f"in_{n}", f"line_{n}", wanted.lines) for n, wanted in enumerate(lists.values())]
    return numbered


class _FirstLinesQuery(Query):
    """A query whose rows are kept only where `first_lines` says, for `_first_lines`: for each
    list, the column saying a row is in it, the column of its line number and how many lines
    are wanted (None: all)."""

    first_lines: list[tuple[str, str, int | None]]

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        numbered = compiler.as_sql
        quote = compiler.connection.ops.quote_name

        def as_sql(with_limits=True, with_col_aliases=False):
            sql, params = numbered(with_col_aliases=True)
            kept, lines = [], []
            for in_list, line, wanted in self.first_lines:
                if wanted is None:
                    kept.append(quote(in_list))
                else:
                    kept.append(f"({quote(in_list)} AND {quote(line)} <= %s)")
                    lines.append(wanted)
            return f"SELECT * FROM ({sql}) {quote('listed')} WHERE {' OR '.join(kept)}", (*params, *lines)

        compiler.as_sql = as_sql
        return compiler


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
