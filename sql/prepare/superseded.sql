-- Superseded versions: rows replaced by a later version of the same (pcn_code, event_id). Only ids sent more than
-- once are ranked, so the cost is a grouping of the keys, not a sort of every event.
-- "Later" does not depend on the order uploads arrive in: the later recorded_at wins; rows without one, or tied,
-- go by the upload that landed later (received_at), then the upload id and source row.
WITH repeated AS (
  SELECT pcn_code, event_id
  FROM committed_events
  GROUP BY pcn_code, event_id
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
    ON r.pcn_code = e.pcn_code AND r.event_id = e.event_id
)

SELECT upload_id, source_row
FROM versions
WHERE version_rank > 1
