-- The uploads this refresh reads: the uploads table (one row per receipt, written at the refresh's start from the
-- receipts there then), copied as this refresh's own table. committed_events, committed_workforce, onboarded and
-- data_quality read the copy, so the refresh reads one state of the data even if another refresh (an attempt
-- retried while this one still runs) writes the uploads table meanwhile (review 24, R24-1).
SELECT u.*
FROM uploads AS u
