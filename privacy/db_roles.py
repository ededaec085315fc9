"""Security battery H5: the database role the web and the workers connect as reads and writes
case data, but may only add to the audit tables: no UPDATE, DELETE or TRUNCATE, so not even a
compromised application can rewrite who saw what. (The PostgreSQL trigger on the access log
refuses UPDATE and DELETE from every role as well: privacy/partitions.py.)

The owner role runs migrations, makes the access log's month partitions and runs this after
every migration; the application role owns nothing."""

from django.db import connection, transaction

from .models import AccessLogEntry, ErasureRecord

# The tables the application may only add to.
APPEND_ONLY = [AccessLogEntry, ErasureRecord]


class UnknownRole(Exception):
    pass


def append_only_tables() -> list[str]:
    return [model._meta.db_table for model in APPEND_ONLY]


@transaction.atomic
def grant_app_role(role: str) -> list[str]:
    """Grant `role` what the application needs on every table of this database, then take back
    UPDATE, DELETE and TRUNCATE on the append-only tables and everything on their partitions
    (the application reaches a partition only through its parent). Answers the statements run.
    PostgreSQL only."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise UnknownRole(f"There is no database role called {role!r}: create it first (CREATE ROLE … LOGIN).")
        name = connection.ops.quote_name(role)
        statements = [
            f"GRANT USAGE ON SCHEMA public TO {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}",
        ]
        for table in append_only_tables():
            statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {name}")
            cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [table])
            statements += [f"REVOKE ALL ON {partition} FROM {name}" for (partition,) in cursor.fetchall()]
        for statement in statements:
            cursor.execute(statement)
    return statements
