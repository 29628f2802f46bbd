-- Common Outcomes Framework, impact on the health and care system: for people with both a before and an after
-- window of the same service, GP appointments and A&E attendances before and after referral, by the month or
-- year of referral. The percentage change is derived from the totals (expectation: -14% GP, -12% A&E).
WITH windows AS (
  SELECT
    pcn_code,
    referral_id,
    service,
    sum(service_count) FILTER (WHERE service_window = 'before') AS before_count,
    sum(service_count) FILTER (WHERE service_window = 'after') AS after_count
  FROM events_in_force
  WHERE event_type = 'service_use' AND service IN ('gp_appointment', 'ae_attendance')
  GROUP BY pcn_code, referral_id, service
),

paired AS (
  SELECT e.pcn_code, e.icb_code, e.region_code, e.month, e.fy, w.service, w.before_count, w.after_count
  FROM windows AS w
  INNER JOIN episodes AS e
    ON e.pcn_code = w.pcn_code AND e.referral_id = w.referral_id
  WHERE w.before_count IS NOT NULL AND w.after_count IS NOT NULL
)

SELECT
  CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
  COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
  CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
  COALESCE(month, fy) AS period,
  service,
  count(*) AS people,
  sum(before_count) AS before_total,
  sum(after_count) AS after_total
FROM paired
GROUP BY GROUPING SETS (
  (service, month), (service, fy), (region_code, service, month), (region_code, service, fy),
  (icb_code, service, month), (icb_code, service, fy), (pcn_code, service, month), (pcn_code, service, fy)
)
ORDER BY level, code, period_type, period, service
