-- Retracted events: each (pcn_code, event_id) a retraction row names, with when it was retracted: the latest
-- recorded_at of its retractions, or NULL (retracted for good) when any of them carries none. A version of the event
-- recorded after that time (a later recorded_at from the PCN's system) undoes the retraction, as a later version
-- replaces an earlier one; a version without recorded_at never does, so a PCN that re-sends its whole history each
-- month cannot bring a retracted event back by re-sending it (withdrawn.sql; docs/methodology.md).
SELECT
  pcn_code,
  retracts_event_id AS event_id,
  CASE WHEN count(*) = count(recorded_at) THEN max(recorded_at) END AS retracted_at
FROM committed_events
WHERE event_type = 'retraction'
GROUP BY pcn_code, retracts_event_id
