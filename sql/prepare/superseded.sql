-- Superseded versions: rows replaced by a later version of the same (pcn_code, event_id). Only the candidates (rows of
-- ids sent more than once, found by their hash, and a few others: candidates.sql) are ranked, so the cost is a
-- grouping of the keys there, not a sort of every event. Each candidate is ranked by its own ids, so a row whose hash
-- it shares with another id (a collision) is ranked apart from it: never a wrong version superseded.
-- "Later" does not depend on the order uploads arrive in where the PCN's system says when it recorded each version:
-- when every version of the event carries recorded_at, the later recorded_at wins. When any version lacks one (a
-- system that does not stamp, or a PCN whose new clinical system stopped stamping: red-team review 21, R21-4), the
-- versions cannot be put in the order they were recorded, and the one whose upload landed later (received_at) wins:
-- a missing recorded_at is unknown, not "earliest" (ranked as the earliest, a new system's every correction of a row
-- its old system stamped was accepted and never applied). Ties go by received_at, then the upload id and source row.
-- Each row with its event_type, for withdrawn (below it).
WITH stamped AS (
  SELECT
    c.pcn_code,
    c.event_id,
    c.upload_id,
    c.source_row,
    c.event_type,
    c.received_at,
    c.recorded_at,
    count(*) OVER (PARTITION BY c.pcn_code, c.event_id)
    = count(c.recorded_at) OVER (PARTITION BY c.pcn_code, c.event_id) AS every_version_stamped
  FROM candidates AS c
),

versions AS (
  SELECT
    s.upload_id,
    s.source_row,
    s.event_type,
    row_number() OVER (
      PARTITION BY s.pcn_code, s.event_id
      ORDER BY
        CASE WHEN s.every_version_stamped THEN s.recorded_at END DESC NULLS LAST,
        s.received_at DESC,
        s.upload_id DESC,
        s.source_row DESC
    ) AS version_rank
  FROM stamped AS s
)

SELECT upload_id, source_row, event_type
FROM versions
WHERE version_rank > 1
