-- The geography in force over time: every PCN version with its ICB, region and list size (for names, parents
-- and scoping).
SELECT pcn_code, pcn_name, icb_code, icb_name, region_code, region_name, list_size, valid_from, valid_to
FROM pcns
ORDER BY pcn_code, valid_from
