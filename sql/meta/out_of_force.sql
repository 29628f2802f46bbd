-- Events and workforce snapshots dated in a month when their PCN is not in force, by PCN and month, for the refresh's
-- log (functions/refresh/refresh.ts, describeOutOfForce): the prepare table out_of_force (sql/prepare/out_of_force.sql),
-- which data_quality groups by PCN.
SELECT pcn_code, month, events, snapshot_rows
FROM out_of_force
ORDER BY pcn_code, month
