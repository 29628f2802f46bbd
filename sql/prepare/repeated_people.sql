-- People referred more than once in a PCN-year (episodes; a person_id is a keyed hash under its PCN's own key, so it
-- never belongs to two PCNs: equity.sql), once each. Rollout, workforce and equity count the people referred in an area
-- and period as its referrals less each person's repeats there, so only these people's referrals are grouped by
-- person_id in them, and every referral is grouped by person once here, not once in each (issue 17: national, 1.41
-- CPU s here; rollout, workforce and equity 21.82 -> 13.47 CPU s in one process at load 8-20).
SELECT pcn_code, fy, person_id
FROM episodes
GROUP BY pcn_code, fy, person_id
HAVING count(*) > 1
