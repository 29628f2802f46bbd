-- Superseded versions: rows replaced by a later version of the same (pcn_code, event_id). Only the candidates (rows of
-- ids sent more than once, found by their hash, and a few others: candidates.sql) are ranked, so the cost is a
-- grouping of the keys there, not a sort of every event. Each candidate is ranked by its own ids, so a row whose hash
-- it shares with another id (a collision) is ranked apart from it: never a wrong version superseded.
-- "Later" does not depend on the order uploads arrive in: the later recorded_at wins; rows without one, or tied,
-- go by the upload that landed later (received_at), then the upload id and source row.
WITH versions AS (
  SELECT
    c.upload_id,
    c.source_row,
    row_number() OVER (
      PARTITION BY c.pcn_code, c.event_id
      ORDER BY c.recorded_at DESC NULLS LAST, c.received_at DESC, c.upload_id DESC, c.source_row DESC
    ) AS version_rank
  FROM candidates AS c
)

SELECT upload_id, source_row
FROM versions
WHERE version_rank > 1
