-- Referral sources and reasons: accepted referrals by who referred (one column per source, adding up to
-- referrals) and by reason (a referral may give several reasons, so those columns need not add up), and how many
-- kinds of source each area receives referrals from. Counted once per PCN and month, each source and reason in its
-- column, then added up for every area and period (rollups); the kinds of source of an area and period are its source
-- columns above 0 (referral_source is one of these eleven: the contract's REFERRAL_SOURCES, required on a referral).
-- (Counted per PCN, month and source before, every area and period's rows then grouped with a distinct count of the
-- source: this query on the 25% layout, both versions alternated in one process at load 16, 0.31-0.32 CPU s before,
-- 0.18-0.19 after; national, one process at load 8-20, 3.68 and 2.67; the same rows; issue 17.)
-- A reason is counted where its name is in the referral's list (strpos): the contract's reasons are a ;-separated list
-- of its REFERRAL_REASONS (functions/contract/fields.ts), none of whose names is part of another's
-- (test/unit/referral-reasons.test.ts), so a name is in the list exactly where the reason is. Not the list wrapped in
-- ;s and ';name;' looked for: a new string for every referral, 18% of this query's CPU nationally (issue 17, met38).
-- Each count a sum of 1s and 0s, not a count(*) FILTER: DuckDB evaluates each FILTER apart over the whole chunk
-- (issue 17, perfq34).
WITH places AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy,
    count(*) AS referrals,
    CAST(sum(CASE WHEN referral_source = 'gp' THEN 1 ELSE 0 END) AS BIGINT) AS source_gp,
    CAST(sum(CASE WHEN referral_source = 'practice_staff' THEN 1 ELSE 0 END) AS BIGINT) AS source_practice_staff,
    CAST(sum(CASE WHEN referral_source = 'other_primary_care' THEN 1 ELSE 0 END) AS BIGINT) AS source_other_primary_care,
    CAST(sum(CASE WHEN referral_source = 'secondary_care' THEN 1 ELSE 0 END) AS BIGINT) AS source_secondary_care,
    CAST(sum(CASE WHEN referral_source = 'local_authority' THEN 1 ELSE 0 END) AS BIGINT) AS source_local_authority,
    CAST(sum(CASE WHEN referral_source = 'social_care' THEN 1 ELSE 0 END) AS BIGINT) AS source_social_care,
    CAST(sum(CASE WHEN referral_source = 'vcse' THEN 1 ELSE 0 END) AS BIGINT) AS source_vcse,
    CAST(sum(CASE WHEN referral_source = 'housing' THEN 1 ELSE 0 END) AS BIGINT) AS source_housing,
    CAST(sum(CASE WHEN referral_source = 'police' THEN 1 ELSE 0 END) AS BIGINT) AS source_police,
    CAST(sum(CASE WHEN referral_source = 'self' THEN 1 ELSE 0 END) AS BIGINT) AS source_self,
    CAST(sum(CASE WHEN referral_source = 'other' THEN 1 ELSE 0 END) AS BIGINT) AS source_other,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'mental_health') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_mental_health,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'loneliness_isolation') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_loneliness_isolation,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'long_term_condition') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_long_term_condition,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'financial_debt') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_financial_debt,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'housing') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_housing,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'employment') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_employment,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'physical_activity') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_physical_activity,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'weight_management') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_weight_management,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'carer_support') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_carer_support,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'bereavement') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_bereavement,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'substance_use') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_substance_use,
    CAST(sum(CASE WHEN strpos(referral_reasons, 'other') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_other
  FROM episodes
  GROUP BY pcn_code, icb_code, region_code, month, fy
)

SELECT
  r.level,
  CASE r.level WHEN 'pcn' THEN s.pcn_code WHEN 'icb' THEN s.icb_code WHEN 'region' THEN s.region_code ELSE 'ENG' END AS code,
  r.period_type,
  CASE r.period_type WHEN 'month' THEN s.month ELSE s.fy END AS period,
  sum(s.referrals) AS referrals,
  CAST(
    CASE WHEN sum(s.source_gp) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_practice_staff) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_other_primary_care) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_secondary_care) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_local_authority) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_social_care) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_vcse) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_housing) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_police) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_self) > 0 THEN 1 ELSE 0 END
    + CASE WHEN sum(s.source_other) > 0 THEN 1 ELSE 0 END
  AS BIGINT) AS source_types,
  sum(s.source_gp) AS source_gp,
  sum(s.source_practice_staff) AS source_practice_staff,
  sum(s.source_other_primary_care) AS source_other_primary_care,
  sum(s.source_secondary_care) AS source_secondary_care,
  sum(s.source_local_authority) AS source_local_authority,
  sum(s.source_social_care) AS source_social_care,
  sum(s.source_vcse) AS source_vcse,
  sum(s.source_housing) AS source_housing,
  sum(s.source_police) AS source_police,
  sum(s.source_self) AS source_self,
  sum(s.source_other) AS source_other,
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
FROM places AS s
CROSS JOIN rollups AS r
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
