-- Committed workforce snapshots: rows of uploads that have a receipt (see committed_events).
SELECT w.*
FROM workforce AS w
WHERE w.upload_id IN (SELECT u.upload_id FROM committed_uploads AS u)
