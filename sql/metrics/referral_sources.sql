-- Referral sources and reasons: accepted referrals by who referred (one column per source, adding up to
-- referrals) and by reason (a referral may give several reasons, so those columns need not add up), and how many
-- kinds of source each area receives referrals from.
WITH referrals AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, referral_source,
    ';' || referral_reasons || ';' AS reasons
  FROM episodes
)

SELECT
  CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
  COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
  CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
  COALESCE(month, fy) AS period,
  count(*) AS referrals,
  count(DISTINCT referral_source) AS source_types,
  count(*) FILTER (WHERE referral_source = 'gp') AS source_gp,
  count(*) FILTER (WHERE referral_source = 'practice_staff') AS source_practice_staff,
  count(*) FILTER (WHERE referral_source = 'other_primary_care') AS source_other_primary_care,
  count(*) FILTER (WHERE referral_source = 'secondary_care') AS source_secondary_care,
  count(*) FILTER (WHERE referral_source = 'local_authority') AS source_local_authority,
  count(*) FILTER (WHERE referral_source = 'social_care') AS source_social_care,
  count(*) FILTER (WHERE referral_source = 'vcse') AS source_vcse,
  count(*) FILTER (WHERE referral_source = 'housing') AS source_housing,
  count(*) FILTER (WHERE referral_source = 'police') AS source_police,
  count(*) FILTER (WHERE referral_source = 'self') AS source_self,
  count(*) FILTER (WHERE referral_source = 'other') AS source_other,
  count(*) FILTER (WHERE strpos(reasons, ';mental_health;') > 0) AS reason_mental_health,
  count(*) FILTER (WHERE strpos(reasons, ';loneliness_isolation;') > 0) AS reason_loneliness_isolation,
  count(*) FILTER (WHERE strpos(reasons, ';long_term_condition;') > 0) AS reason_long_term_condition,
  count(*) FILTER (WHERE strpos(reasons, ';financial_debt;') > 0) AS reason_financial_debt,
  count(*) FILTER (WHERE strpos(reasons, ';housing;') > 0) AS reason_housing,
  count(*) FILTER (WHERE strpos(reasons, ';employment;') > 0) AS reason_employment,
  count(*) FILTER (WHERE strpos(reasons, ';physical_activity;') > 0) AS reason_physical_activity,
  count(*) FILTER (WHERE strpos(reasons, ';weight_management;') > 0) AS reason_weight_management,
  count(*) FILTER (WHERE strpos(reasons, ';carer_support;') > 0) AS reason_carer_support,
  count(*) FILTER (WHERE strpos(reasons, ';bereavement;') > 0) AS reason_bereavement,
  count(*) FILTER (WHERE strpos(reasons, ';substance_use;') > 0) AS reason_substance_use,
  count(*) FILTER (WHERE strpos(reasons, ';other;') > 0) AS reason_other
FROM referrals
GROUP BY GROUPING SETS (
  (month), (fy), (region_code, month), (region_code, fy), (icb_code, month), (icb_code, fy), (pcn_code, month), (pcn_code, fy)
)
ORDER BY level, code, period_type, period
