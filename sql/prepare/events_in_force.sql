-- Events in force: the latest version of every (pcn_code, event_id), with retracted events (any retraction ever
-- sent for them) and the retraction rows themselves removed, each carrying the PCN's ICB and region in force on the event date, its month and its
-- financial year (April to March, labelled 2024/25).
-- "Latest" does not depend on the order uploads arrive in: the later recorded_at wins; rows without one, or tied,
-- go by the upload that landed later (received_at), then the upload id and source row.
WITH ranked AS (
  SELECT
    e.*,
    row_number() OVER (
      PARTITION BY e.pcn_code, e.event_id
      ORDER BY e.recorded_at DESC NULLS LAST, e.received_at DESC, e.upload_id DESC, e.source_row DESC
    ) AS version_rank
  FROM events AS e
),

latest AS (
  SELECT * FROM ranked WHERE version_rank = 1
),

retracted AS (
  SELECT DISTINCT pcn_code, retracts_event_id AS event_id
  FROM events
  WHERE event_type = 'retraction'
),

financial_years AS (
  SELECT
    l.*,
    CASE WHEN month(l.occurred_on) >= 4 THEN year(l.occurred_on) ELSE year(l.occurred_on) - 1 END AS fy_start
  FROM latest AS l
  WHERE l.event_type <> 'retraction'
)

SELECT
  f.event_id,
  f.event_type,
  f.pcn_code,
  f.referral_id,
  f.person_id,
  f.occurred_on,
  f.referral_source,
  f.referral_reasons,
  f.snomed_code,
  f.age_band,
  f.sex,
  f.ethnicity_group,
  f.imd_decile,
  f.decline_reason,
  f.worker_role,
  f.activity_category,
  f.provider_id,
  f.attended,
  f.instrument,
  f.phase,
  f.score,
  f.service,
  f."window" AS service_window,
  f.window_months,
  f."count" AS service_count,
  f.discharge_reason,
  COALESCE(p.icb_code, 'UNKNOWN') AS icb_code,
  COALESCE(p.region_code, 'UNKNOWN') AS region_code,
  f.event_month AS month,
  CAST(f.fy_start AS VARCHAR) || '/' || substr(CAST(f.fy_start + 1 AS VARCHAR), 3, 2) AS fy
FROM financial_years AS f
LEFT JOIN pcns AS p
  ON p.pcn_code = f.pcn_code
  AND f.occurred_on >= p.valid_from
  AND (p.valid_to IS NULL OR f.occurred_on <= p.valid_to)
LEFT JOIN retracted AS r
  ON r.pcn_code = f.pcn_code AND r.event_id = f.event_id
WHERE r.event_id IS NULL
