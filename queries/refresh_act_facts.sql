-- Builds the flat fact tables every dashboard query reads, so that no query joins
-- eight tables: act_facts (one row per act), incident_facts (one row per
-- incident), fact_cells (one row per place-time cell) and defender_cells (one
-- row per victim and cell). Rebuilt by dashboard.db.refresh_facts after every
-- write (import, edit, demo load), in the same transaction, so they are always in
-- step with the cases. The tables are sorted by (year, country_code): DuckDB keeps
-- min/max per row group, so a year or place filter skips most of the file.
-- Why bit masks: at a million incidents, building a list per act or per incident
-- with list(distinct ...) costs ten times more than OR-ing integers, so
-- multi-valued codes are gathered as bits (one per code, at most 64 per
-- vocabulary) and turned into lists through the few hundred distinct masks.
-- Parameters: none.

-- fact_bits. One row: one code of one multi-valued dimension and its bit.
create or replace temp table fact_bits as
with codes as (
    select distinct 'actor_type' as dimension, code from actor_types
    union
    select distinct 'actor_group', coalesce(parent_code, code) from actor_types
    union
    select distinct 'involvement', involvement_code from act_perpetrators
    union
    select distinct 'involvement', code from involvement_degrees
    union
    select distinct 'sector', sector_code from defender_sectors
    union
    select distinct 'violation', violation_code from acts
    union
    select distinct 'violation_category', coalesce(v.parent_code, v.code)
    from (select distinct violation_code from acts) as a
    left join violation_types as v on v.code = a.violation_code
    union
    select distinct 'sdg_category', coalesce(v.sdg_16_10_1_category, 'other_harmful_acts')
    from (select distinct violation_code from acts) as a
    left join violation_types as v on v.code = a.violation_code
    union
    select distinct 'gender', coalesce(d.gender_code, 'unknown')
    from (select distinct victim_defender_id from acts) as a
    left join defenders as d on d.defender_id = a.victim_defender_id
    union
    -- the values act_facts gives an act without perpetrators, victim or sectors
    select * from (values ('actor_type', 'unknown_actor'), ('actor_group', 'unknown'),
                          ('involvement', 'carried_out'), ('gender', 'unknown'))
),
numbered as (
    select dimension, code, row_number() over (partition by dimension order by code nulls last) - 1 as bit_index
    from codes
)
select
    dimension,
    code,
    case when bit_index < 64 then cast(1 as ubigint) << cast(bit_index as ubigint)
         else error('More than 64 codes in the ' || dimension || ' vocabulary: act_facts cannot be built') end as bit
from numbered;

-- act_rows. One row: one act with its own (not its incident's) facts, the
-- multi-valued ones as masks.
create or replace temp table act_rows as
with perpetrator_masks as (
    select
        ap.act_id,
        bit_or(tb.bit) as actor_type_mask,
        bit_or(gb.bit) as actor_group_mask,
        bit_or(ib.bit) as involvement_mask
    from act_perpetrators as ap
    join actors as a using (actor_id)
    join actor_types as aty on aty.code = a.actor_type_code
    join fact_bits as tb on tb.dimension = 'actor_type' and tb.code = aty.code
    join fact_bits as gb on gb.dimension = 'actor_group' and gb.code = coalesce(aty.parent_code, aty.code)
    join fact_bits as ib on ib.dimension = 'involvement' and ib.code = ap.involvement_code
    group by ap.act_id
),
sector_masks as (
    select ds.defender_id, bit_or(sb.bit) as sector_mask
    from defender_sectors as ds
    join fact_bits as sb on sb.dimension = 'sector' and sb.code = ds.sector_code
    group by ds.defender_id
),
violations as (
    select
        v.violation_code,
        v.violation_category,
        v.sdg_category,
        vb.bit as violation_bit,
        cb.bit as violation_category_bit,
        sb.bit as sdg_category_bit
    from (
        select a.violation_code, coalesce(t.parent_code, t.code) as violation_category,
               coalesce(t.sdg_16_10_1_category, 'other_harmful_acts') as sdg_category
        from (select distinct violation_code from acts) as a
        left join violation_types as t on t.code = a.violation_code
    ) as v
    join fact_bits as vb on vb.dimension = 'violation' and vb.code = v.violation_code
    join fact_bits as cb on cb.dimension = 'violation_category' and cb.code is not distinct from v.violation_category
    join fact_bits as sb on sb.dimension = 'sdg_category' and sb.code = v.sdg_category
),
victims as (
    select
        d.defender_id,
        d.organisation_id,
        coalesce(d.gender_code, 'unknown') as gender_code,
        gb.bit as gender_bit,
        coalesce(s.sector_mask, 0) as sector_mask
    from defenders as d
    join fact_bits as gb on gb.dimension = 'gender' and gb.code = coalesce(d.gender_code, 'unknown')
    left join sector_masks as s using (defender_id)
)
select
    a.act_id,
    a.incident_id,
    a.violation_code,
    v.violation_category,
    v.sdg_category,
    a.victim_defender_id as defender_id,
    d.organisation_id,
    coalesce(d.gender_code, 'unknown') as gender_code,
    p.actor_type_mask,
    p.actor_group_mask,
    p.involvement_mask,
    d.sector_mask,
    v.violation_bit,
    v.violation_category_bit,
    v.sdg_category_bit,
    coalesce(d.gender_bit, (select bit from fact_bits where dimension = 'gender' and code = 'unknown')) as gender_bit
from acts as a
join incidents as i using (incident_id)
join violations as v using (violation_code)
left join perpetrator_masks as p using (act_id)
left join victims as d on d.defender_id = a.victim_defender_id;

-- mask_lists. One row: one distinct mask of one dimension and its sorted list of codes.
create or replace temp table mask_lists as
with masks as (
    select distinct 'actor_type' as dimension, actor_type_mask as mask from act_rows where actor_type_mask is not null
    union
    select distinct 'actor_group', actor_group_mask from act_rows where actor_group_mask is not null
    union
    select distinct 'involvement', involvement_mask from act_rows where involvement_mask is not null
    union
    select distinct 'sector', sector_mask from act_rows where sector_mask <> 0
)
select m.dimension, m.mask, list(b.code order by b.code) as codes
from masks as m
join fact_bits as b on b.dimension = m.dimension and m.mask & b.bit <> 0
group by all;

-- incident_facts. One row: one incident with at least one act (the incidents
-- act_facts counts), with its place, time, visibility and search text, its
-- number of acts, and the distinct values of every act-level dimension across
-- its acts (sorted lists), the distinct victims (defender_ids) and every
-- defender it touched, victims and their organisations (incident_defender_ids).
-- Counting incidents is then count(*), and an incident counts once under each
-- of its values after unnest(), exactly as count(distinct incident_id) over
-- act_facts would count it.
create or replace table incident_facts as
with incident_masks as (
    select
        incident_id,
        count(*) as act_count,
        bit_or(violation_bit) as violation_mask,
        bit_or(violation_category_bit) as violation_category_mask,
        bit_or(sdg_category_bit) as sdg_category_mask,
        bit_or(coalesce(actor_type_mask, (select bit from fact_bits where dimension = 'actor_type' and code = 'unknown_actor'))) as actor_type_mask,
        bit_or(coalesce(actor_group_mask, (select bit from fact_bits where dimension = 'actor_group' and code = 'unknown'))) as actor_group_mask,
        bit_or(coalesce(involvement_mask, (select bit from fact_bits where dimension = 'involvement' and code = 'carried_out'))) as involvement_mask,
        bit_or(sector_mask) as sector_mask,
        bool_or(sector_mask is null or sector_mask = 0) as has_unspecified_sector,
        bit_or(gender_bit) as gender_mask,
        list(defender_id) filter (where defender_id is not null) as victim_ids,
        list(organisation_id) filter (where organisation_id is not null) as organisation_ids
    from act_rows
    group by incident_id
),
all_masks as (
    select distinct 'violation' as dimension, violation_mask as mask from incident_masks
    union select distinct 'violation_category', violation_category_mask from incident_masks
    union select distinct 'sdg_category', sdg_category_mask from incident_masks
    union select distinct 'actor_type', actor_type_mask from incident_masks
    union select distinct 'actor_group', actor_group_mask from incident_masks
    union select distinct 'involvement', involvement_mask from incident_masks
    union select distinct 'sector', sector_mask from incident_masks
    union select distinct 'gender', gender_mask from incident_masks
),
lists as (
    select m.dimension, m.mask, list(b.code order by b.code nulls last) as codes
    from all_masks as m
    join fact_bits as b on b.dimension = m.dimension and m.mask & b.bit <> 0
    group by all
)
select
    m.incident_id,
    cast(coalesce(year(i.start_date), -1) as smallint) as year,
    i.country_code,
    coalesce(c.region, 'Unknown') as region,
    coalesce(c.subregion, 'Unknown') as subregion,
    i.visibility,
    i.is_synthetic,
    lower(i.title || ' ' || coalesce(i.summary, '')) as search_text,
    m.act_count,
    lv.codes as violation_codes,
    lc.codes as violation_categories,
    lg.codes as sdg_categories,
    lt.codes as actor_type_codes,
    la.codes as actor_group_codes,
    li.codes as involvement_codes,
    case when m.has_unspecified_sector then list_sort(list_distinct(coalesce(ls.codes, []) || ['unspecified']))
         else ls.codes end as sector_codes,
    lge.codes as gender_codes,
    list_sort(list_distinct(coalesce(m.victim_ids, []))) as defender_ids,
    list_sort(list_distinct(coalesce(m.victim_ids, []) || coalesce(m.organisation_ids, []))) as incident_defender_ids
from incident_masks as m
join incidents as i using (incident_id)
left join countries as c on c.country_code = i.country_code
left join lists as lv on lv.dimension = 'violation' and lv.mask = m.violation_mask
left join lists as lc on lc.dimension = 'violation_category' and lc.mask = m.violation_category_mask
left join lists as lg on lg.dimension = 'sdg_category' and lg.mask = m.sdg_category_mask
left join lists as lt on lt.dimension = 'actor_type' and lt.mask = m.actor_type_mask
left join lists as la on la.dimension = 'actor_group' and la.mask = m.actor_group_mask
left join lists as li on li.dimension = 'involvement' and li.mask = m.involvement_mask
left join lists as ls on ls.dimension = 'sector' and ls.mask = m.sector_mask
left join lists as lge on lge.dimension = 'gender' and lge.mask = m.gender_mask
order by year, i.country_code, m.incident_id;

-- act_facts. One row: one act, flattened with everything the filters and
-- aggregates need (incident place and time, violation category, perpetrator
-- kinds, victim gender and sectors). Lists hold distinct values, sorted.
create or replace table act_facts as
select
    a.act_id,
    a.incident_id,
    f.year,
    f.country_code,
    f.region,
    f.subregion,
    a.violation_code,
    a.violation_category,
    a.sdg_category,
    coalesce(lt.codes, ['unknown_actor']) as actor_type_codes,
    coalesce(lg.codes, ['unknown']) as actor_group_codes,
    coalesce(li.codes, ['carried_out']) as involvement_codes,
    a.defender_id,
    list_filter([a.defender_id, a.organisation_id], lambda x: x is not null) as related_defender_ids,
    a.gender_code,
    coalesce(ls.codes, ['unspecified']) as sector_codes,
    f.visibility,
    f.is_synthetic,
    f.search_text
from act_rows as a
join incident_facts as f using (incident_id)
left join mask_lists as lt on lt.dimension = 'actor_type' and lt.mask = a.actor_type_mask
left join mask_lists as lg on lg.dimension = 'actor_group' and lg.mask = a.actor_group_mask
left join mask_lists as li on li.dimension = 'involvement' and li.mask = a.involvement_mask
left join mask_lists as ls on ls.dimension = 'sector' and ls.mask = a.sector_mask
order by f.year, f.country_code, a.incident_id, a.act_id;

-- fact_cells. One row: one cell of (year, country, visibility, synthetic),
-- numbered (cell_id, in the order of region, year and country), with its
-- incidents and acts, and for each act-level dimension a list of
-- {code, incident_count, act_count}: the incidents with at least one act
-- carrying the code and the acts carrying it; and involvement_group_cells, a list of
-- {involvement, actor_group, act_count, incident_count} for the Compare page's
-- involvement breakdown (acts_by_involvement_from_cells.sql). Every incident lies in exactly one
-- cell, so these counts add up across cells: a selection made only of place,
-- year, visibility and synthetic filters is counted from a few thousand rows.
create or replace table fact_cells as
with cells as (
    select year, country_code, region, subregion, visibility, is_synthetic,
           count(*) as incident_count, sum(act_count) as act_count
    from incident_facts
    group by all
),
incident_codes as (
    select year, country_code, visibility, is_synthetic, 'violation' as dimension, code, count(*) as incident_count
    from incident_facts, unnest(violation_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'violation_category', code, count(*)
    from incident_facts, unnest(violation_categories) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'sdg_category', code, count(*)
    from incident_facts, unnest(sdg_categories) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'actor_type', code, count(*)
    from incident_facts, unnest(actor_type_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'actor_group', code, count(*)
    from incident_facts, unnest(actor_group_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'involvement', code, count(*)
    from incident_facts, unnest(involvement_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'sector', code, count(*)
    from incident_facts, unnest(sector_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'gender', code, count(*)
    from incident_facts, unnest(gender_codes) as u(code) group by all
),
act_codes as (
    select year, country_code, visibility, is_synthetic, 'violation' as dimension, violation_code as code,
           count(*) as act_count
    from act_facts group by all
    union all
    select year, country_code, visibility, is_synthetic, 'violation_category', violation_category, count(*)
    from act_facts group by all
    union all
    select year, country_code, visibility, is_synthetic, 'sdg_category', sdg_category, count(*)
    from act_facts group by all
    union all
    select year, country_code, visibility, is_synthetic, 'actor_type', code, count(*)
    from act_facts, unnest(actor_type_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'actor_group', code, count(*)
    from act_facts, unnest(actor_group_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'involvement', code, count(*)
    from act_facts, unnest(involvement_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'sector', code, count(*)
    from act_facts, unnest(sector_codes) as u(code) group by all
    union all
    select year, country_code, visibility, is_synthetic, 'gender', gender_code, count(*)
    from act_facts group by all
),
code_counts as (
    select year, country_code, visibility, is_synthetic, dimension,
           {'code': code, 'incident_count': ic.incident_count, 'act_count': ac.act_count} as cell
    from incident_codes as ic
    join act_codes as ac using (year, country_code, visibility, is_synthetic, dimension, code)
),
code_lists as (
    select
        year, country_code, visibility, is_synthetic,
        list(cell order by cell.code) filter (where dimension = 'violation') as violation_cells,
        list(cell order by cell.code) filter (where dimension = 'violation_category') as violation_category_cells,
        list(cell order by cell.code) filter (where dimension = 'sdg_category') as sdg_category_cells,
        list(cell order by cell.code) filter (where dimension = 'actor_type') as actor_type_cells,
        list(cell order by cell.code) filter (where dimension = 'actor_group') as actor_group_cells,
        list(cell order by cell.code) filter (where dimension = 'involvement') as involvement_cells,
        list(cell order by cell.code) filter (where dimension = 'sector') as sector_cells,
        list(cell order by cell.code) filter (where dimension = 'gender') as gender_cells
    from code_counts
    group by all
),
involvement_pairs as (
    -- the pairs of acts_by_involvement.sql (degree of involvement, actor group), counted per
    -- cell: acts with a perpetrator involved that way and an actor of that group, and their
    -- incidents; an act or incident lies in one cell, so these add up across cells too
    select
        f.year, f.country_code, f.visibility, f.is_synthetic,
        {'involvement': ap.involvement_code, 'actor_group': coalesce(t.parent_code, t.code),
         'act_count': count(distinct f.act_id), 'incident_count': count(distinct f.incident_id)} as pair
    from act_facts as f
    join act_perpetrators as ap using (act_id)
    join actors as a using (actor_id)
    join actor_types as t on t.code = a.actor_type_code
    group by f.year, f.country_code, f.visibility, f.is_synthetic, ap.involvement_code,
             coalesce(t.parent_code, t.code)
),
involvement_lists as (
    select year, country_code, visibility, is_synthetic,
           list(pair order by pair.involvement, pair.actor_group) as involvement_group_cells
    from involvement_pairs
    group by all
)
select
    cast(row_number() over (order by c.region, c.year, c.subregion, c.country_code, c.visibility, c.is_synthetic)
         as integer) as cell_id,
    c.*,
    coalesce(l.violation_cells, []) as violation_cells,
    coalesce(l.violation_category_cells, []) as violation_category_cells,
    coalesce(l.sdg_category_cells, []) as sdg_category_cells,
    coalesce(l.actor_type_cells, []) as actor_type_cells,
    coalesce(l.actor_group_cells, []) as actor_group_cells,
    coalesce(l.involvement_cells, []) as involvement_cells,
    coalesce(l.sector_cells, []) as sector_cells,
    coalesce(l.gender_cells, []) as gender_cells,
    coalesce(p.involvement_group_cells, []) as involvement_group_cells
from cells as c
left join code_lists as l using (year, country_code, visibility, is_synthetic)
left join involvement_lists as p using (year, country_code, visibility, is_synthetic)
order by c.year, c.country_code, c.visibility, c.is_synthetic;

-- defender_cells. One row: one victim (defender_seq, 1 to the number of victims)
-- in one cell of fact_cells (cell_id). Distinct defenders across the selected
-- cells are then counted as set bits of a bitmap (bitstring_agg) of small
-- integers, instead of in a hash table; sorted by cell, so the cells a region or
-- year filter selects are read from a few row groups.
create or replace table defender_cells as
with victims as (
    select defender_id, cast(row_number() over (order by defender_id) as integer) as defender_seq
    from (select distinct defender_id from act_rows where defender_id is not null)
),
pairs as (
    select distinct incident_id, defender_id from act_rows where defender_id is not null
)
select distinct c.cell_id, v.defender_seq
from pairs as p
join incident_facts as f using (incident_id)
join fact_cells as c
  on c.year = f.year and c.country_code = f.country_code and c.visibility = f.visibility
 and c.is_synthetic = f.is_synthetic
join victims as v using (defender_id)
order by c.cell_id, v.defender_seq;

drop table act_rows;
drop table mask_lists;
drop table fact_bits;
