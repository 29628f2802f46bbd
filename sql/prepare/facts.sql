-- Facts: one pass over the events in force of the four kinds the metrics read themselves, each grouped at the grain
-- its readers need (issue 17: each of them scanned every event again, 52.8 M rows nationally, for a few columns):
--   declined              per PCN and month: events (rollout's declines);
--   community_connection  per PCN, month, activity and organisation: events and attended (cof_community);
--   service_use           per PCN, referral and service: the uses in each window, before and after, of each length
--                         (cof_system's windows);
--   wellbeing_measure     per PCN, referral and instrument: how many baselines and follow-ups, the one baseline's and
--                         the one follow-up's score (min and max of one value are that value), the first baseline's
--                         and the last follow-up's date (wellbeing_pairs' counted).
-- A key column a kind does not use is NULL on its rows; event_type says which kind a row is. One grouping of the rows
-- in force (events_in_force's own filter: no withdrawn row, none of these kinds is a retraction, up to the last
-- complete month), not of the events_in_force view, which also joins every row to its geography (pcn_months): the
-- readers that need the area join it on the PCN and month once the rows are few, as events_in_force joins it.
-- Counts and sums add up, so a reader that groups these rows more coarsely gets what grouping the events gives.
-- Athena writes this table with CTAS (athena-engine.ts), whose column names must need no quotes and be no reserved word
-- (so no column is named window or count: before_3 and the like); the Athena stand-in checks it (ctasColumnNameProblem).
SELECT
  e.event_type,
  e.pcn_code,
  CASE WHEN e.event_type IN ('declined', 'community_connection') THEN e.event_month END AS month,
  CASE WHEN e.event_type IN ('service_use', 'wellbeing_measure') THEN e.referral_id END AS referral_id,
  CASE WHEN e.event_type = 'community_connection' THEN e.activity_category END AS activity_category,
  CASE WHEN e.event_type = 'community_connection' THEN e.provider_id END AS provider_id,
  CASE WHEN e.event_type = 'service_use' THEN e.service END AS service,
  CASE WHEN e.event_type = 'wellbeing_measure' THEN e.instrument END AS instrument,
  count(*) AS events,
  count(*) FILTER (WHERE e.attended) AS attended,
  sum(e."count") FILTER (WHERE e.window_months = 3 AND e."window" = 'before') AS before_3,
  sum(e."count") FILTER (WHERE e.window_months = 3 AND e."window" = 'after') AS after_3,
  sum(e."count") FILTER (WHERE e.window_months = 6 AND e."window" = 'before') AS before_6,
  sum(e."count") FILTER (WHERE e.window_months = 6 AND e."window" = 'after') AS after_6,
  sum(e."count") FILTER (WHERE e.window_months = 12 AND e."window" = 'before') AS before_12,
  sum(e."count") FILTER (WHERE e.window_months = 12 AND e."window" = 'after') AS after_12,
  count(*) FILTER (WHERE e.phase = 'baseline') AS baselines,
  count(*) FILTER (WHERE e.phase = 'follow_up') AS follow_ups,
  min(e.score) FILTER (WHERE e.phase = 'baseline') AS baseline,
  max(e.score) FILTER (WHERE e.phase = 'follow_up') AS follow_up,
  min(e.occurred_on) FILTER (WHERE e.phase = 'baseline') AS first_baseline_on,
  max(e.occurred_on) FILTER (WHERE e.phase = 'follow_up') AS last_follow_up_on
FROM committed_events AS e
LEFT JOIN withdrawn AS w
  ON w.upload_id = e.upload_id AND w.source_row = e.source_row
WHERE e.event_type IN ('declined', 'community_connection', 'service_use', 'wellbeing_measure')
  AND w.upload_id IS NULL
  -- Up to the last complete month, as events_in_force (published_through; docs/methodology.md, "Data as of").
  AND e.event_month <= (SELECT month FROM published_through)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
