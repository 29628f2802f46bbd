-- PCN-periods in more than one ICB or region: each PCN with events in force in a month, in the ICB and region that
-- month's geography gives its events (pcn_months; a month it was not in force has none and its events are in no
-- figure, as events_in_force leaves them out: review 7, M10),
-- by month and financial year, where a period spans more than one. Rollout, wellbeing and equity count a person once
-- per PCN, ICB and region and add those counts up; a PCN listed here has its people counted distinct at each level
-- instead, since one person can be on both sides of the move. Built once from event_months (a few rows per PCN) for
-- all three, instead of each grouping its people by PCN and period again (issue 17). It lists every PCN-period whose
-- referrals or wellbeing pairs fall in more than one ICB or region, and may list more (events of other kinds): a
-- PCN listed whose people are all in one area gets the same counts either way.
WITH places AS (
  SELECT
    e.pcn_code,
    e.month,
    CAST(CAST(substr(e.month, 1, 4) AS INTEGER) - CASE WHEN CAST(substr(e.month, 6, 2) AS INTEGER) >= 4 THEN 0 ELSE 1 END AS VARCHAR)
      || '/'
      || substr(CAST(CAST(substr(e.month, 1, 4) AS INTEGER) + CASE WHEN CAST(substr(e.month, 6, 2) AS INTEGER) >= 4 THEN 1 ELSE 0 END AS VARCHAR), 3, 2) AS fy,
    p.icb_code,
    p.region_code
  FROM event_months AS e
  INNER JOIN pcn_months AS p
    ON p.pcn_code = e.pcn_code AND p.month = e.month
  WHERE e.month <= (SELECT month FROM published_through)
)

SELECT
  t.period_type,
  CASE t.period_type WHEN 'month' THEN e.month ELSE e.fy END AS period,
  e.pcn_code
FROM places AS e
CROSS JOIN (SELECT DISTINCT period_type FROM rollups) AS t
GROUP BY 1, 2, 3
HAVING count(DISTINCT e.icb_code) > 1 OR count(DISTINCT e.region_code) > 1
