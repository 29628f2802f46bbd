-- Each PCN's months with at least one event in force, with the latest event date in the month: one pass over the
-- events for what data_as_of, data_quality and rollout's PCNs submitting ask of every event (issue 17).
SELECT pcn_code, month, max(occurred_on) AS last_occurred_on
FROM events_in_force
GROUP BY pcn_code, month
