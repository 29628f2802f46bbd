-- Rows not in force, by the row itself (upload_id, source_row): versions a later version superseded, and rows of
-- events a retraction withdrew (those not recorded after it). One small table that events_in_force leaves out with
-- one join on the row, so the scans of the events read upload_id and source_row, not also every event's event_id
-- (issue 17). Every row of an event a retraction names is a candidate (candidates.sql): this reads that small table,
-- not every event.
-- Each row with its own event_type (read from the row itself, in candidates), which a pass over the events joins on too
-- (`w.event_type = e.event_type`, true of every row it withdraws): a pass over one kind of event (cof_system's service
-- use, the referrals and declines of events_in_force) then holds only that kind's withdrawn rows in its join, not every
-- kind's. Both engines carry a pass's filter on e.event_type over the join's equality to this table's scan (DuckDB:
-- the withdrawn scan's "Filters: event_type='declined'" in EXPLAIN; Trino infers predicates across equi-join
-- conditions). Nationally the withdrawn rows are about 3 million (the attendance corrections: community connections);
-- a join holding them all cost every row passing through it a cache miss (event_months nationally: the join to
-- withdrawn 7.9 of its 17.6 operator-seconds, where joining on one BIGINT per row instead of the upload id and source
-- row took as long: the table's size is the cost, not its keys). Issue 17. Only on a pass over one kind: on a pass over
-- several (episodes' follow-ups, `event_type NOT IN (...)`) the key made the same pass 4x slower nationally (5.1 -> 21.5
-- CPU s, the same rows), and a pass over the connections (cof_community) would keep most of the rows anyway.
SELECT s.upload_id, s.source_row, s.event_type
FROM superseded AS s

UNION ALL

SELECT e.upload_id, e.source_row, e.event_type
FROM candidates AS e
INNER JOIN retracted AS r
  ON r.pcn_code = e.pcn_code AND r.event_id = e.event_id
WHERE e.event_type <> 'retraction'
  -- withdrawn unless this version was recorded after every retraction of its event (retracted.sql)
  AND (r.retracted_at IS NULL OR e.recorded_at IS NULL OR e.recorded_at <= r.retracted_at)
