-- Referral sources and reasons: accepted referrals by who referred (one column per source, adding up to
-- referrals) and by reason (a referral may give several reasons, so those columns need not add up), and how many
-- kinds of source each area receives referrals from. Counted once per PCN, month and source, then added up for every
-- area and period (rollups): each source's column is made there, from the few rows of that source, not by a filtered
-- count of every referral per source.
WITH referrals AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, referral_source,
    ';' || referral_reasons || ';' AS reasons
  FROM episodes
),

sources AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy,
    referral_source,
    count(*) AS referrals,
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
  GROUP BY pcn_code, icb_code, region_code, month, fy, referral_source
)

SELECT
  r.level,
  CASE r.level WHEN 'pcn' THEN s.pcn_code WHEN 'icb' THEN s.icb_code WHEN 'region' THEN s.region_code ELSE 'ENG' END AS code,
  r.period_type,
  CASE r.period_type WHEN 'month' THEN s.month ELSE s.fy END AS period,
  sum(s.referrals) AS referrals,
  count(DISTINCT s.referral_source) AS source_types,
  sum(CASE WHEN s.referral_source = 'gp' THEN s.referrals ELSE 0 END) AS source_gp,
  sum(CASE WHEN s.referral_source = 'practice_staff' THEN s.referrals ELSE 0 END) AS source_practice_staff,
  sum(CASE WHEN s.referral_source = 'other_primary_care' THEN s.referrals ELSE 0 END) AS source_other_primary_care,
  sum(CASE WHEN s.referral_source = 'secondary_care' THEN s.referrals ELSE 0 END) AS source_secondary_care,
  sum(CASE WHEN s.referral_source = 'local_authority' THEN s.referrals ELSE 0 END) AS source_local_authority,
  sum(CASE WHEN s.referral_source = 'social_care' THEN s.referrals ELSE 0 END) AS source_social_care,
  sum(CASE WHEN s.referral_source = 'vcse' THEN s.referrals ELSE 0 END) AS source_vcse,
  sum(CASE WHEN s.referral_source = 'housing' THEN s.referrals ELSE 0 END) AS source_housing,
  sum(CASE WHEN s.referral_source = 'police' THEN s.referrals ELSE 0 END) AS source_police,
  sum(CASE WHEN s.referral_source = 'self' THEN s.referrals ELSE 0 END) AS source_self,
  sum(CASE WHEN s.referral_source = 'other' THEN s.referrals ELSE 0 END) AS source_other,
  sum(s.reason_mental_health) AS reason_mental_health,
  sum(s.reason_loneliness_isolation) AS reason_loneliness_isolation,
  sum(s.reason_long_term_condition) AS reason_long_term_condition,
  sum(s.reason_financial_debt) AS reason_financial_debt,
  sum(s.reason_housing) AS reason_housing,
  sum(s.reason_employment) AS reason_employment,
  sum(s.reason_physical_activity) AS reason_physical_activity,
  sum(s.reason_weight_management) AS reason_weight_management,
  sum(s.reason_carer_support) AS reason_carer_support,
  sum(s.reason_bereavement) AS reason_bereavement,
  sum(s.reason_substance_use) AS reason_substance_use,
  sum(s.reason_other) AS reason_other
FROM sources AS s
CROSS JOIN rollups AS r
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
