-- Rebuilds incident_rows after every write (dashboard.db.refresh_facts, in the
-- write's transaction, beside the fact tables of refresh_act_facts.sql).
-- incident_rows. One row: one incident with at least one act, as the Cases
-- table and the incident CSV list it: its own fields, its country's name, its
-- violation types, actor types and groups, perpetrators, defenders (all names,
-- and with non-public names withheld), act and defender counts and sources,
-- joined in advance, and its place in the list (newest first) as
-- list_position. Why: joining and sorting these per incident at read time
-- costs a minute for a CSV of a million incidents; read from this table, a
-- few seconds. Lists are distinct and sorted, so the same data always gives
-- the same file.
-- The table is stored in list order and carries the year, region and
-- subregion of incident_facts, so a selection by place, time and visibility
-- alone is read in that order without a sort (incident_list_in_order.sql).
-- Parameters: none.
create or replace table incident_rows as
with act_info as (
    select
        a.incident_id,
        string_agg(distinct v.label, '; ' order by v.label) as violation_types,
        count(*) as act_count
    from acts as a
    left join violation_types as v on v.code = a.violation_code
    group by a.incident_id
),
actor_info as (
    select
        a.incident_id,
        string_agg(distinct t.label, '; ' order by t.label) as actor_types,
        string_agg(distinct coalesce(pt.label, t.label), '; ' order by coalesce(pt.label, t.label)) as actor_groups,
        string_agg(distinct ac.name, '; ' order by ac.name) as perpetrators
    from acts as a
    join act_perpetrators as ap using (act_id)
    join actors as ac using (actor_id)
    join actor_types as t on t.code = ac.actor_type_code
    left join actor_types as pt on pt.code = t.parent_code
    group by a.incident_id
),
victims as (
    -- the public-name rule in one place: a name is shown in public mode only when the
    -- defender's name is public and the defender's record is public
    select
        a.incident_id,
        d.defender_id,
        d.name,
        d.is_name_public and d.visibility = 'public' as name_is_public,
        case when name_is_public then d.name else '(name withheld)' end as public_name  -- DuckDB: alias reuse
    from acts as a
    join defenders as d on d.defender_id = a.victim_defender_id
),
defender_info as (
    select
        incident_id,
        string_agg(distinct name, '; ' order by name) as defenders_named,
        string_agg(distinct public_name, '; ' order by public_name) as defenders_public,
        count(distinct defender_id) as defender_count,
        bool_and(name_is_public) as all_defenders_public
    from victims
    group by incident_id
),
source_info as (
    select
        s_link.incident_id,
        string_agg(s.publisher || ': ' || s.title, '; ' order by s.source_id) as sources,
        string_agg(s.url, '; ' order by s.source_id) as source_urls
    from incident_sources as s_link
    join sources as s using (source_id)
    group by s_link.incident_id
)
select
    row_number() over (order by i.start_date desc nulls last, i.incident_id) as list_position,
    i.incident_id,
    i.title,
    i.start_date,
    i.end_date,
    i.date_precision,
    i.country_code,
    c.name as country,
    i.place,
    i.summary,
    ai.violation_types,
    act.actor_groups,
    act.actor_types,
    act.perpetrators,
    di.defenders_named,
    di.defenders_public,
    ai.act_count,
    coalesce(di.defender_count, 0) as defender_count,
    coalesce(di.all_defenders_public, true) as all_defenders_public,
    si.sources,
    si.source_urls,
    i.visibility,
    i.is_synthetic,
    f.year,
    f.region,
    f.subregion
from incidents as i
join act_info as ai using (incident_id)
join incident_facts as f using (incident_id)
left join countries as c on c.country_code = i.country_code
left join actor_info as act using (incident_id)
left join defender_info as di using (incident_id)
left join source_info as si using (incident_id)
order by list_position;
