-- Each PCN's months with at least one event in force, with the latest event date in the month: what data_as_of,
-- data_quality and rollout's PCNs submitting ask of every event, from the one pass over the events that counts each
-- PCN's month (pcn_month_events: no retraction rows, no withdrawn row; issue 17).
SELECT pcn_code, month, max(last_occurred_on) AS last_occurred_on
FROM pcn_month_events
GROUP BY pcn_code, month
