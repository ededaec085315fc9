"""The database settings the reporting pages' speed depends on (docs/benchmarks.md)."""

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_queries():
    # A year of the dashboard's counts spent longer in JIT compilation than in running.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_start_parallel_workers_only_for_long_scans():
    # The daily tasking page's small queries lost more starting workers than they gained.
    with connection.cursor() as cursor:
        cursor.execute("SHOW parallel_setup_cost")
        assert float(cursor.fetchone()[0]) == 10000
