-- Retracted events: each (pcn_code, event_id) a retraction row in force names, with when it was retracted: the latest
-- recorded_at of its retractions, or NULL (retracted for good) when any of them carries none. A version of the event
-- recorded after that time (a later recorded_at from the PCN's system) undoes the retraction, as a later version
-- replaces an earlier one; a version without recorded_at never does, so a PCN that re-sends its whole history each
-- month cannot bring a retracted event back by re-sending it (withdrawn.sql; docs/methodology.md).
-- A retraction is an event like any other: a later row with its event_id replaces it (superseded), so a retraction
-- sent again naming another event, or sent again as another kind of event, no longer retracts what it first named.
-- Every retraction row is a candidate (candidates.sql): this reads that small table, not every event.
SELECT
  e.pcn_code,
  e.retracts_event_id AS event_id,
  CASE WHEN count(*) = count(e.recorded_at) THEN max(e.recorded_at) END AS retracted_at
FROM candidates AS e
LEFT JOIN superseded AS s
  ON s.upload_id = e.upload_id AND s.source_row = e.source_row
WHERE e.event_type = 'retraction'
  AND s.upload_id IS NULL
GROUP BY e.pcn_code, e.retracts_event_id
