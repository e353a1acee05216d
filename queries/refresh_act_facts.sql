-- One row: one act, flattened with everything the filters and aggregates need
-- (incident place and time, violation category, perpetrator kinds, victim gender
-- and sectors). Rebuilt by dashboard.db.refresh_facts after every write, so the
-- dashboard's queries read one narrow table instead of joining eight.
-- Parameters: none.
create or replace table act_facts as
with perpetrators as (
    select
        ap.act_id,
        list(distinct aty.code order by aty.code) as actor_type_codes,
        list(distinct coalesce(aty.parent_code, aty.code) order by coalesce(aty.parent_code, aty.code)) as actor_group_codes,
        list(distinct ap.involvement_code order by ap.involvement_code) as involvement_codes
    from act_perpetrators as ap
    join actors as a using (actor_id)
    join actor_types as aty on aty.code = a.actor_type_code
    group by ap.act_id
),
victim_sectors as (
    select defender_id, list(sector_code order by sector_code) as sector_codes
    from defender_sectors
    group by defender_id
)
select
    a.act_id,
    a.incident_id,
    cast(coalesce(year(i.start_date), -1) as smallint) as year,
    i.country_code,
    coalesce(c.region, 'Unknown') as region,
    coalesce(c.subregion, 'Unknown') as subregion,
    a.violation_code,
    coalesce(v.parent_code, v.code) as violation_category,
    coalesce(v.sdg_16_10_1_category, 'other_harmful_acts') as sdg_category,
    coalesce(p.actor_type_codes, ['unknown_actor']) as actor_type_codes,
    coalesce(p.actor_group_codes, ['unknown']) as actor_group_codes,
    coalesce(p.involvement_codes, ['carried_out']) as involvement_codes,
    a.victim_defender_id as defender_id,
    list_filter([a.victim_defender_id, d.organisation_id], lambda x: x is not null) as related_defender_ids,
    coalesce(d.gender_code, 'unknown') as gender_code,
    coalesce(s.sector_codes, ['unspecified']) as sector_codes,
    i.visibility,
    i.is_synthetic,
    lower(i.title || ' ' || coalesce(i.summary, '')) as search_text
from acts as a
join incidents as i using (incident_id)
left join countries as c on c.country_code = i.country_code
left join violation_types as v on v.code = a.violation_code
left join perpetrators as p on p.act_id = a.act_id
left join defenders as d on d.defender_id = a.victim_defender_id
left join victim_sectors as s on s.defender_id = a.victim_defender_id
order by year, country_code;
