-- Committed workforce snapshots when every upload under curated/workforce/ has its receipt: the table itself.
SELECT w.*
FROM workforce AS w
