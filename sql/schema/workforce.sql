-- Generated from functions/contract/tables.ts by npm run contract:publish; do not edit.
-- Every accepted workforce snapshot row.
CREATE EXTERNAL TABLE IF NOT EXISTS workforce (
  `pcn_code` string COMMENT 'ODS code of the uploading Primary Care Network.',
  `role` string COMMENT 'splw link worker, hwbc health and wellbeing coach, cc care coordinator.',
  `headcount` int COMMENT 'People in post, 0-100. Optional: empty when not known.',
  `fte` double COMMENT 'Full-time equivalent in post, 0-100, at most headcount (when headcount is given).',
  `accredited_training_headcount` int COMMENT 'People in post who have completed accredited training, 0-headcount. Optional: empty when not known.',
  `vacancies_fte` double COMMENT 'Vacant posts, full-time equivalent, 0-100. Optional: empty when not known.',
  `upload_id` string COMMENT 'Upload that delivered the row (PCN + content hash).',
  `source_row` int COMMENT 'Row of the uploaded file, counting the CSV header as row 1.',
  `received_at` timestamp COMMENT 'When the upload landed; breaks ties between two versions of an event that carry the same recorded_at.'
)
PARTITIONED BY (`snapshot_month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/curated/workforce/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY',
  'projection.enabled' = 'true',
  'projection.snapshot_month.type' = 'date',
  'projection.snapshot_month.format' = 'yyyy-MM',
  'projection.snapshot_month.range' = '2019-01,NOW',
  'projection.snapshot_month.interval' = '1',
  'projection.snapshot_month.interval.unit' = 'MONTHS',
  'storage.location.template' = 's3://${bucket}/curated/workforce/snapshot_month=${snapshot_month}/'
);
