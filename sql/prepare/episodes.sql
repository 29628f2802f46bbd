-- One row per accepted referral (an episode of care, SNOMED 871731000000106): where and when it began, who it
-- was for, and what followed it: contacts (link worker and other roles apart), an agreed plan, whether the person
-- engaged (a link worker contact on or after the referral date, with no decline recorded against the referral),
-- whether they connected (attended at least one community connection), and how it ended. docs/methodology.md.
WITH referral_events AS (
  -- A referral may be recorded by more than one referral event (say a re-referral months later, after the PCN moved
  -- ICB): the episode is the first event's, whole: its date, area, person and demographics together, an empty one
  -- (no imd_decile, say) included. Ordered by date, then event id, so that two events on one day give the same
  -- episode in every refresh and engine.
  SELECT
    pcn_code, referral_id, event_id, person_id, occurred_on, month, fy, icb_code, region_code, referral_source,
    referral_reasons, age_band, sex, ethnicity_group, imd_decile
  FROM events_in_force
  WHERE event_type = 'referral' AND snomed_code = '871731000000106'
),

-- Almost every referral has one referral event, which is its episode as it is: only the referrals with more than one
-- (or whose event the geography repeats) are put in order, not every referral (a window over every referral event
-- was the costliest part of this step at national scale; issue 17).
repeated AS (
  SELECT pcn_code, referral_id
  FROM referral_events
  GROUP BY pcn_code, referral_id
  HAVING count(*) > 1
),

first_events AS (
  SELECT
    pcn_code, referral_id, person_id, occurred_on, month, fy, icb_code, region_code, referral_source,
    referral_reasons, age_band, sex, ethnicity_group, imd_decile
  FROM (
    SELECT
      r.*,
      row_number() OVER (PARTITION BY r.pcn_code, r.referral_id ORDER BY r.occurred_on, r.event_id) AS event_no
    FROM referral_events AS r
    INNER JOIN repeated AS m
      ON m.pcn_code = r.pcn_code AND m.referral_id = r.referral_id
  ) AS ranked
  WHERE event_no = 1
),

referrals AS (
  SELECT
    r.pcn_code,
    r.referral_id,
    r.person_id,
    r.occurred_on AS referred_on,
    r.month,
    r.fy,
    r.icb_code,
    r.region_code,
    r.referral_source,
    r.referral_reasons,
    r.age_band,
    r.sex,
    r.ethnicity_group,
    r.imd_decile
  FROM referral_events AS r
  LEFT JOIN repeated AS m
    ON m.pcn_code = r.pcn_code AND m.referral_id = r.referral_id
  WHERE m.referral_id IS NULL

  UNION ALL

  SELECT
    pcn_code, referral_id, person_id, occurred_on AS referred_on, month, fy, icb_code, region_code, referral_source,
    referral_reasons, age_band, sex, ethnicity_group, imd_decile
  FROM first_events
),

-- The follow-ups are read from committed_events with events_in_force's own filter (no withdrawn row; none of these
-- kinds is a retraction), not from the view, which also joins every row to its geography (pcn_months): nothing here
-- reads it, and a reference that lists a PCN twice in a month would count each of its contacts twice (issue 17).
follow_ups AS (
  SELECT
    e.pcn_code,
    e.referral_id,
    count(*) FILTER (WHERE e.event_type = 'contact') AS contacts,
    count(*) FILTER (WHERE e.event_type = 'contact' AND e.worker_role = 'splw') AS splw_contacts,
    -- the latest: a link worker contact on or after the referral exists exactly when the latest is on or after it
    -- (the earliest would miss an episode with one contact dated before the referral and others after it)
    max(e.occurred_on) FILTER (WHERE e.event_type = 'contact' AND e.worker_role = 'splw') AS last_splw_contact_on,
    count(*) FILTER (WHERE e.event_type = 'declined') AS declines,
    count(*) FILTER (WHERE e.event_type = 'plan_agreed') AS plans,
    count(*) FILTER (WHERE e.event_type = 'community_connection') AS connections,
    count(*) FILTER (WHERE e.event_type = 'community_connection' AND e.attended) AS connections_attended,
    -- how it ended: the latest discharge (a person may be discharged, re-engage and be discharged again); two on one
    -- day go by the reason's name, so that every engine picks the same without reading every event's id (max_by in
    -- DuckDB and Trino alike)
    max_by(e.discharge_reason, CAST(e.occurred_on AS VARCHAR) || e.discharge_reason)
      FILTER (WHERE e.event_type = 'discharge') AS discharge_reason
  FROM committed_events AS e
  LEFT JOIN withdrawn AS w
    ON w.upload_id = e.upload_id AND w.source_row = e.source_row
  WHERE e.event_type IN ('contact', 'plan_agreed', 'community_connection', 'discharge', 'declined')
    AND w.upload_id IS NULL
    -- Up to the last complete month, as events_in_force (published_through; docs/methodology.md, "Data as of").
    AND e.event_month <= (SELECT month FROM published_through)
  GROUP BY e.pcn_code, e.referral_id
)

SELECT
  r.pcn_code,
  r.referral_id,
  r.person_id,
  r.referred_on,
  r.month,
  r.fy,
  r.icb_code,
  r.region_code,
  r.referral_source,
  r.referral_reasons,
  r.age_band,
  r.sex,
  r.ethnicity_group,
  r.imd_decile,
  COALESCE(f.contacts, 0) AS contacts,
  COALESCE(f.splw_contacts, 0) AS splw_contacts,
  COALESCE(f.contacts, 0) - COALESCE(f.splw_contacts, 0) AS other_contacts,
  COALESCE(f.last_splw_contact_on >= r.referred_on AND f.declines = 0, false) AS engaged,
  COALESCE(f.plans, 0) > 0 AS plan_agreed,
  COALESCE(f.connections, 0) AS connections,
  COALESCE(f.connections_attended, 0) > 0 AS connected,
  f.discharge_reason
FROM referrals AS r
LEFT JOIN follow_ups AS f
  ON f.pcn_code = r.pcn_code AND f.referral_id = r.referral_id
