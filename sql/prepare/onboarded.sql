-- Each PCN's first month with events in force (event_months) up to the last complete month (published_through): the
-- month it is onboarded. Uploads roll out in waves, and a PCN of a later wave has sent nothing yet, which is no count of
-- 0, so a PCN's list counts in a denominator only from this month, as the data-as-of rule counts PCNs onboarded
-- (docs/methodology.md, "Data as of" and "PCNs open part of a period"; red-team review 6, K8). One definition for
-- every step that needs it: populations.sql (rollout's and workforce's lists), pcn_comparison.sql (the months a PCN is
-- compared over) and equity.sql (the lists by deprivation quintile). A PCN that has sent nothing has no row.
SELECT pcn_code, min(month) AS first_month
FROM event_months
-- No month after the last complete one, as pcn_months (a PCN whose first events are in a month not yet published is
-- not onboarded yet).
WHERE month <= (SELECT month FROM published_through)
GROUP BY pcn_code
