-- Retracted events: every (pcn_code, event_id) that any retraction row has withdrawn.
SELECT DISTINCT pcn_code, retracts_event_id AS event_id
FROM committed_events
WHERE event_type = 'retraction'
