"""The benchmarks run only on PostgreSQL (COPY is the reference), and only when asked for:
`pytest benchmarks --benchmark-only` (pyproject's addopts skip benchmarks otherwise)."""

import pytest
from django.db import connection


def pytest_runtest_setup(item):
    if connection.vendor != "postgresql":
        pytest.skip("the import benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
