"""The police feed import benchmark on PostgreSQL (issue 3, 'Benchmark'; docs/benchmarks.md).

    DJANGO_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeward_bench \\
        .venv/bin/python benchmarks/bench_police_feed.py --rows 100000

1. Drops and re-creates the database named in DATABASE_URL (its name must contain "bench"),
   and migrates it.
2. Writes a base feed and a mixed feed of --rows rows (benchmarks/generate_feed.py: 60 % new
   records, 30 % updates of base records, 10 % unchanged).
3. Reference: PostgreSQL's COPY loading the mixed file into a plain table of text columns.
4. Imports the base file, then the mixed file, through episodes.imports.import_feed (what
   `import_police_feed` runs), timing it and measuring peak memory.
5. Imports the mixed file again and checks that no table gained, lost or changed a row (row
   counts, and pg_stat_user_tables inserts + updates + deletes).
Prints a table; exits 1 when the re-import wrote anything.
"""

import argparse
import cProfile
import json
import os
import pathlib
import statistics
import subprocess
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "missing.settings")
os.environ.setdefault("DJANGO_ENV", "test")

GOAL = 0.15


def database_from_url(url: str) -> str:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/homeward_bench")
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"The benchmark drops and re-creates its database; '{name}' does not look like a benchmark "
            "database. Use a name containing 'bench', e.g. homeward_bench."
        )
    return name


def recreate_database(name: str) -> None:
    import psycopg2
    from django.conf import settings

    params = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def migrate_afresh(then: str) -> None:
    """Drop and re-create the DATABASE_URL's benchmark database and migrate it."""
    from django.core.management import call_command
    from django.db import connection

    name = database_from_url(os.environ.get("DATABASE_URL", ""))
    print(f"database {name}: re-creating, migrating and {then}")
    connection.close()
    recreate_database(name)
    call_command("migrate", verbosity=0)


def generate(out: pathlib.Path, rows: int, base_rows: int | None) -> dict:
    """In a child process, so that the benchmark's own memory is the import's."""
    command = [sys.executable, str(ROOT / "benchmarks" / "generate_feed.py"), "--rows", str(rows), "--out", str(out)]
    if base_rows:
        command += ["--base-rows", str(base_rows)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    print(result.stdout.strip())
    return {"generator": result.stdout.strip().splitlines()[-1]}


def copy_runs(path: pathlib.Path, columns: list[str], runs: int) -> list[float]:
    from benchmarks import harness

    seconds = []
    for _ in range(runs):
        harness.truncate_staging()
        seconds.append(harness.copy_into_staging(path, columns))
    return seconds


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the mixed file (default 100,000)")
    parser.add_argument("--base-rows", type=int, help="rows in the base file (default: as many as --rows)")
    parser.add_argument("--data", type=pathlib.Path, default=ROOT / "var" / "bench", help="where the feeds are written")
    parser.add_argument("--reuse-feeds", action="store_true", help="use base.csv and mixed.csv already in --data")
    parser.add_argument("--copy-runs", type=int, default=3, help="COPY runs before and after the import (median)")
    parser.add_argument("--profile", type=pathlib.Path, help="write a cProfile of the mixed import here")
    parser.add_argument("--json", type=pathlib.Path, help="write the results here as JSON")
    args = parser.parse_args(argv)

    name = database_from_url(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import harness
    from episodes.feed import COLUMNS

    print(f"database {name}: re-creating and migrating")
    connection.close()
    recreate_database(name)
    call_command("migrate", verbosity=0)

    base_path, mixed_path = args.data / "base.csv", args.data / "mixed.csv"
    results: dict = {"rows": args.rows, "cpus": os.cpu_count(), "load_average_before": os.getloadavg()}
    if not (args.reuse_feeds and base_path.exists() and mixed_path.exists()):
        results.update(generate(args.data, args.rows, args.base_rows))

    harness.create_staging_table(COLUMNS)
    copy_seconds = copy_runs(mixed_path, COLUMNS, args.copy_runs)
    copied = harness.staging_rows()

    print("importing the base file")
    base = harness.run_import(base_path, label=f"Benchmark: {base_path.name}")
    print(f"  {base.report.summary()} in {base.seconds:,.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have by the time the next extract arrives

    print("importing the mixed file")
    profile = cProfile.Profile() if args.profile else None
    ids_before = harness.max_ids()
    updated_before = harness.updates("episodes_episode")
    import interviews.services
    import risk.services

    followers: dict[str, float] = {}
    with (
        harness.timed(risk.services, "escalations_follow_episodes", followers),
        harness.timed(interviews.services, "interviews_follow_returns", followers),
    ):
        mixed = harness.run_import(mixed_path, label=f"Benchmark: {mixed_path.name}", profile=profile)
    print(f"  {mixed.report.summary()} in {mixed.seconds:,.1f} s")
    if profile is not None:
        profile.dump_stats(args.profile)
        print(f"  profile written to {args.profile} (the rates above include the profiler's overhead)")

    updated, hot = (
        after - before for after, before in zip(harness.updates("episodes_episode"), updated_before, strict=True)
    )
    floor = harness.write_floor(ids_before)
    copy_seconds += copy_runs(mixed_path, COLUMNS, args.copy_runs)
    harness.drop_staging_table()
    copy_rate = copied / statistics.median(copy_seconds)

    print("importing the mixed file again")
    with harness.watch_writes() as writes:
        again = harness.run_import(mixed_path, label=f"Benchmark: {mixed_path.name} again")
    print(f"  {again.report.summary()} in {again.seconds:,.1f} s")

    ratio = mixed.rows_per_second / copy_rate
    floor_rate = mixed.rows / floor.seconds
    samples = mixed.rss_samples
    at = {share: next((kib for read, kib in samples if read >= share), samples[-1][1]) for share in (0.25, 0.5, 1.0)}
    results.update(
        {
            "copy_rows_per_second": round(copy_rate),
            "copy_seconds": [round(s, 3) for s in copy_seconds],
            "base_import": {
                "summary": base.report.summary(),
                "seconds": round(base.seconds, 1),
                "rows_per_second": round(base.rows_per_second),
            },
            "mixed_import": {
                "summary": mixed.report.summary(),
                "seconds": round(mixed.seconds, 1),
                "rows_per_second": round(mixed.rows_per_second),
                "peak_rss_kib": mixed.peak_kib,
                "rss_kib_at": {str(k): v for k, v in at.items()},
            },
            "ratio": round(ratio, 4),
            "episode_updates": {"rows": updated, "heap_only": hot},
            "following_seconds": {name: round(seconds, 2) for name, seconds in followers.items()},
            "write_floor": {
                "seconds": round(floor.seconds, 3),
                "rows_per_second": round(floor_rate),
                "ratio": round(floor_rate / copy_rate, 4),
                "rows_inserted": floor.rows,
            },
            "reimport": {
                "summary": again.report.summary(),
                "seconds": round(again.seconds, 1),
                "rows_per_second": round(again.rows_per_second),
                "rows_changed": writes.rows_changed,
                "tuples_written": writes.tuples_written,
            },
            "load_average_after": os.getloadavg(),
        }
    )

    lines = [
        ("rows in the mixed file", f"{args.rows:,}"),
        ("PostgreSQL COPY into a plain table", f"{copy_rate:,.0f} rows/s (median of {len(copy_seconds)})"),
        ("import, base file (all new)", f"{base.rows_per_second:,.0f} rows/s  ({base.report.summary()})"),
        ("import, mixed file", f"{mixed.rows_per_second:,.0f} rows/s  ({mixed.report.summary()})"),
        ("ratio import / COPY", f"{ratio:.3f}  (goal {GOAL}: {'met' if ratio >= GOAL else 'NOT met'})"),
        ("episode rows updated", f"{updated:,}, of which heap-only (HOT) {hot:,}"),
        (
            "of which following the episodes",
            ", ".join(f"{name} {seconds:.1f} s" for name, seconds in followers.items()),
        ),
        (
            "COPY of the rows it inserted",
            f"{sum(floor.rows.values()):,} rows into {len(floor.rows)} tables in {floor.seconds:.2f} s: "
            f"{floor_rate:,.0f} file rows/s, ratio {floor_rate / copy_rate:.3f} (the floor)",
        ),
        ("peak memory, mixed import", f"{mib(mixed.peak_kib)}"),
        ("resident at 25 % / 50 % / 100 %", " / ".join(mib(at[s]) for s in (0.25, 0.5, 1.0))),
        ("re-import of the mixed file", f"{again.rows_per_second:,.0f} rows/s  ({again.report.summary()})"),
        (
            "rows written by the re-import",
            "none" if writes.none else f"{writes.tuples_written or writes.rows_changed}",
        ),
        ("load average before / after", f"{results['load_average_before'][0]:.1f} / {os.getloadavg()[0]:.1f}"),
    ]
    width = max(len(label) for label, _ in lines)
    print()
    for label, value in lines:
        print(f"{label:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    if not writes.none:
        print("\nFAIL: importing the same file again wrote rows", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
