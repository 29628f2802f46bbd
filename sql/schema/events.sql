-- Generated from functions/contract/tables.ts by npm run contract:publish; do not edit.
-- Every accepted event row as uploaded, corrections and retractions included.
CREATE EXTERNAL TABLE IF NOT EXISTS events (
  `event_id` string COMMENT 'Unique id of this event within the PCN. A later upload with the same id replaces the earlier row.',
  `event_type` string COMMENT 'What happened; decides which other fields apply.',
  `pcn_code` string COMMENT 'ODS code of the uploading Primary Care Network (U + 5 digits). Must equal the uploader''s PCN.',
  `practice_code` string COMMENT 'ODS code of the GP practice (one letter + 5 digits). Optional.',
  `referral_id` string COMMENT 'Identifies the episode of care that this event belongs to. On a declined event: the referral''s referral_id if the person was referred and then declined; if an offer was declined with no referral, an id no referral has.',
  `person_id` string COMMENT 'Pseudonymous person id: HMAC-SHA256 of the NHS number under the PCN''s secret key, made before upload. Never the NHS number itself.',
  `occurred_on` date COMMENT 'Date the event happened, YYYY-MM-DD; not before 2019-01-01 and not in the future.',
  `recorded_at` timestamp COMMENT 'Optional. When the row was last changed in the PCN''s system (ISO 8601 with a time zone; kept and compared to the millisecond). Of two rows with the same event_id, the one with the later recorded_at wins, whatever order they arrive in. Not more than a day after the upload is received (a row stamped later is refused as future_date).',
  `referral_source` string COMMENT 'Who referred the person (referral).',
  `referral_reasons` string COMMENT 'Why the person was referred, ;-separated (referral).',
  `snomed_code` string COMMENT 'SNOMED CT code: 871731000000106 on a referral, 871711000000103 on a decline.',
  `age_band` string COMMENT 'Age band at referral (referral).',
  `sex` string COMMENT 'Sex (referral).',
  `ethnicity_group` string COMMENT 'Ethnicity group (referral).',
  `imd_decile` int COMMENT 'Index of Multiple Deprivation decile of the person''s area, 1 = most deprived (referral). Optional.',
  `long_term_conditions` int COMMENT 'Number of long-term conditions, 0-20 (referral). Optional.',
  `decline_reason` string COMMENT 'Why the person declined (declined). Optional.',
  `contact_mode` string COMMENT 'How the contact took place (contact).',
  `worker_role` string COMMENT 'Role of the worker: splw link worker, hwbc health and wellbeing coach, cc care coordinator (contact, plan_agreed).',
  `duration_minutes` int COMMENT 'Length of the contact in minutes, 1-600 (contact).',
  `activity_category` string COMMENT 'Kind of community activity the person was connected to (community_connection).',
  `provider_id` string COMMENT 'Pseudonymous or registered-charity id of the organisation receiving the referral (community_connection).',
  `attended` boolean COMMENT 'Whether the person went to the first session: true or false (community_connection). Before the first session has been, send false; once the person has gone, send the event again (the same event_id) with a later recorded_at, as any correction. Attendance is published for connections made at least a month before the data-as-of date, so a correction sent with the next month''s file is counted.',
  `instrument` string COMMENT 'Validated wellbeing instrument (wellbeing_measure).',
  `phase` string COMMENT 'baseline or follow_up (wellbeing_measure).',
  `score` double COMMENT 'Score within the instrument''s range (wellbeing_measure).',
  `service` string COMMENT 'Health or care service counted (service_use).',
  `window` string COMMENT 'Window before or after the referral date (service_use). A before window ends on the referral date; an after window starts on it and ends window_months later: date an after row (occurred_on) on or after that end, or it is not counted.',
  `window_months` int COMMENT 'Length of the window in months: 3, 6 or 12 (service_use). Each length is a window of its own: counts of different lengths are never added together. The published figures (before and after referral) count the 6-month windows alone: send a before and an after row of 6 months for each service; rows of 3 or 12 months are accepted and kept, in no published figure, and the upload''s receipt says how many and which rows (note service_use_window_not_counted).',
  `count` int COMMENT 'Uses of the service in the whole window, 0-500 (service_use), not the uses so far. One per referral, service, window and window_months: the latest row counts (latest occurred_on, then recorded_at, then the larger count), whatever its event_id.',
  `discharge_reason` string COMMENT 'Why the episode ended (discharge).',
  `retracts_event_id` string COMMENT 'The event_id, previously sent by this PCN, that this row withdraws from every metric (retraction).',
  `upload_id` string COMMENT 'Upload that delivered the row (PCN + content hash).',
  `source_row` int COMMENT 'Row of the uploaded file, counting the CSV header as row 1.',
  `received_at` timestamp COMMENT 'When the upload landed; breaks ties between two versions of an event that carry the same recorded_at.'
)
PARTITIONED BY (`event_month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/curated/events/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY',
  'projection.enabled' = 'true',
  'projection.event_month.type' = 'date',
  'projection.event_month.format' = 'yyyy-MM',
  'projection.event_month.range' = '2019-01,NOW',
  'projection.event_month.interval' = '1',
  'projection.event_month.interval.unit' = 'MONTHS',
  'storage.location.template' = 's3://${bucket}/curated/events/event_month=${event_month}/'
);
