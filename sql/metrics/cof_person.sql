-- Common Outcomes Framework, impact on the person, by the month or year of referral: take-up (referred people
-- who attended a community connection), plans agreed, contacts per person (total, and episodes with 6 to 12),
-- and how episodes ended. Medians and wellbeing change come from contacts_distribution and wellbeing.
SELECT
  CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
  COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
  CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
  COALESCE(month, fy) AS period,
  count(*) AS episodes,
  count(*) FILTER (WHERE took_up) AS took_up,
  count(*) FILTER (WHERE plan_agreed) AS plans_agreed,
  sum(contacts) AS contacts,
  count(*) FILTER (WHERE contacts BETWEEN 6 AND 12) AS episodes_6_to_12_contacts,
  count(*) FILTER (WHERE discharge_reason IS NOT NULL) AS discharged,
  count(*) FILTER (WHERE discharge_reason = 'goals_met') AS discharge_goals_met,
  count(*) FILTER (WHERE discharge_reason = 'connected_to_support') AS discharge_connected_to_support,
  count(*) FILTER (WHERE discharge_reason = 'declined') AS discharge_declined,
  count(*) FILTER (WHERE discharge_reason = 'disengaged') AS discharge_disengaged,
  count(*) FILTER (WHERE discharge_reason = 'moved_away') AS discharge_moved_away,
  count(*) FILTER (WHERE discharge_reason = 'referred_elsewhere') AS discharge_referred_elsewhere,
  count(*) FILTER (WHERE discharge_reason = 'died') AS discharge_died,
  count(*) FILTER (WHERE discharge_reason = 'other') AS discharge_other
FROM episodes
GROUP BY GROUPING SETS (
  (month), (fy), (region_code, month), (region_code, fy), (icb_code, month), (icb_code, fy), (pcn_code, month), (pcn_code, fy)
)
ORDER BY level, code, period_type, period
