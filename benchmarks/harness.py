"""What the import benchmark measures, shared by the command-line benchmark and the
pytest-benchmark one: PostgreSQL's own COPY as the reference, the import through
episodes.imports.import_feed, the process's memory, and the writes each table received."""

import contextlib
import dataclasses
import io
import pathlib
import re
import resource
import time

from django.db import connection

STAGING_TABLE = "bench_police_feed_staging"


def rss_kib() -> int:
    """Resident memory now, in KiB (Linux; 0 elsewhere)."""
    with contextlib.suppress(OSError):
        return int(re.search(r"VmRSS:\s+(\d+)", pathlib.Path("/proc/self/status").read_text())[1])
    return 0


def reset_peak_memory() -> bool:
    """Start measuring the peak resident memory afresh (Linux 4.0+: writing 5 to clear_refs
    resets VmHWM). False when the peak can only be read since the process started."""
    try:
        pathlib.Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_memory_kib() -> int:
    """Peak resident memory since the last reset (or since the process started), in KiB."""
    with contextlib.suppress(OSError):
        return int(re.search(r"VmHWM:\s+(\d+)", pathlib.Path("/proc/self/status").read_text())[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def create_staging_table(columns: list[str]) -> None:
    """A plain table of text columns, one per feed column: what COPY loads into."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
        cursor.execute(f"CREATE TABLE {STAGING_TABLE} ({', '.join(f'{c} text' for c in columns)})")


def drop_staging_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")


def truncate_staging() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {STAGING_TABLE}")


def copy_into_staging(path: pathlib.Path, columns: list[str]) -> float:
    """COPY the file into the staging table (emptied first with truncate_staging()); returns
    the seconds it took."""
    started = time.perf_counter()
    with connection.cursor() as cursor, open(path, "rb") as file:
        # Django runs in autocommit: the COPY is its own transaction, committed when it returns.
        cursor.copy_expert(
            f"COPY {STAGING_TABLE} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')",
            file,
        )
    return time.perf_counter() - started


def staging_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {STAGING_TABLE}")
        return cursor.fetchone()[0]


@dataclasses.dataclass
class Import:
    report: object
    seconds: float
    rows: int
    peak_kib: int
    rss_samples: list[tuple[float, int]]  # (share of the file read, resident KiB)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def run_import(path: pathlib.Path, *, label: str, profile=None) -> Import:
    """Import a feed file exactly as `import_police_feed` does, timing it and sampling memory
    after each batch."""
    from episodes.imports import import_feed
    from episodes.models import Source
    from episodes.services import IntakeSource

    size = path.stat().st_size
    samples: list[tuple[float, int]] = []

    def progress(bytes_read: int, rows_read: int) -> None:
        samples.append((bytes_read / size, rss_kib()))

    reset_peak_memory()
    with open(path, "rb") as stream:
        started = time.perf_counter()
        if profile is not None:
            profile.enable()
        try:
            report = import_feed(stream, source=IntakeSource(Source.FEED, label), progress=progress)
        finally:
            if profile is not None:
                profile.disable()
        seconds = time.perf_counter() - started
    rows = report.created + report.updated + report.unchanged + report.held + report.rejected_rows
    return Import(report, seconds, rows, peak_memory_kib(), samples)


def table_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> %s ORDER BY 1",
            [STAGING_TABLE],
        )
        return [name for (name,) in cursor.fetchall()]


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for name in table_names():
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = cursor.fetchone()[0]
    return counts


def tuple_writes() -> dict[str, int]:
    """Rows inserted, updated and deleted in each table since the statistics were reset, as
    PostgreSQL counts them (pg_stat_user_tables), after making this connection report its own."""
    with connection.cursor() as cursor:
        # Statistics are reported when a session goes idle; make this one report now (PG 15+).
        cursor.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname <> %s",
            [STAGING_TABLE],
        )
        return dict(cursor.fetchall())


def updates(table: str) -> tuple[int, int]:
    """Rows updated in `table` since the statistics were reset, and how many of those were
    heap-only (HOT: no index touched), as PostgreSQL counts them."""
    tuple_writes()  # makes this connection report its own statistics
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


@dataclasses.dataclass
class Writes:
    rows_changed: dict[str, tuple[int, int]]  # table -> (before, after), only tables whose count changed
    tuples_written: dict[str, int]  # table -> inserts + updates + deletes, only tables written to

    @property
    def none(self) -> bool:
        return not self.rows_changed and not self.tuples_written


@contextlib.contextmanager
def watch_writes():
    """Yields a Writes filled in when the block ends: what every table received inside it."""
    counts, writes = row_counts(), tuple_writes()
    result = Writes({}, {})
    yield result
    after_counts, after_writes = row_counts(), tuple_writes()
    result.rows_changed.update(
        {name: (counts.get(name, 0), n) for name, n in after_counts.items() if n != counts.get(name, 0)}
    )
    result.tuples_written.update(
        {name: n - writes.get(name, 0) for name, n in after_writes.items() if n != writes.get(name, 0)}
    )


# -- The write floor: COPY of exactly the rows an import wrote -----------------------------------

FLOOR_PREFIX = "bench_floor_"


def _keys() -> dict[str, str]:
    """Each table's increasing integer key: `history_id` for a history table (its `id` is the
    recorded row's), else `id`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name IN ('id', 'history_id') "
            "AND data_type IN ('integer', 'bigint') AND table_name <> %s",
            [STAGING_TABLE],
        )
        keys: dict[str, str] = {}
        for table, column in cursor.fetchall():
            if not table.startswith(FLOOR_PREFIX) and keys.get(table) != "history_id":
                keys[table] = column
        return dict(sorted(keys.items()))


def max_ids() -> dict[str, int]:
    """The highest key of every table with an increasing integer key (0 when empty)."""
    ids = {}
    with connection.cursor() as cursor:
        for table, key in _keys().items():
            cursor.execute(f'SELECT coalesce(max("{key}"), 0) FROM "{table}"')
            ids[table] = cursor.fetchone()[0]
    return ids


@dataclasses.dataclass
class Floor:
    seconds: float
    rows: dict[str, int]  # table -> rows the import inserted into it


def write_floor(before: dict[str, int]) -> Floor:
    """How long PostgreSQL's COPY takes to write the rows an import inserted (every table whose
    ids passed `before`, from max_ids()) into empty tables built like the product's (columns,
    defaults, constraints and indexes; no foreign keys or triggers). It is a lower bound on any
    import that keeps the same records: it parses nothing, decides nothing, and leaves out the
    updates and the foreign-key checks."""
    floor = Floor(0.0, {})
    with connection.cursor() as cursor:
        keys = _keys()
        for name, highest in max_ids().items():
            start = before.get(name, 0)
            if highest <= start:
                continue
            buffer = io.BytesIO()
            cursor.copy_expert(f'COPY (SELECT * FROM "{name}" WHERE "{keys[name]}" > {int(start)}) TO STDOUT', buffer)
            copy = f'"{FLOOR_PREFIX}{name}"'[:63]
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")
            cursor.execute(f'CREATE TABLE {copy} (LIKE "{name}" INCLUDING ALL)')
            buffer.seek(0)
            started = time.perf_counter()
            cursor.copy_expert(f"COPY {copy} FROM STDIN", buffer)
            floor.seconds += time.perf_counter() - started
            floor.rows[name] = cursor.rowcount
            cursor.execute(f"DROP TABLE {copy}")
    return floor


@contextlib.contextmanager
def timed(module, name: str, seconds: dict[str, float]):
    """Add the time spent in `module.name` (looked up at each call, as the receivers do) to
    seconds[name] while the block runs."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)
    try:
        yield seconds
    finally:
        setattr(module, name, original)
