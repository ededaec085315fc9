"""Set-based writes on PostgreSQL, for work that touches thousands of rows at once (a police
feed file): ids taken from the table's sequence in one query, rows sent with COPY, updates as
one UPDATE … FROM unnest(…), and history rows made by INSERT … SELECT from the rows written.

No model instance is built: values are plain Python values keyed by field `attname`; a field
not given takes its model default. Callers on another database use the ORM instead (the
portable twin); `available()` says which applies.
"""

import datetime
import io
import json
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, models
from django.utils import timezone

# COPY's text format: these characters are written as escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")


def available() -> bool:
    return connection.vendor == "postgresql"


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys from the table's own sequence, so rows can be written with COPY
    and referred to before they exist."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        # Most text needs no escape; str.translate would look at every character.
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime.datetime or kind is datetime.date:
        return value.isoformat()
    if kind is dict or kind is list:
        return json.dumps(value).translate(_COPY_ESCAPES)
    return str(value)


class _Defaults:
    """Each concrete field's default, worked out once per model (auto_now fields take `now`)."""

    def __init__(self, model: type[models.Model], now: datetime.datetime):
        self.fields = [f for f in model._meta.concrete_fields]
        self.values = {}
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.values[field.attname] = now
            elif field.has_default():
                self.values[field.attname] = field.get_default()
            elif field.null:
                self.values[field.attname] = None
            else:
                self.values[field.attname] = "" if field.empty_strings_allowed else None


def copy_rows(model: type[models.Model], rows: Sequence[Mapping], *, now: datetime.datetime | None = None) -> None:
    """Write `rows` (attname -> value) into the model's table with COPY."""
    if not rows:
        return
    defaults = _Defaults(model, now or timezone.now())
    # Without a primary key in the rows, the table's own sequence numbers them.
    fields = [f for f in defaults.fields if not (f.primary_key and f.attname not in rows[0])]
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    base = defaults.values
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write("\t".join([_copy_text(row[name] if name in row else base[name]) for name in names]))
        write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


def update_rows(model: type[models.Model], rows: Sequence[Mapping], *, fields: Sequence[str]) -> None:
    """Set `fields` (attnames) of each row, found by its "pk", in one UPDATE … FROM unnest(…)."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    by_name = {f.attname: f for f in meta.concrete_fields}
    targets = [by_name[name] for name in fields]
    arrays = [[row["pk"] for row in rows]] + [[row[f.attname] for row in rows] for f in targets]
    types = [meta.pk.db_type(connection)] + [f.cast_db_type(connection) for f in targets]
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    names = ", ".join(["pk", *(f"v{i}" for i in range(len(targets)))])
    assignments = ", ".join(f"{quote(f.column)} = s.v{i}" for i, f in enumerate(targets))
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM unnest({unnest}) AS s({names}) WHERE t.{quote(meta.pk.column)} = s.pk"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_array(values, f) for values, f in zip(arrays, [meta.pk, *targets], strict=True)])


def _array(values: list, field: models.Field) -> list:
    if isinstance(field, models.JSONField):
        return [None if v is None else json.dumps(v) for v in values]
    return values


def history_from(
    model: type[models.Model],
    ids_and_reasons: Iterable[tuple[int, str]],
    *,
    history_type: str,
    user_id: int | None,
    date: datetime.datetime | None = None,
) -> None:
    """A history row (django-simple-history's historical table) for each row `id`, copied from
    the row as it is now, with its own change reason: what `bulk_create_with_history` and
    `bulk_update_with_history` write, made in one statement."""
    pairs = list(ids_and_reasons)
    if not pairs:
        return
    history_model = model.history.model
    quote = connection.ops.quote_name
    tracked = [
        f.column for f in history_model._meta.concrete_fields if f.column not in ("history_id", *_HISTORY_COLUMNS)
    ]
    columns = ", ".join(quote(c) for c in [*tracked, *_HISTORY_COLUMNS])
    values = ", ".join(f"t.{quote(c)}" for c in tracked)
    sql = (
        f"INSERT INTO {quote(history_model._meta.db_table)} ({columns}) "
        f"SELECT {values}, %s, r.reason, %s, %s "
        f"FROM {quote(model._meta.db_table)} AS t "
        f"JOIN unnest(%s::bigint[], %s::text[]) AS r(id, reason) ON t.{quote(model._meta.pk.column)} = r.id "
        f"ORDER BY r.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [date or timezone.now(), history_type, user_id, [p[0] for p in pairs], [p[1] for p in pairs]],
        )


def create_with_history(model: type[models.Model], rows: Sequence[dict], *, user_id: int | None, date=None) -> None:
    """New rows and their "+" history rows; a row without an "id" is given one here (from the
    sequence), and each row's change reason is its "history_reason"."""
    unnumbered = [row for row in rows if "id" not in row]
    for row, pk in zip(unnumbered, allocate_ids(model, len(unnumbered)), strict=True):
        row["id"] = pk
    copy_rows(model, rows, now=date)
    history_from(model, ((r["id"], r["history_reason"]) for r in rows), history_type="+", user_id=user_id, date=date)


def update_with_history(
    model: type[models.Model], rows: Sequence[dict], *, fields: Sequence[str], user_id: int | None, date=None
) -> None:
    """`fields` of each row (by "pk") set, and a "~" history row with its "history_reason"."""
    update_rows(model, rows, fields=fields)
    history_from(model, ((r["pk"], r["history_reason"]) for r in rows), history_type="~", user_id=user_id, date=date)
