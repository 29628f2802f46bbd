A="read_parquet('/tmp/pingest-keep/ours/**/*.parquet', hive_partitioning=true)"
B="read_parquet('/tmp/pingest-keep/baseline/**/*.parquet', hive_partitioning=true)"
node .q.mjs "select (select count(*) from (select * exclude (received_at) from $A except all select * exclude (received_at) from $B)) a_not_b, (select count(*) from (select * exclude (received_at) from $B except all select * exclude (received_at) from $A)) b_not_a, (select count(*) from $A) a, (select count(*) from $B) b"
