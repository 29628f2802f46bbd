-- Generated from functions/contract/tables.ts by npm run contract:publish; do not edit.
-- One row per upload receipt.
CREATE EXTERNAL TABLE IF NOT EXISTS uploads (
  `upload_id` string COMMENT 'PCN + content hash.',
  `pcn_code` string COMMENT 'The sending PCN.',
  `kind` string COMMENT 'events or workforce (null when the file could not be read).',
  `status` string COMMENT 'accepted, partially_accepted or rejected.',
  `received_at` timestamp COMMENT 'When the upload landed.',
  `rows_read` int COMMENT 'Rows read.',
  `rows_accepted` int COMMENT 'Rows accepted.',
  `rows_rejected` int COMMENT 'Rows rejected.',
  `file_error` string COMMENT 'Why the whole file was refused, if it was.',
  `rejected_invalid` int COMMENT 'Rows rejected for a missing, malformed or out-of-range value.',
  `rejected_duplicate` int COMMENT 'Rows rejected as a repeated event id or snapshot.',
  `rejected_other` int COMMENT 'Rows rejected for any other reason.'
)
STORED AS PARQUET
LOCATION 's3://${bucket}/curated/uploads/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY'
);
