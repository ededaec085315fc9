"""On PostgreSQL the access log is partitioned by month (it becomes the largest table: hundreds
of millions of rows a year nationally). A month's partition is made ahead of time by a daily
Celery beat task; a row with no month partition lands in the default partition, never lost.
An old month is archived by detaching its partition (`ALTER TABLE … DETACH PARTITION`), never
by deleting rows: the table refuses UPDATE and DELETE."""

import datetime
import logging

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

TABLE = "privacy_accesslogentry"
# Months made ahead of the current one.
MONTHS_AHEAD = 2

CREATE_PARTITIONED = f"""
CREATE SEQUENCE {TABLE}_id_seq;
CREATE TABLE {TABLE} (
    id bigint NOT NULL DEFAULT nextval('{TABLE}_id_seq'),
    at timestamp with time zone NOT NULL,
    user_id bigint NOT NULL REFERENCES organisations_user (id) DEFERRABLE INITIALLY DEFERRED,
    organisation varchar(300) NOT NULL,
    kind varchar(10) NOT NULL,
    what varchar(200) NOT NULL,
    path varchar(500) NOT NULL,
    child_id bigint NULL,
    episode_id bigint NULL,
    reason varchar(500) NOT NULL,
    request_id uuid NOT NULL,
    ip inet NULL,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id;
CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT;
CREATE INDEX access_child_idx ON {TABLE} (child_id, at DESC);
CREATE INDEX access_user_idx ON {TABLE} (user_id, at DESC);
CREATE FUNCTION privacy_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only: % is refused', TG_OP;
END
$$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION privacy_access_log_append_only();
"""

DROP_PARTITIONED = f"""
DROP TABLE {TABLE};
DROP FUNCTION privacy_access_log_append_only();
"""


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_y{month.year}m{month.month:02d}"


def ensure_month_partitions(now: datetime.datetime, *, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Make the partitions of the current month (UTC) and `ahead` months after it; returns the
    names of those it made. Nothing to do on other databases."""
    if connection.vendor != "postgresql":
        return []
    made = []
    month = _month_start(now.astimezone(datetime.UTC).date())
    for _ in range(ahead + 1):
        following = _next_month(month)
        name = partition_name(month)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT to_regclass(%s)", [name])
                if cursor.fetchone()[0] is None:
                    cursor.execute(
                        f"CREATE TABLE {name} PARTITION OF {TABLE} "
                        f"FOR VALUES FROM ('{month.isoformat()} 00:00+00') TO ('{following.isoformat()} 00:00+00')"
                    )
                    made.append(name)
        except DatabaseError as error:
            # Rows of that month already sit in the default partition: it stays there.
            logger.warning("Could not make access log partition %s: %s", name, error)
        month = following
    return made


def create_table(apps, schema_editor):
    """The migration's table: partitioned on PostgreSQL, a plain table elsewhere."""
    model = apps.get_model("privacy", "AccessLogEntry")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.create_model(model)
        return
    with schema_editor.connection.cursor() as cursor:  # no parameters: the '%' stays as written
        cursor.execute(CREATE_PARTITIONED)


def drop_table(apps, schema_editor):
    model = apps.get_model("privacy", "AccessLogEntry")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.delete_model(model)
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP_PARTITIONED)


def make_first_partitions(apps, schema_editor):
    from django.utils import timezone

    ensure_month_partitions(timezone.now())
