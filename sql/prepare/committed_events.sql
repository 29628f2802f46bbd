-- Committed events: rows of uploads that have a receipt. The receipt is written last, so an upload whose ingest
-- stopped part-way (some month partitions written, no receipt) counts for nothing until its redelivery completes
-- it; then its rows count once, since the redelivery rewrites the same keys.
SELECT e.*
FROM events AS e
WHERE e.upload_id IN (SELECT u.upload_id FROM committed_uploads AS u)
