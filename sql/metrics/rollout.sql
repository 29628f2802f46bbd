-- Rollout: accepted referrals (SNOMED 871731000000106: episodes, as cof_person counts them, each referral_id of a PCN
-- once, in the month and area of its first referral event) and distinct people referred, declines (871711000000103),
-- PCNs reporting, and the registered list they serve, for England, each region, ICB and PCN, by month and by
-- financial year. PCN systems record a decline in two ways (functions/contract, referral_id): an offer declined, with a
-- referral_id of its own and no referral (`declines`, beside referrals in the decline rate), or a decline by a person
-- referred, on the referral's referral_id (`declined_after_referral`, a share of the referrals, as engagement is).
-- A financial year's list size is the mean over its months. Rates and the target are derived from these figures after
-- disclosure control. PCNs submitting (England by month: PCNs that sent any event) tell
-- the projection which months are complete; PCNs sent of PCNs expected (England, regions and ICBs by month) how
-- complete an area's month is (coverage, below). Referrals are counted once per PCN, month and person (declines per PCN
-- and month), then added up for every area and period (rollups); the registered lists are in populations.
-- docs/methodology.md.
-- People referred add up across PCNs (person ids are per PCN: equity.sql): each person is counted once per PCN, ICB,
-- region and period, and those counts added up; only a PCN whose referrals fall in more than one ICB or region in a
-- period (moved_pcns) has its people counted distinct at each level.
-- A referral recorded by a second referral event (same referral_id, another event_id) is one referral and one episode,
-- not two: the referral code is recorded at the first contact of an episode only (IIF PC-01), so Referrals here and on
-- the outcomes page (cof_person.episodes) are the same count. docs/methodology.md, "Referrals or people".
-- Referrals, offers declined and referrals declined per PCN-month place, each counted there (a low-cardinality
-- grouping); people below.
WITH closed AS (
  -- The engagement cohort's last referral date (the parameter: the cut-off, data-as-of date less 3 months): referrals
  -- declined are counted for referrals on or before it, whose window has closed (review 31, R31-2).
  SELECT max(referred_on) AS last_referred FROM episodes WHERE referred_on <= CAST(? AS DATE)
),

declines AS (
  -- The declines in force, read once (issue 17: they were read twice, for the referrals declined and for the offers
  -- declined): per referral_id and place, its first date and how many.
  SELECT pcn_code, referral_id, icb_code, region_code, month, fy, min(occurred_on) AS first_declined_on,
    count(*) AS declines
  FROM events_in_force
  WHERE event_type = 'declined'
  GROUP BY pcn_code, referral_id, icb_code, region_code, month, fy
),

decline_groups AS (
  -- Each referral_id's declines joined to its episode once: a referral declined (`referred`) is one row, in its
  -- episode's place, with its first decline, so that a referral declined twice is one referral declined; an offer
  -- declined (a referral_id with no referral in force: the person declined before being referred) is a row per place of
  -- its declines, each decline counted in its own month and area.
  SELECT
    e.referral_id IS NOT NULL AS referred,
    d.pcn_code,
    CASE WHEN e.referral_id IS NOT NULL THEN e.icb_code ELSE d.icb_code END AS icb_code,
    CASE WHEN e.referral_id IS NOT NULL THEN e.region_code ELSE d.region_code END AS region_code,
    CASE WHEN e.referral_id IS NOT NULL THEN e.month ELSE d.month END AS month,
    CASE WHEN e.referral_id IS NOT NULL THEN e.fy ELSE d.fy END AS fy,
    d.referral_id,
    e.referred_on,
    min(d.first_declined_on) AS first_declined_on,
    sum(d.declines) AS declines
  FROM declines AS d
  LEFT JOIN episodes AS e
    ON e.pcn_code = d.pcn_code AND e.referral_id = d.referral_id
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
),

places AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy,
    sum(referrals) AS referrals,
    sum(declines) AS declines,
    sum(declined_after_referral) AS declined_after_referral
  FROM (
    -- Referrals, counted in their month and area.
    SELECT e.pcn_code, e.icb_code, e.region_code, e.month, e.fy, count(*) AS referrals, 0 AS declines,
      0 AS declined_after_referral
    FROM episodes AS e
    GROUP BY e.pcn_code, e.icb_code, e.region_code, e.month, e.fy

    UNION ALL

    -- Of the referrals, those declined: a decline on the referral's referral_id dated by the end of its engagement
    -- window (the referral date + 3 months), the rule that makes it not engaged (episodes.sql), so that of a cohort
    -- engaged and declined never add up to more than its referrals; counted in the referral's month and area, as the
    -- referral is, and only for referrals whose window has closed (referred on or before the engagement cohort's
    -- cut-off, the parameter: cof_person's engagement_cohort), so that no month reads low while its declines are still
    -- to come (review 31, R31-2). And the offers declined: these are the declines of the decline rate (declines / (referrals +
    -- declines)): an offer declined is one more offer beside the referrals, a decline on a referral is not (it would
    -- count one person twice: review 6, K3).
    SELECT
      pcn_code, icb_code, region_code, month, fy,
      0 AS referrals,
      CAST(COALESCE(sum(declines) FILTER (WHERE NOT referred), 0) AS BIGINT) AS declines,
      count(*) FILTER (
        WHERE referred AND first_declined_on <= CAST(referred_on + INTERVAL '3' MONTH AS DATE)
          AND referred_on <= (SELECT last_referred FROM closed)
      ) AS declined_after_referral
    FROM decline_groups
    GROUP BY pcn_code, icb_code, region_code, month, fy
  ) AS e
  GROUP BY pcn_code, icb_code, region_code, month, fy
),

counts AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN e.pcn_code WHEN 'icb' THEN e.icb_code WHEN 'region' THEN e.region_code ELSE 'ENG' END AS code,
    r.period_type,
    CASE r.period_type WHEN 'month' THEN e.month ELSE e.fy END AS period,
    sum(e.referrals) AS referrals,
    sum(e.declines) AS declines,
    sum(e.declined_after_referral) AS declined_after_referral,
    count(DISTINCT CASE WHEN e.referrals > 0 THEN e.pcn_code END) AS pcns_reporting
  FROM places AS e
  CROSS JOIN rollups AS r
  GROUP BY 1, 2, 3, 4
),

-- People referred per PCN (with its ICB and region) and period are its referrals less each person's repeats there:
-- only the people referred more than once in a PCN-year are grouped by person_id, and every referral is counted
-- without it (places). (Every referral grouped by person once per PCN and year, with the first and last month of each,
-- cost most of this query; this query on the 25% layout, both versions alternated in one process at load 15-17:
-- 0.80-0.93 CPU s before, 0.65-0.66 after; with repeated_people a prepare table, 0.88-0.89 before and 0.54 after at
-- load 33; national, one process at load 8-20, 6.68 and 3.95; the same rows; issue 17.) An episode's month is that
-- of its date, so of one financial year.
-- The referrals of people referred more than once in a PCN-year (repeated_people).
repeats AS (
  SELECT e.pcn_code, e.icb_code, e.region_code, e.month, e.fy, e.person_id
  FROM episodes AS e
  INNER JOIN repeated_people AS r
    ON r.pcn_code = e.pcn_code AND r.fy = e.fy AND r.person_id = e.person_id
),

-- People per PCN (with its ICB and region) and period, for the PCN-periods that did not move (those are whole periods
-- of a PCN).
people_counts AS (
  SELECT c.period_type, c.period, c.pcn_code, c.icb_code, c.region_code, sum(c.people) AS people
  FROM (
    SELECT 'month' AS period_type, month AS period, pcn_code, icb_code, region_code, referrals AS people
    FROM places

    UNION ALL

    SELECT 'fy' AS period_type, fy AS period, pcn_code, icb_code, region_code, referrals AS people
    FROM places

    UNION ALL

    -- a person's repeats in a month, and in a year, taken off
    SELECT 'month' AS period_type, month AS period, pcn_code, icb_code, region_code, 1 - count(*) AS people
    FROM repeats
    GROUP BY month, pcn_code, icb_code, region_code, person_id
    HAVING count(*) > 1

    UNION ALL

    SELECT 'fy' AS period_type, fy AS period, pcn_code, icb_code, region_code, 1 - count(*) AS people
    FROM repeats
    GROUP BY fy, pcn_code, icb_code, region_code, person_id
    HAVING count(*) > 1
  ) AS c
  LEFT JOIN moved_pcns AS m ON m.period_type = c.period_type AND m.period = c.period AND m.pcn_code = c.pcn_code
  WHERE m.pcn_code IS NULL
  GROUP BY 1, 2, 3, 4, 5
),

people_parts AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN c.pcn_code WHEN 'icb' THEN c.icb_code WHEN 'region' THEN c.region_code ELSE 'ENG' END AS code,
    c.period_type, c.period,
    sum(c.people) AS people
  FROM people_counts AS c
  INNER JOIN rollups AS r ON r.period_type = c.period_type
  GROUP BY 1, 2, 3, 4

  UNION ALL

  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN p.pcn_code WHEN 'icb' THEN p.icb_code WHEN 'region' THEN p.region_code ELSE 'ENG' END AS code,
    m.period_type, m.period,
    count(DISTINCT p.person_id) AS people
  -- each referral of a PCN-period that moved, in its month and in its year: the referrals read once and joined on the
  -- PCN to its periods that moved, not read once per period type and joined on the period too (issue 17, perfq34)
  FROM episodes AS p
  INNER JOIN moved_pcns AS m
    ON m.pcn_code = p.pcn_code AND m.period = CASE m.period_type WHEN 'month' THEN p.month ELSE p.fy END
  INNER JOIN rollups AS r ON r.period_type = m.period_type
  GROUP BY 1, 2, 3, 4
),

activity AS (
  SELECT
    c.level, c.code, c.period_type, c.period, c.referrals, c.declines, c.declined_after_referral, c.pcns_reporting,
    COALESCE(p.people_referred, 0) AS people_referred
  FROM counts AS c
  LEFT JOIN (
    SELECT level, code, period_type, period, sum(people) AS people_referred
    FROM people_parts
    GROUP BY 1, 2, 3, 4
  ) AS p
    ON p.level = c.level AND p.code = c.code AND p.period_type = c.period_type AND p.period = c.period
),

-- PCNs that sent events in force dated in the month: one whose events are all dated when it was not in force (a
-- closed PCN's late export) is not counted, as its events are not (events_in_force; red-team review 7, M10); nor is
-- one whose only events of the month are strays before its reporting (pcn_months' `reporting`; M5).
submitters AS (
  SELECT e.month, count(DISTINCT e.pcn_code) AS pcns_submitting
  FROM event_months AS e
  INNER JOIN pcn_months AS p
    ON p.pcn_code = e.pcn_code AND p.month = e.month AND p.reporting
  GROUP BY e.month
),

-- How complete each area's month is (red-team review 16, R16-3): the data-as-of rule is England's (90% of its PCNs
-- still sending), so an ICB's published month can still wait for one of its PCNs, whose referrals are then in none of
-- its figures, and a late file reads as a fall. England, regions and ICBs, by month:
-- - pcns_sent: its PCNs whose month is in their reporting span (pcn_months' `reporting`: their extract covers it, or
--   they sent events dated in it): the PCNs whose data the month's figures hold, the lists of list_size;
-- - pcns_expected: its PCNs in force on the month's first day, onboarded by then and whose extract had not stopped
--   before it (the month in their span of meta/sending_pcns.sql, the one statement of "onboarded, not stopped" that
--   meta/data_as_of.sql's list_sending and pcns_stopped read too): those the data-as-of rule waits for.
-- Counts of organisations, not of people, published exact as `pcns` is: each PCN's is public already (its own row's
-- list_size, published where its month is reported; data_quality's first_month and last_month_reported), so their
-- sums say nothing of any count. Not pcns_submitting (PCNs with events) below England: a month an area's PCNs sent
-- no event in is one with no referrals, which would give away a zero suppressed beside it. A PCN's own month is
-- already no data (NULL) until its extract covers it, so a PCN row has neither.
coverage AS (
  SELECT
    r.level,
    CASE r.level WHEN 'icb' THEN p.icb_code WHEN 'region' THEN p.region_code ELSE 'ENG' END AS code,
    p.month,
    count(DISTINCT CASE WHEN p.reporting THEN p.pcn_code END) AS pcns_sent,
    count(DISTINCT CASE WHEN p.month BETWEEN g.sending_from AND g.sending_to THEN p.pcn_code END) AS pcns_expected
  FROM pcn_months AS p
  INNER JOIN rollups AS r
    ON r.period_type = 'month' AND r.level <> 'pcn'
  LEFT JOIN sending_pcns AS g
    ON g.pcn_code = p.pcn_code
  GROUP BY 1, 2, 3
)

-- An area and period in which none of its PCNs had onboarded (list_size NULL: no first month with events yet, a
-- later wave) has no counts: NULL, no data, not 0. A PCN's months before its first upload published as 0 were charted
-- by SPC as real zeros, so every PCN of a later wave had a mean and limits made of them and a special cause at its
-- first month of data (red-team review 7, M11).
SELECT
  p.level,
  p.code,
  p.period_type,
  p.period,
  CASE WHEN p.list_size IS NOT NULL THEN COALESCE(a.referrals, 0) END AS referrals,
  CASE WHEN p.list_size IS NOT NULL THEN COALESCE(a.people_referred, 0) END AS people_referred,
  CASE WHEN p.list_size IS NOT NULL THEN COALESCE(a.declines, 0) END AS declines,
  CASE WHEN p.list_size IS NOT NULL THEN COALESCE(a.declined_after_referral, 0) END AS declined_after_referral,
  CASE WHEN p.list_size IS NOT NULL THEN COALESCE(a.pcns_reporting, 0) END AS pcns_reporting,
  p.pcns,
  p.months,
  p.list_size,
  CASE WHEN p.level = 'national' AND p.period_type = 'month' THEN COALESCE(s.pcns_submitting, 0) END AS pcns_submitting,
  CASE WHEN p.level <> 'pcn' AND p.period_type = 'month' THEN COALESCE(c.pcns_sent, 0) END AS pcns_sent,
  CASE WHEN p.level <> 'pcn' AND p.period_type = 'month' THEN COALESCE(c.pcns_expected, 0) END AS pcns_expected
FROM populations AS p
LEFT JOIN activity AS a
  ON a.level = p.level AND a.code = p.code AND a.period_type = p.period_type AND a.period = p.period
-- joined on equalities alone, each side's level and period type a column of its own: a condition on the populations
-- row alone (p.period_type = 'month') in a LEFT JOIN's ON clause made DuckDB compare every row with every row (a
-- blockwise nested loop join; issue 17, perfq34)
LEFT JOIN (SELECT 'national' AS level, 'month' AS period_type, month, pcns_submitting FROM submitters) AS s
  ON s.level = p.level AND s.period_type = p.period_type AND s.month = p.period
LEFT JOIN (SELECT 'month' AS period_type, c.* FROM coverage AS c) AS c
  ON c.period_type = p.period_type AND c.level = p.level AND c.code = p.code AND c.month = p.period
ORDER BY p.level, p.code, p.period_type, p.period
