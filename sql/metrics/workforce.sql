-- Workforce: link workers (SPLW), health and wellbeing coaches (HWBC) and care coordinators (CC) in post,
-- full-time equivalent, trained and vacant, PCNs with at least one link worker, and people referred, by month
-- and by financial year (a year's staffing is the mean of its monthly snapshots). FTE per 10,000 patients and
-- caseload (people referred in the year per link worker FTE, annualised from the months of referrals so far:
-- referral_months) are derived from these figures. Headcount, training and vacancies are optional in a snapshot
-- (the national publication has FTE only): each is summed over the PCNs that gave it, and pcns_with_headcount,
-- pcns_with_training and pcns_with_vacancies say how many PCNs that is (FTE covers pcns_reporting). The accredited %
-- is over the snapshots that gave training and headcount (splw_accredited over splw_headcount_training_known; review
-- 26, R26-6; review 27, R27-5), and England's training-known headcount is withheld where its difference from England's
-- headcount would be a few PCNs' (training_known_withheld; R27-1).
-- FTE per 10,000 and caseload are over the PCNs that sent a snapshot (pcns_reporting of pcns): FTE of the PCNs
-- reporting over the list or the people of every PCN read low per 10,000 and high per FTE wherever some PCNs sent
-- events and no snapshot (red-team review 6, K7). list_size_reporting is the registered list of the PCNs with a
-- snapshot in each month (reference data in force that month), summed as FTE is. The caseload's numerator is people
-- referred (every PCN's, as rollout publishes it), so the caseload is made only where every PCN that referred anyone
-- in the year sent a snapshot in it (pcns_referring_without_snapshot 0), and for an area only where each PCN that sent
-- one sent it for every month it reported whose snapshots are due (pcns_missing_snapshot_months 0; review 26, R26-2;
-- review 27, R27-8), annualised over the months reported (referral_months; R27-2): the people of the PCNs
-- reporting alone would be a new count of a group of PCNs, which disclosure control does not yet check against the
-- PCNs' own rows.
-- list_size (every PCN onboarded, populations.sql) stays beside them.
-- docs/methodology.md.
-- FTE is summed exactly, as DECIMAL(18, 6) (the contract allows any FTE from 0 to 100; the national publication has 4
-- decimals), and converted to DOUBLE once at the end: a DOUBLE sum is added in whatever order the threads finish, so
-- a figure on a rounding boundary would flip between two refreshes of the same data. Trino's sum of decimal(p, s) is
-- an exact decimal(38, s) (trinodb/trino commit 423098bb; DECIMAL "an exact decimal number",
-- docs/src/main/sphinx/language/types.md); DuckDB's likewise (DECIMAL(38, s)).
WITH pcn_staff AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy,
    sum(CASE WHEN role = 'splw' THEN headcount END) AS splw_headcount,
    sum(CASE WHEN role = 'splw' THEN CAST(fte AS DECIMAL(18, 6)) ELSE 0 END) AS splw_fte,
    -- Training and headcount are both optional: the accredited % is over the snapshots that gave both, numerator and
    -- denominator alike. The link workers in post where training was given are its denominator: a PCN that gave
    -- headcount only has its link workers in splw_headcount and none of them in splw_accredited (review 26, R26-6: 67%
    -- where all of those whose training is known were trained); and training given without headcount is in neither
    -- (review 27, R27-5: its trained over nobody in post read 200%).
    sum(CASE WHEN role = 'splw' AND headcount IS NOT NULL THEN accredited_training_headcount END) AS splw_accredited,
    sum(CASE WHEN role = 'splw' AND accredited_training_headcount IS NOT NULL THEN headcount END)
      AS splw_headcount_training_known,
    sum(CASE WHEN role = 'splw' THEN CAST(vacancies_fte AS DECIMAL(18, 6)) END) AS splw_vacancies_fte,
    sum(CASE WHEN role = 'hwbc' THEN headcount END) AS hwbc_headcount,
    sum(CASE WHEN role = 'hwbc' THEN CAST(fte AS DECIMAL(18, 6)) ELSE 0 END) AS hwbc_fte,
    sum(CASE WHEN role = 'cc' THEN headcount END) AS cc_headcount,
    sum(CASE WHEN role = 'cc' THEN CAST(fte AS DECIMAL(18, 6)) ELSE 0 END) AS cc_fte
  FROM workforce_in_force
  GROUP BY pcn_code, icb_code, region_code, month, fy
),

-- Each reporting PCN's list in the month of its snapshot (the reference data in force on the first of the month): one
-- value a PCN and month, joined after the roles are summed, so no snapshot row is ever counted twice.
pcn_lists AS (
  SELECT k.pcn_code, k.month, max(p.list_size) AS list_size
  FROM (SELECT DISTINCT pcn_code, month FROM workforce_in_force) AS k
  -- an open version (valid_to NULL) as valid to the last day there is: the join's conditions are then an equality and
  -- two comparisons, which DuckDB joins by the PCN, where the OR made it compare every PCN-month with every version of
  -- every PCN (issue 17, perfq34)
  LEFT JOIN (
    SELECT pcn_code, valid_from, COALESCE(valid_to, DATE '9999-12-31') AS valid_to, list_size
    FROM pcns
  ) AS p
    ON p.pcn_code = k.pcn_code
    AND p.valid_from <= CAST(k.month || '-01' AS DATE)
    AND p.valid_to >= CAST(k.month || '-01' AS DATE)
  GROUP BY k.pcn_code, k.month
),

-- England's link workers in post less those in the PCNs that gave training (splw_headcount less
-- splw_headcount_training_known, both exact at England) is the exact headcount of the PCNs that gave headcount and no
-- training, and which PCNs those are is published (their training null on their rows, not `*`): one such PCN's
-- headcount, `*` on its own rows, would be recovered (review 27, R27-1). That difference is tested as England's figures
-- made up by few PCNs are (revisions.ts, periodsMadeByFew: releasable), each PCN's contribution its link workers in
-- post without training in the period (a year: its months' sum, England's year being their sum over England's months):
-- fewer than 3 PCNs, one dominating (the rest after the two largest under 10% of the largest), or a total no larger
-- than the number of PCNs (each 1) fails. Where it fails, England's splw_headcount_training_known is withheld (null,
-- and the accredited % made from it), here before the revisions policy reads it, as caseload_fte is (review 9,
-- R9-5). With its year: a month withheld withholds its year (the year less its other months would give it), and a
-- year withheld with every month of it shown withholds each of its months (their sum is the year's).
training_not_given AS (
  SELECT 'month' AS period_type, month AS period, fy, pcn_code, sum(headcount) AS headcount
  FROM workforce_in_force
  WHERE role = 'splw' AND headcount IS NOT NULL AND accredited_training_headcount IS NULL
  GROUP BY month, fy, pcn_code

  UNION ALL

  SELECT 'fy' AS period_type, fy AS period, fy, pcn_code, sum(headcount) AS headcount
  FROM workforce_in_force
  WHERE role = 'splw' AND headcount IS NOT NULL AND accredited_training_headcount IS NULL
  GROUP BY fy, pcn_code
),

training_not_given_failing AS (
  SELECT period_type, period, fy
  FROM (
    SELECT
      period_type, period, fy, headcount,
      row_number() OVER (PARTITION BY period_type, period ORDER BY headcount DESC, pcn_code) AS place
    FROM training_not_given
    WHERE headcount > 0
  ) AS t
  GROUP BY period_type, period, fy
  HAVING count(*) < 3
    OR sum(CASE WHEN place > 2 THEN headcount ELSE 0 END) < 0.1 * max(headcount)
    OR sum(headcount) <= count(*)
),

training_known_withheld AS (
  SELECT DISTINCT period
  FROM (
    SELECT period FROM training_not_given_failing

    UNION ALL

    SELECT fy AS period FROM training_not_given_failing

    UNION ALL

    SELECT w.month AS period
    FROM training_not_given_failing AS f
    INNER JOIN (SELECT DISTINCT month, fy FROM workforce_in_force) AS w ON w.fy = f.fy
    LEFT JOIN (SELECT DISTINCT fy FROM training_not_given_failing WHERE period_type = 'month') AS m ON m.fy = f.fy
    WHERE f.period_type = 'fy' AND m.fy IS NULL
  ) AS p
),

pcn_rows AS (
  SELECT
    s.*,
    l.list_size,
    wm.period IS NOT NULL AS training_month_withheld,
    wy.period IS NOT NULL AS training_year_withheld
  FROM pcn_staff AS s
  LEFT JOIN pcn_lists AS l ON l.pcn_code = s.pcn_code AND l.month = s.month
  LEFT JOIN training_known_withheld AS wm ON wm.period = s.month
  LEFT JOIN training_known_withheld AS wy ON wy.period = s.fy
),

staffing AS (
  SELECT
    CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
    CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
    COALESCE(month, fy) AS period,
    count(DISTINCT month) AS months,
    CAST(count(*) AS DOUBLE) / count(DISTINCT month) AS pcns_reporting,
    CAST(count(*) FILTER (WHERE splw_headcount > 0 OR splw_fte > 0) AS DOUBLE) / count(DISTINCT month) AS pcns_with_link_worker,
    CAST(count(*) FILTER (WHERE splw_headcount IS NOT NULL OR hwbc_headcount IS NOT NULL OR cc_headcount IS NOT NULL) AS DOUBLE) / count(DISTINCT month) AS pcns_with_headcount,
    CAST(count(splw_accredited) AS DOUBLE) / count(DISTINCT month) AS pcns_with_training,
    CAST(count(splw_vacancies_fte) AS DOUBLE) / count(DISTINCT month) AS pcns_with_vacancies,
    CAST(sum(splw_headcount) AS DOUBLE) / count(DISTINCT month) AS splw_headcount,
    CAST(sum(splw_fte) AS DOUBLE) / count(DISTINCT month) AS splw_fte,
    CAST(sum(splw_accredited) AS DOUBLE) / count(DISTINCT month) AS splw_accredited,
    CASE
      -- England's, withheld where the PCNs that gave headcount and no training are few (training_known_withheld).
      WHEN pcn_code IS NULL AND icb_code IS NULL AND region_code IS NULL
        AND (CASE WHEN month IS NOT NULL THEN bool_or(training_month_withheld) ELSE bool_or(training_year_withheld) END)
        THEN NULL
      ELSE CAST(sum(splw_headcount_training_known) AS DOUBLE) / count(DISTINCT month)
    END AS splw_headcount_training_known,
    CAST(sum(splw_vacancies_fte) AS DOUBLE) / count(DISTINCT month) AS splw_vacancies_fte,
    CAST(sum(hwbc_headcount) AS DOUBLE) / count(DISTINCT month) AS hwbc_headcount,
    CAST(sum(hwbc_fte) AS DOUBLE) / count(DISTINCT month) AS hwbc_fte,
    CAST(sum(cc_headcount) AS DOUBLE) / count(DISTINCT month) AS cc_headcount,
    CAST(sum(cc_fte) AS DOUBLE) / count(DISTINCT month) AS cc_fte,
    CAST(sum(list_size) AS DOUBLE) / count(DISTINCT month) AS list_size_reporting
  FROM pcn_rows
  GROUP BY GROUPING SETS (
    (month), (fy), (region_code, month), (region_code, fy), (icb_code, month), (icb_code, fy), (pcn_code, month), (pcn_code, fy)
  )
),

-- People referred in the year add up across PCNs (person ids are per PCN: equity.sql): each person once per PCN (with
-- its ICB and region) and year, counted per PCN and added up for every area (rollups); only a PCN whose referrals fall
-- in more than one ICB or region in a year (moved_pcns) has its people counted distinct at each level. (A distinct
-- count of every person in four grouping sets cost 6 of the step's 8 CPU seconds at national scale; issue 17.)
-- They are counted as referrals less each person's repeats: only the referrals of people referred more than once in
-- a PCN-year (repeated_people) are grouped by person_id (this query on the 25% layout, both versions alternated in one
-- process at load 33: 0.68-0.70 CPU s before, 0.26-0.33 after, the same rows;
-- repeated_people, read by rollout and equity too, 0.15-0.20; national, one process at load 8-20, 4.52 and 2.50,
-- repeated_people 1.41; issue 17).
referral_places AS (
  SELECT pcn_code, icb_code, region_code, fy, count(*) AS referrals
  FROM episodes
  GROUP BY pcn_code, icb_code, region_code, fy
),

repeats AS (
  SELECT e.pcn_code, e.icb_code, e.region_code, e.fy, count(*) AS referrals
  FROM episodes AS e
  INNER JOIN repeated_people AS r ON r.pcn_code = e.pcn_code AND r.fy = e.fy AND r.person_id = e.person_id
  GROUP BY e.pcn_code, e.icb_code, e.region_code, e.fy, e.person_id
),

people_counts AS (
  SELECT c.pcn_code, c.icb_code, c.region_code, c.fy, sum(c.people) AS people
  FROM (
    SELECT pcn_code, icb_code, region_code, fy, referrals AS people
    FROM referral_places

    UNION ALL

    -- a person's repeats in the PCN-year, taken off
    SELECT pcn_code, icb_code, region_code, fy, 1 - referrals AS people
    FROM repeats
  ) AS c
  LEFT JOIN moved_pcns AS m ON m.period_type = 'fy' AND m.period = c.fy AND m.pcn_code = c.pcn_code
  WHERE m.pcn_code IS NULL
  GROUP BY c.pcn_code, c.icb_code, c.region_code, c.fy
),

-- Each person referred in a PCN-year that moved, once per PCN (with its ICB and region) and year.
moved_people AS (
  SELECT DISTINCT e.pcn_code, e.icb_code, e.region_code, e.fy, e.person_id
  FROM episodes AS e
  INNER JOIN moved_pcns AS m ON m.period_type = 'fy' AND m.period = e.fy AND m.pcn_code = e.pcn_code
),

-- Each PCN's people referred in the year, as England's people referred counts them: a PCN-year that did not move has one
-- ICB and region, so its people are its count in people_counts; one that moved has its people counted distinct (not
-- every person grouped again by PCN and year: issue 17).
pcn_people AS (
  SELECT pcn_code, fy, sum(people) AS people
  FROM (
    SELECT pcn_code, fy, people
    FROM people_counts

    UNION ALL

    SELECT d.pcn_code, d.fy, count(*) AS people
    FROM (
      SELECT DISTINCT pcn_code, fy, person_id
      FROM moved_people
    ) AS d
    GROUP BY d.pcn_code, d.fy
  ) AS y
  GROUP BY pcn_code, fy
),

people_parts AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN c.pcn_code WHEN 'icb' THEN c.icb_code WHEN 'region' THEN c.region_code ELSE 'ENG' END AS code,
    c.fy AS period,
    sum(c.people) AS people
  FROM people_counts AS c
  INNER JOIN rollups AS r ON r.period_type = 'fy'
  GROUP BY 1, 2, 3

  UNION ALL

  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN y.pcn_code WHEN 'icb' THEN y.icb_code WHEN 'region' THEN y.region_code ELSE 'ENG' END AS code,
    y.fy AS period,
    count(DISTINCT y.person_id) AS people
  FROM moved_people AS y
  INNER JOIN rollups AS r ON r.period_type = 'fy'
  GROUP BY 1, 2, 3
),

people AS (
  SELECT level, code, period, sum(people) AS people_referred
  FROM people_parts
  GROUP BY 1, 2, 3
),

-- Four counts of PCNs per area and year that keep the caseload from being published, made in one grouping (each PCN
-- with its own ICB and region, counted distinct per kind):
-- - referring_without_snapshot: PCNs with people referred in the year and no snapshot in it: the caseload is published
--   only where there are none (docs/methodology.md, Workforce). A count of PCNs, not people: which PCNs sent a snapshot
--   (workforce's PCN rows) and which referred anyone (rollout's, where 0 is published as 0) are published already.
-- - staffed_before_onboarding: PCNs with a snapshot in the year in a month before their first month with events
--   (onboarded.sql), or with none: their link workers are in the FTE while the people they referred are not in the data
--   yet, so a caseload over them reads low by their share of the staff (a wave rollout, where the national workforce
--   publication is imported for every PCN and uploads follow: red-team review 8, N6; K7 the other way round). The
--   caseload is published only where there are none, as for pcns_referring_without_snapshot. A count of PCNs: which
--   PCNs sent a snapshot (workforce's PCN rows) in which months, and from which month each has referral data (rollout's
--   PCN rows, NULL before), are published.
-- - staffed_after_reporting: PCNs with a snapshot in the year in a month after their reporting span ended (their
--   extract stopped: onboarded.sql last_month), whose link workers are in the FTE for months with no referral data
--   (red-team review 9, R9-3: a PCN that stopped after May with snapshots to July read 6 a year where it referred 12 a
--   year per FTE). Published only where there are none, as above; the months each PCN has referral data in (rollout's
--   PCN rows, NULL after) are published.
-- - missing_snapshot_months: PCNs that sent a snapshot in the year but not for every month of it they reported (in
--   pcn_months, `reporting`): their people of every month reported are in the numerator, their link workers only for
--   the months they sent, averaged over the area's months as 0 for the others, so the area's caseload reads high
--   (review 26, R26-2: 267 where every PCN was at 200). Counted in the area of each month missed. Published only where
--   there are none, as above; which months each PCN sent a snapshot for (workforce's PCN month rows) and had referral
--   data in (rollout's) are published. A PCN's own caseload is over its own months (its FTE the mean of its snapshot
--   months, annualised over its reporting months: referral_months) and is not withheld for it (catalogue.ts).
--   A month counts as missed only once its snapshots are due (snapshots_due): workforce files come later than events
--   (a PCN's return after its extract, or NHS Digital's publication imported after the month), and a month whose
--   snapshots nobody could have sent yet withheld every area's caseload of the year (review 27, R27-8). Its people are
--   in the numerator and the area's FTE is a mean over the months with snapshots, annualised over the months reported:
--   the pace of the months so far.
-- The latest month whose snapshots are due: the latest in which at least 90% of the PCNs reporting it that send
-- snapshots at all sent one (the data-as-of rule applied to the snapshots: docs/methodology.md, "Data as of"). NULL
-- (none due) where no PCN sent a snapshot.
snapshots_due AS (
  SELECT max(month) AS month
  FROM (
    SELECT
      m.month,
      count(DISTINCT w.pcn_code) AS sent,
      count(DISTINCT m.pcn_code) AS senders
    FROM pcn_months AS m
    INNER JOIN (SELECT DISTINCT pcn_code FROM workforce_in_force) AS s ON s.pcn_code = m.pcn_code
    LEFT JOIN (SELECT DISTINCT pcn_code, month FROM workforce_in_force) AS w
      ON w.pcn_code = m.pcn_code AND w.month = m.month
    WHERE m.reporting
    GROUP BY m.month
  ) AS c
  WHERE c.sent >= 0.9 * c.senders
),

missing_snapshots AS (
  SELECT m.pcn_code, m.icb_code, m.region_code, m.fy
  FROM pcn_months AS m
  INNER JOIN (SELECT DISTINCT pcn_code, fy FROM workforce_in_force) AS y ON y.pcn_code = m.pcn_code AND y.fy = m.fy
  LEFT JOIN (SELECT DISTINCT pcn_code, month FROM workforce_in_force) AS w
    ON w.pcn_code = m.pcn_code AND w.month = m.month
  WHERE m.reporting AND w.pcn_code IS NULL AND m.month <= (SELECT month FROM snapshots_due)
),

caseload_pcn_counts AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN k.pcn_code WHEN 'icb' THEN k.icb_code WHEN 'region' THEN k.region_code ELSE 'ENG' END AS code,
    k.fy AS period,
    count(DISTINCT CASE WHEN k.kind = 'referring_without_snapshot' THEN k.pcn_code END) AS referring_without_snapshot,
    count(DISTINCT CASE WHEN k.kind = 'staffed_before_onboarding' THEN k.pcn_code END) AS staffed_before_onboarding,
    count(DISTINCT CASE WHEN k.kind = 'staffed_after_reporting' THEN k.pcn_code END) AS staffed_after_reporting,
    count(DISTINCT CASE WHEN k.kind = 'missing_snapshot_months' THEN k.pcn_code END) AS missing_snapshot_months,
    -- The PCNs whose link worker FTE is in England's and not in caseload_fte (below): staffed outside their reporting
    -- span, or left out of the PCNs covered for a month without a snapshot.
    count(DISTINCT CASE WHEN k.kind <> 'referring_without_snapshot' THEN k.pcn_code END) AS staffed_outside_reporting
  FROM (
    SELECT y.pcn_code, y.icb_code, y.region_code, y.fy, 'referring_without_snapshot' AS kind
    FROM referral_places AS y
    LEFT JOIN (SELECT DISTINCT pcn_code, fy FROM workforce_in_force) AS s ON s.pcn_code = y.pcn_code AND s.fy = y.fy
    WHERE s.pcn_code IS NULL

    UNION ALL

    SELECT DISTINCT w.pcn_code, w.icb_code, w.region_code, w.fy, 'staffed_before_onboarding' AS kind
    FROM workforce_in_force AS w
    LEFT JOIN onboarded AS o ON o.pcn_code = w.pcn_code
    WHERE o.first_month IS NULL OR w.month < o.first_month

    UNION ALL

    SELECT DISTINCT w.pcn_code, w.icb_code, w.region_code, w.fy, 'staffed_after_reporting' AS kind
    FROM workforce_in_force AS w
    INNER JOIN onboarded AS o ON o.pcn_code = w.pcn_code
    WHERE w.month > o.last_month

    UNION ALL

    SELECT DISTINCT pcn_code, icb_code, region_code, fy, 'missing_snapshot_months' AS kind
    FROM missing_snapshots
  ) AS k
  INNER JOIN rollups AS r ON r.period_type = 'fy'
  GROUP BY 1, 2, 3
),

-- On month rows, the PCNs with a snapshot in the month whose year counts in missing_snapshot_months: a PCN's month row
-- says whether its FTE of the month is in England's caseload_fte (catalogue.ts, groupFigures' span).
missing_snapshot_month_counts AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN w.pcn_code WHEN 'icb' THEN w.icb_code WHEN 'region' THEN w.region_code ELSE 'ENG' END AS code,
    w.month AS period,
    count(DISTINCT w.pcn_code) AS pcns
  FROM (SELECT DISTINCT pcn_code, icb_code, region_code, month, fy FROM workforce_in_force) AS w
  INNER JOIN (SELECT DISTINCT pcn_code, fy FROM missing_snapshots) AS x ON x.pcn_code = w.pcn_code AND x.fy = w.fy
  INNER JOIN rollups AS r ON r.period_type = 'month'
  GROUP BY 1, 2, 3
),

-- England's caseload over the PCNs it can be made for, where some PCNs that referred people sent no snapshot (the
-- national demo's 16): numerator and denominator over the same PCNs, those that sent a snapshot in the year and have
-- referral data in it (onboarded: their PCN list in populations is not NULL; one that referred nobody counts its link
-- workers against its 0 people, as an area's caseload does). Its coverage is stated beside it: the PCNs and the share
-- of England's people referred they hold. England's only: below England the people of such a group of PCNs would be a
-- new count, which disclosure control does not check against the PCNs' own rows (docs/methodology.md, Workforce).
-- caseload_people is read by the refresh's check (shared-counts.ts, auditCoveredShare) and never published: with
-- England's people referred it is the exact total of the PCNs not covered, and a release's change in it one PCN's.
-- A PCN with a month reported and no snapshot for it (missing_snapshots) is left out: its people of the whole year
-- beside its FTE of part of it read high (review 26, R26-2).
covered_pcns AS (
  SELECT DISTINCT w.pcn_code, w.fy
  FROM workforce_in_force AS w
  INNER JOIN populations AS p
    ON p.level = 'pcn' AND p.code = w.pcn_code AND p.period_type = 'fy' AND p.period = w.fy
  LEFT JOIN (SELECT DISTINCT pcn_code, fy FROM missing_snapshots) AS x ON x.pcn_code = w.pcn_code AND x.fy = w.fy
  WHERE p.list_size IS NOT NULL AND x.pcn_code IS NULL
),

-- Each area's months of the year with referral data (a month in which any of its PCNs reported: pcn_months'
-- `reporting`), over which its caseload is annualised: its people are those of the months reported, and its FTE a mean
-- over its months of snapshots, which under the guards above are those months (or fewer, the newest not yet due). A
-- PCN's its own reporting months (review 26, R26-4: a PCN joining in October read at half its pace over the 12 months
-- it was in force); an area's likewise (review 27, R27-2: an ICB all of whose PCNs joined in October read 100 beside
-- its PCN's 200, annualised over the months any PCN was in force).
reporting_months AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN m.pcn_code WHEN 'icb' THEN m.icb_code WHEN 'region' THEN m.region_code ELSE 'ENG' END AS code,
    m.fy AS period,
    count(DISTINCT m.month) AS months
  FROM pcn_months AS m
  INNER JOIN rollups AS r ON r.period_type = 'fy'
  WHERE m.reporting
  GROUP BY 1, 2, 3
),

covered AS (
  SELECT
    c.fy AS period,
    count(*) AS pcns,
    max(f.fte) AS fte,
    COALESCE(max(y.people), 0) AS people
  FROM covered_pcns AS c
  LEFT JOIN (
    -- Their link worker FTE of the months of their reporting span (onboarded.sql): a month before it or after their
    -- extract stopped has staff and no referral data (review 8, N6; review 9, R9-3).
    SELECT s.fy, sum(s.splw_fte) AS fte
    FROM pcn_staff AS s
    INNER JOIN covered_pcns AS c ON c.pcn_code = s.pcn_code AND c.fy = s.fy
    INNER JOIN onboarded AS o
      ON o.pcn_code = s.pcn_code AND s.month >= o.first_month AND s.month <= o.last_month
    GROUP BY s.fy
  ) AS f ON f.fy = c.fy
  LEFT JOIN (
    -- Each person once per PCN and year (person ids are per PCN), as England's people referred counts them.
    SELECT y.fy, sum(y.people) AS people
    FROM pcn_people AS y
    INNER JOIN covered_pcns AS c ON c.pcn_code = y.pcn_code AND c.fy = y.fy
    GROUP BY y.fy
  ) AS y ON y.fy = c.fy
  GROUP BY c.fy
),

-- The PCNs outside the covered group (review 28): England's people referred less the covered people (pinned by
-- caseload_covered, its annualised rate and coverage % where the covered FTE is small) is the exact people of the PCNs
-- not covered; England's link worker FTE less caseload_fte the FTE outside the covered spans. Each is tested as
-- England's figures made up by few PCNs are (revisions.ts, releasable): fewer than 3 PCNs, one dominating (the rest
-- after the two largest under 10% of the largest), or (people, a count) a total no larger than the number of PCNs.
-- Where either fails, the covered figures are withheld (NULL): R28-3 (two PCNs outside, 15 and 6: either gave the
-- other's `*`), R28-2 (4.00 + 0.10 + 0.10 FTE outside: the 4.00 PCN's `*` within 2.5%).
outside_people_failing AS (
  SELECT fy
  FROM (
    SELECT
      y.fy, y.people,
      row_number() OVER (PARTITION BY y.fy ORDER BY y.people DESC, y.pcn_code) AS place
    FROM pcn_people AS y
    LEFT JOIN covered_pcns AS c ON c.pcn_code = y.pcn_code AND c.fy = y.fy
    WHERE c.pcn_code IS NULL AND y.people > 0
  ) AS t
  GROUP BY fy
  HAVING count(*) < 3
    OR sum(CASE WHEN place > 2 THEN people ELSE 0 END) < 0.1 * max(people)
    OR sum(people) <= count(*)
),

outside_fte_failing AS (
  SELECT fy
  FROM (
    SELECT
      fy, fte,
      row_number() OVER (PARTITION BY fy ORDER BY fte DESC, pcn_code) AS place
    FROM (
      -- Each PCN's FTE not in caseload_fte: all of it where not covered, else its months outside its reporting span.
      SELECT s.pcn_code, s.fy, sum(s.splw_fte) AS fte
      FROM pcn_staff AS s
      LEFT JOIN covered_pcns AS c ON c.pcn_code = s.pcn_code AND c.fy = s.fy
      LEFT JOIN onboarded AS o ON o.pcn_code = s.pcn_code
      WHERE c.pcn_code IS NULL OR o.first_month IS NULL OR s.month < o.first_month OR s.month > o.last_month
      GROUP BY s.pcn_code, s.fy
    ) AS f
    WHERE fte > 0
  ) AS t
  GROUP BY fy
  HAVING count(*) < 3 OR sum(CASE WHEN place > 2 THEN fte ELSE 0 END) < 0.1 * max(fte)
)

SELECT
  s.*,
  p.list_size,
  p.pcns,
  CASE WHEN s.period_type = 'fy' THEN COALESCE(m.months, 0) ELSE p.months END AS referral_months,
  -- An area and year in which none of its PCNs had onboarded (populations' list_size NULL: no first month with events
  -- yet, as a PCN that sent only snapshots) has no referral data: NULL, as rollout publishes it (red-team review 7,
  -- M11), not 0. The two documents publish one count (sameAs): the same rule, not a special case where they differ.
  CASE WHEN s.period_type = 'fy' AND p.list_size IS NOT NULL THEN COALESCE(r.people_referred, 0) END AS people_referred,
  CASE WHEN s.period_type = 'fy' AND p.list_size IS NOT NULL THEN COALESCE(b.referring_without_snapshot, 0) END
    AS pcns_referring_without_snapshot,
  CASE WHEN s.period_type = 'fy' AND p.list_size IS NOT NULL THEN COALESCE(b.staffed_before_onboarding, 0) END
    AS pcns_staffed_before_onboarding,
  CASE WHEN s.period_type = 'fy' AND p.list_size IS NOT NULL THEN COALESCE(b.staffed_after_reporting, 0) END
    AS pcns_staffed_after_reporting,
  CASE
    WHEN s.period_type = 'fy' AND p.list_size IS NOT NULL THEN COALESCE(b.missing_snapshot_months, 0)
    WHEN s.period_type = 'month' THEN COALESCE(x.pcns, 0)
  END AS pcns_missing_snapshot_months,
  -- England's caseload over the PCNs covered (above), exact here: rounded after the refresh's check (catalogue.ts). The
  -- FTE is their link worker FTE over England's months of snapshots in the year, as England's FTE is.
  CASE WHEN s.level = 'national' AND s.period_type = 'fy' THEN COALESCE(c.pcns, 0) END AS caseload_pcns,
  CASE WHEN s.level = 'national' AND s.period_type = 'fy' THEN COALESCE(c.people, 0) END AS caseload_people,
  -- The covered FTE is withheld (NULL) where the PCNs staffed outside their reporting span are 1 or 2: England's FTE
  -- less it would be theirs, one PCN's where one was, whose own rows show `*` (red-team review 9, R9-5; fewer than 3
  -- contributors, as revisions.ts's rule for England's own figures). Here, before the revisions policy reads it, so
  -- its record holds what is published (review 10: a figure blanked after it made every later release fail closed).
  -- Both withheld where the FTE outside the spans is made up by few PCNs or dominated by one (outside_fte_failing,
  -- review 28, R28-2; the rates give the covered FTE back beside a pinned covered people), and the rates where the
  -- people outside the group are (outside_people_failing, R28-3).
  CASE
    WHEN s.level = 'national' AND s.period_type = 'fy' AND COALESCE(b.staffed_outside_reporting, 0) NOT IN (1, 2)
      AND fo.fy IS NULL
      THEN CAST(c.fte AS DOUBLE) / s.months
  END AS caseload_fte,
  CASE WHEN s.level = 'national' AND s.period_type = 'fy' AND c.fte > 0 AND po.fy IS NULL AND fo.fy IS NULL
    THEN CAST(COALESCE(c.people, 0) * s.months AS DOUBLE) / CAST(c.fte AS DOUBLE) END AS caseload_covered,
  CASE WHEN s.level = 'national' AND s.period_type = 'fy' AND c.fte > 0 AND m.months > 0 AND po.fy IS NULL
    AND fo.fy IS NULL
    THEN CAST(COALESCE(c.people, 0) * s.months * 12 AS DOUBLE) / CAST(c.fte * m.months AS DOUBLE)
  END AS caseload_covered_annualised,
  CASE WHEN s.level = 'national' AND s.period_type = 'fy' AND r.people_referred > 0 AND po.fy IS NULL
    AND fo.fy IS NULL
    THEN CAST(COALESCE(c.people, 0) * 100 AS DOUBLE) / CAST(r.people_referred AS DOUBLE) END AS caseload_coverage_pct
FROM staffing AS s
-- Each figure joined on equalities alone, its own level and period type a column of its side: a condition on the
-- staffing row alone (s.period_type = 'fy') in the ON clause of a LEFT JOIN made DuckDB compare every staffing row with
-- every row of the other side (a blockwise nested loop join, half this query's time nationally; issue 17, perfq34).
LEFT JOIN populations AS p
  ON p.level = s.level AND p.code = s.code AND p.period_type = s.period_type AND p.period = s.period
LEFT JOIN (SELECT 'fy' AS period_type, level, code, period, people_referred FROM people) AS r
  ON r.period_type = s.period_type AND r.level = s.level AND r.code = s.code AND r.period = s.period
LEFT JOIN (SELECT 'fy' AS period_type, b.* FROM caseload_pcn_counts AS b) AS b
  ON b.period_type = s.period_type AND b.level = s.level AND b.code = s.code AND b.period = s.period
LEFT JOIN (SELECT 'national' AS level, 'fy' AS period_type, c.* FROM covered AS c) AS c
  ON c.level = s.level AND c.period_type = s.period_type AND c.period = s.period
LEFT JOIN (SELECT 'fy' AS period_type, m.* FROM reporting_months AS m) AS m
  ON m.period_type = s.period_type AND m.level = s.level AND m.code = s.code AND m.period = s.period
LEFT JOIN (SELECT 'national' AS level, 'fy' AS period_type, fy FROM outside_people_failing) AS po
  ON po.level = s.level AND po.period_type = s.period_type AND po.fy = s.period
LEFT JOIN (SELECT 'national' AS level, 'fy' AS period_type, fy FROM outside_fte_failing) AS fo
  ON fo.level = s.level AND fo.period_type = s.period_type AND fo.fy = s.period
LEFT JOIN (SELECT 'month' AS period_type, x.* FROM missing_snapshot_month_counts AS x) AS x
  ON x.period_type = s.period_type AND x.level = s.level AND x.code = s.code AND x.period = s.period
ORDER BY s.level, s.code, s.period_type, s.period
