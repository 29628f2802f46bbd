-- Each PCN's months with at least one event in force, with the latest event date in the month: one pass over the
-- events for what data_as_of, data_quality and rollout's PCNs submitting ask of every event (issue 17).
-- Read from committed_events with events_in_force's own filter (no retraction rows, no withdrawn row), not from the
-- view: the view also joins every event to its geography (pcn_months), which nothing here reads, and a grouping by
-- PCN and month with a max gives the same rows whether or not that join repeats a row (about half the CPU at
-- national scale; issue 17). The number of events is for meta/out_of_force (events dated when their PCN is not in
-- force, listed in data_quality: red-team review 7, M10).
SELECT e.pcn_code, e.event_month AS month, max(e.occurred_on) AS last_occurred_on, count(*) AS events
FROM committed_events AS e
LEFT JOIN withdrawn AS w
  ON w.upload_id = e.upload_id AND w.source_row = e.source_row
WHERE e.event_type <> 'retraction'
  AND w.upload_id IS NULL
GROUP BY e.pcn_code, e.event_month
