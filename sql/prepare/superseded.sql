-- Superseded versions: rows replaced by a later version of the same (pcn_code, event_id). Only ids sent more than
-- once are ranked, so the cost is a grouping of the keys, not a sort of every event.
-- "Later" does not depend on the order uploads arrive in: the later recorded_at wins; rows without one, or tied,
-- go by the upload that landed later (received_at), then the upload id and source row.
-- The ids sent more than once are found in two steps (issue 17): first the 64-bit hashes of (pcn_code, event_id)
-- seen more than once, a grouping of one integer per row instead of two strings (half the CPU or less), then the rows
-- with those hashes ranked by the ids themselves. Two different ids with one hash (a collision) are both candidates,
-- but each is ranked apart, by its own id, so a collision can only cost a few more rows ranked, never a wrong version
-- superseded. xxhash64 and to_utf8 are Trino's, which Athena engine v3 documents as its functions
-- (https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html); DuckDB has neither, and the DuckDB engine defines both as macros over its own hash() (duckdb-engine.ts,
-- TRINO_FUNCTIONS). The two strings are joined without a separator: ids that join to the same text are a collision
-- like any other.
WITH repeated AS (
  SELECT xxhash64(to_utf8(pcn_code || event_id)) AS id_hash
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
  INNER JOIN repeated AS r
    ON r.id_hash = xxhash64(to_utf8(e.pcn_code || e.event_id))
)

SELECT upload_id, source_row
FROM versions
WHERE version_rank > 1
