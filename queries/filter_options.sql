-- One row: one (dimension, code) pair present in the data, with how many acts
-- carry it, so the sidebar offers only values that can match something.
-- Parameters: none.
select 'country' as dimension, country_code as code, count(*) as act_count from act_facts group by all
union all
select 'region', region, count(*) from act_facts group by all
union all
select 'subregion', subregion, count(*) from act_facts group by all
union all
select 'year', cast(year as varchar), count(*) from act_facts where year >= 0 group by all
union all
select 'violation', violation_code, count(*) from act_facts group by all
union all
select 'violation_category', violation_category, count(*) from act_facts group by all
union all
select 'actor_type', code, count(*) from (select unnest(actor_type_codes) as code from act_facts) group by all
union all
select 'actor_group', code, count(*) from (select unnest(actor_group_codes) as code from act_facts) group by all
union all
select 'sector', code, count(*) from (select unnest(sector_codes) as code from act_facts) group by all
union all
select 'gender', gender_code, count(*) from act_facts group by all
order by dimension, act_count desc
