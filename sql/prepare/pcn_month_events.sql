-- Each PCN's months of events in force, counted in one pass over the events for every step and metric that asks only
-- for counts of a PCN's month (issue 17: one scan instead of one per metric): the latest event date (event_months:
-- data_as_of, data_quality, rollout's PCNs submitting), declines (rollout) and community connections by activity and
-- organisation (cof_community). One row per PCN, month, activity category and organisation: both are given on
-- community connections only (the contract refuses them on any other kind), so every other event of a PCN's month
-- falls in one row with both NULL, and the rows number the PCN-months plus their connections' (activity,
-- organisation) pairs, not the events. Each count is of its own kind of event, so a connection sent with neither
-- (counted in that row too) is counted as the metrics count it.
-- Read from committed_events with events_in_force's own filter (no retraction row, no withdrawn row), not from the
-- view: the view also joins every event to its geography (pcn_months), which each reader joins to these few rows
-- instead, and every month is kept (data-as-of.ts decides the last complete month from them): readers of declines
-- and connections keep those up to published_through, as events_in_force does.
SELECT
  e.pcn_code,
  e.event_month AS month,
  e.activity_category,
  e.provider_id,
  max(e.occurred_on) AS last_occurred_on,
  count(*) FILTER (WHERE e.event_type = 'declined') AS declines,
  count(*) FILTER (WHERE e.event_type = 'community_connection') AS connections,
  count(*) FILTER (WHERE e.event_type = 'community_connection' AND e.attended) AS attended
FROM committed_events AS e
LEFT JOIN withdrawn AS w
  ON w.upload_id = e.upload_id AND w.source_row = e.source_row
WHERE e.event_type <> 'retraction'
  AND w.upload_id IS NULL
GROUP BY e.pcn_code, e.event_month, e.activity_category, e.provider_id
