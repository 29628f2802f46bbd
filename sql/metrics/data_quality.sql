-- Data quality: for each PCN, its uploads, files rejected whole, rows accepted and rejected by reason, its last
-- upload, and the months with data missing since its first month: months it was open (in force in the reference
-- data) up to the latest month anyone sent, without an event from it. A PCN that closed is not missing after it.
-- Rows accepted are published rounded up to a multiple of 5 (0 stays 0, 1 to 5 show 5): a refresh follows each
-- ingest, and the exact rows a PCN's late file added would say how far that PCN moved England's figures, which the
-- revisions policy holds back until 3 or more PCNs have changed them (docs/methodology.md). A PCN's own exact
-- figures are on its upload receipts.
-- Events dated in a month when the PCN was not in force in the reference data (meta/out_of_force.sql: in no figure,
-- England included; red-team review 7, M10): how many, in how many months, the first and last such month. The number
-- is rounded up as rows accepted are: a corrected reference brings those events into England's figures at a later
-- refresh, and their exact number would then say how far that one PCN moved them. The refresh log has each month's
-- exact count (meta/out_of_force.sql), for the team that corrects the dates or the reference.
-- Workforce snapshots of a month when the PCN was not in force (in no figure either: workforce_in_force): how many
-- snapshot rows (one a role and month), in how many months, the first and last. Exact: snapshot rows count roles sent,
-- not events or people, and the months already say which PCN-months a corrected reference would bring in.
-- A PCN's months reported are its reporting span (prepare/onboarded.sql; red-team review 7, M5): first_month, the
-- first month of its sustained reporting, from which months missing are counted, and last_month_reported, its last
-- month in force in it (after which its extract has stopped or it closed: its months are no data in every figure).
-- Events dated before first_month (stray events) are in no figure, and listed as events out of force are (the prepare
-- table outside_reporting, whose months the refresh's log has: meta/outside_reporting.sql), rounded up the same way.
-- Service-use rows of a 3- or 12-month window (window_months 3 or 12, valid in contract v1): accepted and kept, in no
-- published figure, since cof_system counts 6-month windows alone (review 26, R26-3). The upload's receipt notes them
-- (service_use_window_not_counted); here, per PCN, how many rows cof_system would otherwise read (not withdrawn, in the
-- PCN's reporting span, up to the last complete month: as cof_system.sql reads them), so that the programme team sees
-- how much a PCN sends that is not counted (review 27, R27-3). Rounded up to a multiple of 5 as rows accepted are.
WITH other_windows AS (
  SELECT e.pcn_code, count(*) AS service_use_rows
  FROM committed_events AS e
  INNER JOIN (
    SELECT DISTINCT pcn_code, month FROM pcn_months
    WHERE reporting AND month <= (SELECT month FROM published_through)
  ) AS f
    ON f.pcn_code = e.pcn_code AND f.month = e.event_month
  -- on the row's kind too, so the join holds the withdrawn service use only (withdrawn.sql; issue 17, perfq34)
  LEFT JOIN withdrawn AS w
    ON w.upload_id = e.upload_id AND w.source_row = e.source_row AND w.event_type = e.event_type
  WHERE e.event_type = 'service_use'
    AND e.window_months <> 6
    AND w.upload_id IS NULL
  GROUP BY e.pcn_code
),

sent AS (
  SELECT
    pcn_code,
    count(*) AS uploads,
    count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
    sum(rows_accepted) AS rows_accepted,
    sum(rows_rejected) AS rows_rejected,
    sum(rejected_invalid) AS rejected_invalid,
    sum(rejected_duplicate) AS rejected_duplicate,
    sum(rejected_other) AS rejected_other,
    count(*) FILTER (WHERE file_error = 'identifiable_data') AS files_with_identifiers,
    max(received_at) AS last_upload
  FROM committed_uploads
  GROUP BY pcn_code
),

months_with_data AS (
  SELECT e.pcn_code, count(*) AS months_with_data, min(o.first_month) AS first_month
  FROM event_months AS e
  INNER JOIN onboarded AS o ON o.pcn_code = e.pcn_code AND e.month >= o.first_month
  GROUP BY e.pcn_code
),

outside_reporting_pcns AS (
  -- The prepare table outside_reporting (its months, as the refresh's log has them), by PCN.
  SELECT
    pcn_code,
    sum(events) AS events_outside_reporting,
    count(*) AS months_outside_reporting,
    min(month) AS first_month_outside_reporting,
    max(month) AS last_month_outside_reporting
  FROM outside_reporting
  GROUP BY pcn_code
),

out_of_force_pcns AS (
  -- The prepare table out_of_force (its months, as the refresh's log has them), by PCN.
  SELECT
    pcn_code,
    sum(events) AS events_out_of_force,
    count(*) FILTER (WHERE events > 0) AS months_out_of_force,
    min(CASE WHEN events > 0 THEN month END) AS first_month_out_of_force,
    max(CASE WHEN events > 0 THEN month END) AS last_month_out_of_force,
    sum(snapshot_rows) AS snapshot_rows,
    count(*) FILTER (WHERE snapshot_rows > 0) AS snapshot_months,
    min(CASE WHEN snapshot_rows > 0 THEN month END) AS first_snapshot_month,
    max(CASE WHEN snapshot_rows > 0 THEN month END) AS last_snapshot_month
  FROM out_of_force
  GROUP BY pcn_code
),

-- The hashes of person_ids under two or more PCNs: every referral grouped by its person_id's 64-bit hash, not by the
-- person_id itself (64 characters: a grouping of 3.2 million of them nationally keeps a copy of each in its hash table
-- and compares them there). Two person_ids with one hash are one group here, so a hash may be found that no person_id
-- under two PCNs has (a collision only adds one), never missed: shared_people then compares the person_ids themselves.
-- Issue 17.
shared_hashes AS (
  SELECT xxhash64(to_utf8(person_id)) AS person_hash
  FROM episodes
  GROUP BY xxhash64(to_utf8(person_id))
  HAVING min(pcn_code) < max(pcn_code)
),

shared_people AS (
  -- Pseudonyms are keyed per PCN (functions/upload/pseudonymise.ts): one person referred by two PCNs has two
  -- person_ids. The same person_id under two or more PCNs says their key is missing (a plain hash of an NHS number,
  -- which anyone can reverse by hashing every number) or shared (review 13, R13-5). Counted per PCN, never listed.
  -- The person_ids under more than one PCN are found by person_id among the referrals of shared_hashes only, and only
  -- their referrals are then counted per PCN (issue 17, perfq34: every referral was grouped by PCN and person_id, and
  -- those 3.2 million pairs again by person_id nationally, nine tenths of this query's CPU).
  SELECT e.pcn_code, count(DISTINCT e.person_id) AS person_ids_shared
  FROM episodes AS e
  INNER JOIN (
    SELECT c.person_id
    FROM episodes AS c
    INNER JOIN shared_hashes AS h
      ON h.person_hash = xxhash64(to_utf8(c.person_id))
    GROUP BY c.person_id
    HAVING min(c.pcn_code) < max(c.pcn_code)
  ) AS s
    ON s.person_id = e.person_id
  GROUP BY e.pcn_code
),

missing AS (
  SELECT p.pcn_code, count(*) FILTER (WHERE s.month IS NULL) AS months_missing,
    -- its last month in force and reporting, up to the last published (none while neither: a PCN that closed, its
    -- last month open; one whose extract stopped, its last month reported)
    max(p.month) FILTER (WHERE p.reporting) AS last_month_reported
  FROM pcn_months AS p
  INNER JOIN months_with_data AS m
    ON m.pcn_code = p.pcn_code AND p.month >= m.first_month
  LEFT JOIN event_months AS s
    ON s.pcn_code = p.pcn_code AND s.month = p.month
  GROUP BY p.pcn_code
)

SELECT
  'pcn' AS level,
  s.pcn_code AS code,
  'all' AS period_type,
  'all' AS period,
  s.uploads,
  s.files_rejected,
  s.files_with_identifiers,
  CAST(CEIL(CAST(s.rows_accepted AS DOUBLE) / 5) * 5 AS BIGINT) AS rows_accepted,
  s.rows_rejected,
  s.rejected_invalid,
  s.rejected_duplicate,
  s.rejected_other,
  s.last_upload,
  m.first_month,
  COALESCE(m.months_with_data, 0) AS months_with_data,
  CASE WHEN m.first_month IS NULL THEN NULL ELSE COALESCE(x.months_missing, 0) END AS months_missing,
  CAST(CEIL(CAST(COALESCE(o.events_out_of_force, 0) AS DOUBLE) / 5) * 5 AS BIGINT) AS events_out_of_force,
  COALESCE(o.months_out_of_force, 0) AS months_out_of_force,
  o.first_month_out_of_force,
  o.last_month_out_of_force,
  COALESCE(o.snapshot_rows, 0) AS snapshot_rows_out_of_force,
  COALESCE(o.snapshot_months, 0) AS snapshot_months_out_of_force,
  o.first_snapshot_month AS first_snapshot_month_out_of_force,
  o.last_snapshot_month AS last_snapshot_month_out_of_force,
  x.last_month_reported,
  CAST(CEIL(CAST(COALESCE(r.events_outside_reporting, 0) AS DOUBLE) / 5) * 5 AS BIGINT) AS events_outside_reporting,
  COALESCE(r.months_outside_reporting, 0) AS months_outside_reporting,
  r.first_month_outside_reporting,
  r.last_month_outside_reporting,
  CAST(CEIL(CAST(COALESCE(h.person_ids_shared, 0) AS DOUBLE) / 5) * 5 AS BIGINT) AS person_ids_shared,
  CAST(CEIL(CAST(COALESCE(v.service_use_rows, 0) AS DOUBLE) / 5) * 5 AS BIGINT) AS service_use_rows_other_windows
FROM sent AS s
LEFT JOIN months_with_data AS m ON m.pcn_code = s.pcn_code
LEFT JOIN out_of_force_pcns AS o ON o.pcn_code = s.pcn_code
LEFT JOIN missing AS x ON x.pcn_code = s.pcn_code
LEFT JOIN outside_reporting_pcns AS r ON r.pcn_code = s.pcn_code
LEFT JOIN shared_people AS h ON h.pcn_code = s.pcn_code
LEFT JOIN other_windows AS v ON v.pcn_code = s.pcn_code
ORDER BY s.pcn_code
