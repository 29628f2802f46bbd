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
-- One sort: every version ranked in the stamped order (recorded_at first; a missing one last), which is the received
-- order too when no version of the event is stamped (every recorded_at NULL), and the two counts that say which order
-- applies computed over the same partition, which DuckDB evaluates in that window's sort. Only the few events some
-- but not all of whose versions are stamped are ranked again, in the received order. (Before, the counts were a window
-- of their own and the rank a second window over their result: two sorts of every candidate; issue 17: 10% layout,
-- in turns in one process, 0.47-0.53 -> 0.40-0.42 CPU s, the same 220,477 rows; national, beside main's in one
-- process, 8.20 -> 6.69 CPU s, the same 3,048,442 rows.)
WITH ranked AS (
  SELECT
    c.pcn_code,
    c.event_id,
    c.upload_id,
    c.source_row,
    c.event_type,
    c.received_at,
    row_number() OVER (
      PARTITION BY c.pcn_code, c.event_id
      ORDER BY c.recorded_at DESC NULLS LAST, c.received_at DESC, c.upload_id DESC, c.source_row DESC
    ) AS stamped_rank,
    count(*) OVER (PARTITION BY c.pcn_code, c.event_id) AS versions,
    count(c.recorded_at) OVER (PARTITION BY c.pcn_code, c.event_id) AS stamped_versions
  FROM candidates AS c
),

-- the events some but not all of whose versions carry recorded_at: ranked by when their uploads landed
partly_stamped AS (
  SELECT
    upload_id,
    source_row,
    event_type,
    row_number() OVER (
      PARTITION BY pcn_code, event_id
      ORDER BY received_at DESC, upload_id DESC, source_row DESC
    ) AS received_rank
  FROM ranked
  WHERE stamped_versions > 0 AND stamped_versions < versions
)

SELECT upload_id, source_row, event_type
FROM ranked
WHERE stamped_rank > 1 AND (stamped_versions = versions OR stamped_versions = 0)

UNION ALL

SELECT upload_id, source_row, event_type
FROM partly_stamped
WHERE received_rank > 1
