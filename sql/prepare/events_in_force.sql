-- Events in force: every event row that no later version superseded and no retraction withdrew (withdrawn; retraction
-- rows themselves left out), each with the ICB and region its PCN belonged to in the event's month (pcn_months), its
-- month and its financial year (April to March, labelled 2024/25). A view over the curated events: each metric reads
-- only its columns. The geography is joined on (PCN, month), an equality, not on the date range of each version.
-- An event dated in a month when its PCN is not in force (a closed PCN's late export; a new PCN's history from before
-- it opened) has no geography: it is left out here, so out of every figure at every level, England included, and
-- the levels add up (red-team review 7, M10); data_quality lists them (meta/out_of_force). So is an event dated
-- outside its PCN's reporting span (pcn_months' `reporting`: a stray event dated before the months it reports, one
-- dated 2019; review 7, M5 and M15), listed by meta/outside_reporting and data_quality.
SELECT
  e.event_id,
  e.event_type,
  e.pcn_code,
  e.referral_id,
  e.person_id,
  e.occurred_on,
  e.referral_source,
  e.referral_reasons,
  e.snomed_code,
  e.age_band,
  e.sex,
  e.ethnicity_group,
  e.imd_decile,
  e.decline_reason,
  e.worker_role,
  e.activity_category,
  e.provider_id,
  e.attended,
  e.instrument,
  e.phase,
  e.score,
  e.service,
  e."window" AS service_window,
  e.window_months,
  e."count" AS service_count,
  e.discharge_reason,
  p.icb_code,
  p.region_code,
  e.event_month AS month,
  CAST(year(e.occurred_on) - CASE WHEN month(e.occurred_on) >= 4 THEN 0 ELSE 1 END AS VARCHAR)
    || '/'
    || substr(CAST(year(e.occurred_on) + CASE WHEN month(e.occurred_on) >= 4 THEN 1 ELSE 0 END AS VARCHAR), 3, 2) AS fy
FROM committed_events AS e
-- joined on the row's kind too: a reader of one kind (episodes' referrals, rollout's declines) holds only that kind's
-- withdrawn rows in the join (withdrawn.sql; issue 17)
LEFT JOIN withdrawn AS w
  ON w.upload_id = e.upload_id AND w.source_row = e.source_row AND w.event_type = e.event_type
INNER JOIN pcn_months AS p
  ON p.pcn_code = e.pcn_code AND p.month = e.event_month AND p.reporting
WHERE e.event_type <> 'retraction'
  AND w.upload_id IS NULL
  -- Up to the last complete month (published_through; docs/methodology.md, "Data as of"): later events wait.
  AND e.event_month <= (SELECT month FROM published_through)
