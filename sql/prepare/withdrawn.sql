-- Rows not in force, by the row itself (upload_id, source_row): versions a later version superseded, and rows of
-- events a retraction withdrew (those not recorded after it). One small table that events_in_force leaves out with
-- one join on the row, so the scans of the events read upload_id and source_row, not also every event's event_id
-- (issue 17). Every row of an event a retraction names is a candidate (candidates.sql): this reads that small table,
-- not every event.
SELECT s.upload_id, s.source_row
FROM superseded AS s

UNION ALL

SELECT e.upload_id, e.source_row
FROM candidates AS e
INNER JOIN retracted AS r
  ON r.pcn_code = e.pcn_code AND r.event_id = e.event_id
WHERE e.event_type <> 'retraction'
  -- withdrawn unless this version was recorded after every retraction of its event (retracted.sql)
  AND (r.retracted_at IS NULL OR e.recorded_at IS NULL OR e.recorded_at <= r.retracted_at)
