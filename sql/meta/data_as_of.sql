-- How complete each month with events is (docs/methodology.md, "Data as of"), counted over the PCNs open on its first
-- day (in force in the reference data, as pcn_months counts them):
-- - pcns_open: all of them;
-- - pcns_onboarded: those whose reporting began in this month or an earlier one (onboarded.sql's first_month: the
--   first month of their sustained reporting, uploading automatically by then; a PCN of a later rollout wave is not
--   expected before its first month, and a stray event dated years earlier does not onboard it: review 7, M5);
-- - pcns_stopped: those of pcns_onboarded whose extract has stopped (table stopped_pcns: meta/stopped_pcns.sql) before
--   this month, their last month reported before it (sending_pcns' sending_to before it). A month does not wait for them: the rule's denominator is
--   pcns_onboarded - pcns_stopped, the PCNs still sending. A PCN only late is waited for (up to the allowance);
-- - pcns_submitting: those that sent at least one event in force dated in it, in their reporting span (event_months
--   from first_month to onboarded's last_month, as rollout counts PCNs submitting): a file received mid-month with rows
--   of that month does not count the month as sent (its span ends at the month before: review 18, R18-4; review 20,
--   R20-8); each has onboarded, and none has stopped;
-- - list_sending: the registered list of the PCNs still sending (onboarded, not stopped: the month in their
--   sending_pcns span, as rollout's pcns_expected counts them), late ones included: the list
--   England's year-end projection is made at (projection.ts; red-team review 16, R16-2: rollout's list_size counts a
--   PCN only once its extract for the month has come, so the PCNs late for the latest month were left out of it);
-- - list_continuing: of list_sending, the PCNs still open on the next month's first day (a version of it in force
--   then: a new version from that day, a new list size, name or ICB, is the same PCN still open; review 20, R20-4):
--   the list the months to come are projected at. A PCN closing at the end of the month sends that month, and no more.
-- The months are those some PCN reports in: a month with only stray events (before their PCN's reporting) is none.
-- functions/refresh/data-as-of.ts reads the last complete month from these and publishes every month up to it
-- (published_through); the last month here is the one meta/stopped_extracts.sql names the stopped PCNs of.
WITH months AS (
  SELECT DISTINCT e.month
  FROM event_months AS e
  INNER JOIN onboarded AS o
    ON o.pcn_code = e.pcn_code AND e.month >= o.first_month
)

SELECT
  m.month,
  count(DISTINCT s.pcn_code) AS pcns_submitting,
  count(DISTINCT CASE WHEN g.sending_from <= m.month THEN p.pcn_code END) AS pcns_onboarded,
  count(DISTINCT CASE WHEN g.sending_from <= m.month AND g.sending_to < m.month THEN p.pcn_code END) AS pcns_stopped,
  count(DISTINCT p.pcn_code) AS pcns_open,
  -- one row per PCN open (pcns: one row in force a day; event_months: one row per PCN and month)
  sum(CASE WHEN m.month BETWEEN g.sending_from AND g.sending_to THEN p.list_size END) AS list_sending,
  sum(CASE
    WHEN m.month BETWEEN g.sending_from AND g.sending_to
      AND q.pcn_code IS NOT NULL
      THEN p.list_size
  END) AS list_continuing
FROM months AS m
LEFT JOIN pcns AS p
  ON p.valid_from <= CAST(m.month || '-01' AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(m.month || '-01' AS DATE))
-- an open version (valid_to NULL) as valid to the last day there is: the join's conditions are then an equality and
-- two comparisons, which DuckDB joins by the PCN, where the OR made it compare every PCN open in every month with every
-- version of every PCN (a blockwise nested loop join; issue 17, as workforce's pcn_lists)
LEFT JOIN (
  SELECT pcn_code, valid_from, COALESCE(valid_to, DATE '9999-12-31') AS valid_to
  FROM pcns
) AS q
  ON q.pcn_code = p.pcn_code
  AND q.valid_from <= CAST(CAST(m.month || '-01' AS DATE) + INTERVAL '1' MONTH AS DATE)
  AND q.valid_to >= CAST(CAST(m.month || '-01' AS DATE) + INTERVAL '1' MONTH AS DATE)
LEFT JOIN sending_pcns AS g
  ON g.pcn_code = p.pcn_code
LEFT JOIN onboarded AS o
  ON o.pcn_code = p.pcn_code
LEFT JOIN event_months AS s
  ON s.pcn_code = p.pcn_code AND s.month = m.month AND s.month >= g.sending_from AND s.month <= o.last_month
GROUP BY m.month
ORDER BY m.month
