-- Generated from functions/contract/tables.ts by npm run contract:publish; do not edit.
-- PCN to ICB to region, with list size, one row per period in force.
CREATE EXTERNAL TABLE IF NOT EXISTS pcns (
  `pcn_code` string COMMENT 'ODS code of the PCN.',
  `pcn_name` string COMMENT 'Name of the PCN.',
  `icb_code` string COMMENT 'ODS code of the ICB the PCN belongs to in this period.',
  `icb_name` string COMMENT 'Name of the ICB.',
  `region_code` string COMMENT 'NHS England region code (Y56-Y63).',
  `region_name` string COMMENT 'Name of the region.',
  `list_size` int COMMENT 'Registered patients.',
  `valid_from` date COMMENT 'First day in force.',
  `valid_to` date COMMENT 'Last day in force; null while current.'
)
STORED AS PARQUET
LOCATION 's3://${bucket}/curated/pcns/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY'
);
