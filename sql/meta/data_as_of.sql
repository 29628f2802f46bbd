-- How current the figures are: the latest event date and month in force, and the months with data.
SELECT
  max(last_occurred_on) AS data_as_of,
  max(month) AS latest_month,
  min(month) AS first_month,
  count(DISTINCT month) AS months
FROM event_months
