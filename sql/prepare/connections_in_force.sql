-- Community connections in force, one row each (a connection is never a retraction): no later version superseded it
-- and no retraction withdrew it (withdrawn), in a reporting PCN-month up to the last complete month (unreported_months:
-- a connection in force is an event in force, so its PCN-month is one of event_months', and every one of those not in
-- unreported_months is a reporting PCN-month up to published_through). Read by episodes (each referral's connections
-- and attendances in its windows) and cof_community (connections, attendances and organisations by PCN and month).
-- Nationally the connections are the one kind whose rows are half withdrawn: every attended connection is sent twice
-- (attended=false in its own month's file, then attended=true with a later recorded_at), so 3.04 million of the 3.09
-- million withdrawn rows are connections, and testing every connection against a hash table of them costs each row a
-- cache miss. Both readers tested every connection so; made once here, they read the rows in force, and episodes'
-- other follow-ups are tested against the few withdrawn rows of their own kinds (issue 17).
SELECT e.pcn_code, e.event_month AS month, e.referral_id, e.occurred_on, e.attended, e.activity_category, e.provider_id
FROM committed_events AS e
LEFT JOIN withdrawn AS w
  ON w.upload_id = e.upload_id AND w.source_row = e.source_row
LEFT JOIN unreported_months AS f
  ON f.pcn_code = e.pcn_code AND f.month = e.event_month
WHERE e.event_type = 'community_connection'
  AND w.upload_id IS NULL
  AND f.month IS NULL
