-- Each referral's wellbeing pair on its headline instrument: the first of its instruments in headline_rank's order
-- (SWEMWBS, WEMWBS, ONS4 life satisfaction, PAM, MYCaW, then the other ONS4 items: wellbeing_pairs.sql), one row per
-- referral with a pair, with the episode's columns the pair carries and whether it improved. The measures pooled
-- across instruments ("improved on their instrument": equity, cof_person) read it, so the pairs are put in that order
-- once per refresh, not grouped by referral again in every one of them (issue 17: each grouped about 2.8 million pairs
-- nationally, a fifth of each query). Each instrument has its own rank, so a referral's first is one pair.
SELECT
  pcn_code, icb_code, region_code, month, fy,
  referred_on,
  person_id,
  imd_decile,
  ethnicity_group,
  age_band,
  sex,
  referral_id,
  improved,
  outcome_observed
FROM (
  SELECT
    p.*,
    row_number() OVER (PARTITION BY p.pcn_code, p.referral_id ORDER BY p.headline_rank) AS instrument_order
  FROM wellbeing_pairs AS p
) AS ranked
WHERE instrument_order = 1
