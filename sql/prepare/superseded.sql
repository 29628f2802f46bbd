-- Superseded versions: rows replaced by a later version of the same (pcn_code, event_id). Only ids sent more than
-- once are ranked, so the cost is a grouping of the keys, not a sort of every event.
-- "Later" does not depend on the order uploads arrive in: the later recorded_at wins; rows without one, or tied,
-- go by the upload that landed later (received_at), then the upload id and source row.
-- The keys sent more than once are found by a 64-bit hash of the key (Trino's xxhash64 of its UTF-8 bytes; the DuckDB
-- engine gives the same two function names to its own hash, duckdb-engine.ts): grouping every event by one 8-byte
-- value costs far less than by the two strings (issue 17). The hash only picks which rows are ranked: two keys that
-- share a hash are still ranked apart, by the key itself, so a collision costs a few rows ranked, never a wrong row.
-- (pcn_code and event_id are never NULL: the ingest requires both.)
WITH repeated AS (
  SELECT xxhash64(to_utf8(pcn_code || '|' || event_id)) AS key_hash
  FROM committed_events
  GROUP BY 1
  HAVING count(*) > 1
),

versions AS (
  SELECT
    e.upload_id,
    e.source_row,
    row_number() OVER (
      PARTITION BY e.pcn_code, e.event_id
      ORDER BY e.recorded_at DESC NULLS LAST, e.received_at DESC, e.upload_id DESC, e.source_row DESC
    ) AS version_rank
  FROM committed_events AS e
  WHERE xxhash64(to_utf8(e.pcn_code || '|' || e.event_id)) IN (SELECT r.key_hash FROM repeated AS r)
)

SELECT upload_id, source_row
FROM versions
WHERE version_rank > 1
