"""The police feed import benchmark at pytest scale (5,000 rows unless BENCH_ROWS says):

    DJANGO_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeward_bench \\
        .venv/bin/pytest benchmarks --benchmark-only

The same measurements as benchmarks/bench_police_feed.py (see docs/benchmarks.md): COPY into a
plain table as the reference, the mixed file through the import, and a re-import that must
write nothing. Rates and the ratio are in each benchmark's extra_info (--benchmark-json).
"""

import os

import pytest
from django.core.management import call_command

from benchmarks import harness
from benchmarks.generate_feed import generate
from episodes.feed import COLUMNS
from tests.factories import ensure_reference_data

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
pytestmark = pytest.mark.django_db(transaction=True)
rates: dict[str, float] = {}


@pytest.fixture(scope="session")
def feeds(tmp_path_factory):
    base, mixed, _counts = generate(tmp_path_factory.mktemp("feeds"), rows=ROWS)
    return base, mixed


def fresh_database() -> None:
    call_command("flush", interactive=False, verbosity=0)
    ensure_reference_data()


def test_copy_reference(benchmark, feeds):
    _base, mixed = feeds
    harness.create_staging_table(COLUMNS)
    try:
        benchmark.pedantic(harness.copy_into_staging, args=(mixed, COLUMNS), setup=harness.truncate_staging, rounds=5)
        assert harness.staging_rows() == ROWS
    finally:
        harness.drop_staging_table()
    rates["copy"] = ROWS / benchmark.stats.stats.median
    benchmark.extra_info["rows_per_second"] = round(rates["copy"])


def test_import_mixed_feed(benchmark, feeds):
    base, mixed = feeds
    imports = []

    def import_base_first():
        fresh_database()
        harness.run_import(base, label="base.csv")

    def import_mixed():
        imports.append(harness.run_import(mixed, label="mixed.csv"))

    benchmark.pedantic(import_mixed, setup=import_base_first, rounds=3)

    last = imports[-1]
    assert last.report.rejected_rows == 0 and last.report.created and last.report.updated
    rate = ROWS / benchmark.stats.stats.median
    benchmark.extra_info.update(
        rows_per_second=round(rate),
        summary=last.report.summary(),
        peak_memory_mib=round(last.peak_kib / 1024),
    )
    if "copy" in rates:
        benchmark.extra_info["ratio_to_copy"] = round(rate / rates["copy"], 4)


def test_reimport_writes_nothing(benchmark, feeds):
    base, mixed = feeds
    fresh_database()
    harness.run_import(base, label="base.csv")
    harness.run_import(mixed, label="mixed.csv")
    writes = []

    def import_again():
        with harness.watch_writes() as written:
            harness.run_import(mixed, label="mixed.csv again")
        writes.append(written)

    benchmark.pedantic(import_again, rounds=3)

    assert all(w.none for w in writes), [w.tuples_written or w.rows_changed for w in writes if not w.none]
    benchmark.extra_info["rows_per_second"] = round(ROWS / benchmark.stats.stats.median)
