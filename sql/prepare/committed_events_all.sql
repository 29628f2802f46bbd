-- Committed events when every upload under curated/events/ has its receipt (the refresh checks by listing keys):
-- the table itself, without a join on every scan.
SELECT e.*
FROM events AS e
