-- The areas and periods every area-by-period figure is published for: England, each region, ICB and PCN, each by
-- month and by financial year. A metric counts its rows once at the finest grain (a PCN with its ICB and region, a
-- month and its year) and joins that to these eight rows to add it up for every area and period: one plain GROUP BY
-- over a few thousand rows. (GROUPING SETS over the rows themselves cost two to five times the CPU on DuckDB, which keeps
-- a hash table per grouping set and evaluates every aggregate, FILTER included, in each: duckdb/duckdb#2461, #10450;
-- measured in issue 17.) The metrics group by the output columns' ordinals (GROUP BY 1, 2, 3, 4), which Trino accepts:
-- "an ordinal number selecting an output column by position (starting at one)" (https://trino.io/docs/current/sql/select.html,
-- GROUP BY clause), as DuckDB does.
SELECT level, period_type
FROM (
  VALUES
    ('national', 'month'),
    ('national', 'fy'),
    ('region', 'month'),
    ('region', 'fy'),
    ('icb', 'month'),
    ('icb', 'fy'),
    ('pcn', 'month'),
    ('pcn', 'fy')
) AS r (level, period_type)
