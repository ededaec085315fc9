-- The manifest of a database: one line per table of the current schema, "table NAME ROWS
-- CHECKSUM", sorted by name. The checksum is md5(string_agg(md5(row as text) ORDER BY primary
-- key)): every column counts, `updated_at` and the like included. Run by scripts/backup inside
-- the snapshot it dumps, and by scripts/restore on the restored database (psql -X -q -At -f).
-- A partitioned table is counted by its partitions, which hold its rows.

-- Row text depends on these settings: fix them, so that two servers agree.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';

SELECT format(
    $$SELECT 'table ' || %L || ' ' || count(*) || ' ' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY %s)), 'empty') FROM %I.%I AS t$$,
    c.relname,
    coalesce(
        (SELECT string_agg(format('t.%I', a.attname), ', ' ORDER BY k.n)
         FROM pg_index i
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = c.oid AND i.indisprimary),
        't::text'
    ),
    n.nspname,
    c.relname
)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind = 'r'
ORDER BY c.relname
\gexec
