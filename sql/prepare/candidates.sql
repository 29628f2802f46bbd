-- Candidates: every committed row that superseded, retracted and withdrawn could ever read, found in one pass over
-- the events so that those three steps read this small table instead of every event (issue 17: they scanned all of
-- them three times and grouped every id once). A row is a candidate when its (pcn_code, event_id) is shared by another
-- row or named by a retraction, and every retraction row is one. Why no row they need is left out:
-- - superseded ranks the rows of ids sent more than once: each such row shares its id with another, so its hash is
--   seen at least twice;
-- - retracted reads retraction rows only: all of them are here;
-- - withdrawn reads the rows of events a retraction names: each such row's (pcn_code, event_id) is also the
--   retraction's (pcn_code, retracts_event_id), so its hash is seen at least twice in its PCN.
-- The ids are found by a 64-bit hash of the event_id within its PCN: the hashes, sorted within each PCN (a window's
-- PARTITION BY the PCN (its hash, below), so that Athena spreads the sort over its workers rather than ranking every row on one), and
-- each compared with the one before it: DuckDB sorts one integer per row for far less CPU than it groups 52.8 million
-- distinct ids (national, 36 months, one process: this step and the three that read it 32.6 CPU s, where
-- superseded, retracted and withdrawn over every event took 60.6, the same rows; test/bench/refresh-profile.ts, issue
-- 17). Rows of one id are always of one PCN, so no pair is missed. The hash is of the event_id alone, not of
-- pcn_code || event_id: the PCN's hash is the window's partition and a key of the join, so no text is built for every row
-- twice (the same rows; side by side on the 25% layout 2.8 CPU s against 3.1 with the joined text, nationally 19.1
-- against 19.4, within the noise at load 13 to 39: the sort of every row is the cost; issue 17).
-- Different ids of one PCN with one hash (a collision) are both candidates, but the steps that read this table rank
-- and join each row by its own ids, so a collision only adds a few rows to read, never a wrong result. xxhash64 and
-- to_utf8 are Trino's, which Athena engine v3 documents as its functions
-- (https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html; xxhash64 gives a varbinary there, which Trino
-- sorts and compares); DuckDB has neither, and the DuckDB engine defines both as macros over its own hash()
-- (duckdb-engine.ts, TRINO_FUNCTIONS). Only the columns the three steps read are kept.
-- The ids are hashed from every row of the events table, committed or not, and only the rows kept are tested for
-- their upload's receipt (committed_events' filter, the same rows): a row of an upload without a receipt (or one that
-- lands while this refresh runs) can only make a committed row sharing its id a candidate it need not be, which, like a
-- collision, adds a row to read and changes no result; while testing every event's upload against the receipts, in
-- both passes, was about a sixth of this step (issue 17: the 25% layout, in turns in one process, 2.97/3.25 -> 2.49/2.58
-- CPU s, the same rows; test/bench/refresh-variants.ts).
-- The sort is partitioned by a 64-bit hash of the pcn_code, not the text: one partition per PCN as before (two PCNs
-- with one hash share a partition, and each of their ids shared by both is only a candidate it need not be, as any
-- collision), but DuckDB's window then sorts and compares two fixed-width integers per row, not a text and an integer
-- (issue 17, perfr32: the 25% layout, in turns in one process, 2.21-2.46 -> 1.98-2.12 CPU s, the same 16,868 rows;
-- test/bench/refresh-variants.ts). The join hashes each event's pcn_code likewise.
WITH id_hashes AS (
  SELECT
    xxhash64(to_utf8(pcn_code)) AS pcn_hash,
    xxhash64(to_utf8(event_id)) AS id_hash
  FROM events
  UNION ALL
  SELECT
    xxhash64(to_utf8(pcn_code)) AS pcn_hash,
    xxhash64(to_utf8(retracts_event_id)) AS id_hash
  FROM events
  WHERE event_type = 'retraction'
),

sorted AS (
  SELECT
    pcn_hash,
    id_hash,
    lag(id_hash) OVER (PARTITION BY pcn_hash ORDER BY id_hash) AS previous_hash
  FROM id_hashes
),

repeated AS (
  SELECT DISTINCT pcn_hash, id_hash
  FROM sorted
  WHERE id_hash = previous_hash
)

SELECT
  e.pcn_code,
  e.event_id,
  e.event_type,
  e.retracts_event_id,
  e.recorded_at,
  e.received_at,
  e.upload_id,
  e.source_row
FROM events AS e
LEFT JOIN repeated AS r
  ON r.pcn_hash = xxhash64(to_utf8(e.pcn_code)) AND r.id_hash = xxhash64(to_utf8(e.event_id))
WHERE (e.event_type = 'retraction' OR r.id_hash IS NOT NULL)
  -- committed rows only (committed_events' own filter), tested on these few rows rather than on every event
  AND e.upload_id IN (SELECT u.upload_id FROM committed_uploads AS u)
