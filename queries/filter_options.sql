-- One row: one (dimension, code) pair present in the data, with how many acts
-- carry it, so the sidebar offers only values that can match something.
-- Counted from fact_cells (acts pre-counted per place-time cell and code, see
-- refresh_act_facts.sql), so a server's first page does not scan every act.
-- Parameters: none.
select 'country' as dimension, country_code as code, cast(sum(act_count) as bigint) as act_count
from fact_cells group by all
union all
select 'region', region, cast(sum(act_count) as bigint) from fact_cells group by all
union all
select 'subregion', subregion, cast(sum(act_count) as bigint) from fact_cells group by all
union all
select 'year', cast(year as varchar), cast(sum(act_count) as bigint) from fact_cells where year >= 0 group by all
union all
select 'violation', u.cell.code, cast(sum(u.cell.act_count) as bigint) from fact_cells, unnest(violation_cells) as u(cell) group by all
union all
select 'violation_category', u.cell.code, cast(sum(u.cell.act_count) as bigint)
from fact_cells, unnest(violation_category_cells) as u(cell) group by all
union all
select 'actor_type', u.cell.code, cast(sum(u.cell.act_count) as bigint) from fact_cells, unnest(actor_type_cells) as u(cell) group by all
union all
select 'actor_group', u.cell.code, cast(sum(u.cell.act_count) as bigint) from fact_cells, unnest(actor_group_cells) as u(cell) group by all
union all
select 'sector', u.cell.code, cast(sum(u.cell.act_count) as bigint) from fact_cells, unnest(sector_cells) as u(cell) group by all
union all
select 'gender', u.cell.code, cast(sum(u.cell.act_count) as bigint) from fact_cells, unnest(gender_cells) as u(cell) group by all
-- codes with as many acts in code order: the sidebar lists them the same way every time
order by dimension, act_count desc, code
