-- One row: one incident with at least one act in the selection, with its
-- multi-valued facts joined by "; " (violation types, actor types, perpetrators,
-- defenders, source titles and URLs). Used by the Cases table and the incident
-- CSV export.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids), $row_limit, $row_offset,
-- $reveal_names (false in public mode: names of non-public defenders are withheld).
with selected as (
    select distinct incident_id
    from selected_acts($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                       $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
),
page as (
    select i.*
    from incidents as i
    join selected using (incident_id)
    order by i.start_date desc nulls last, i.incident_id
    limit $row_limit offset $row_offset
),
act_info as (
    select
        a.incident_id,
        string_agg(distinct v.label, '; ' order by v.label) as violation_types,
        count(distinct a.act_id) as act_count
    from acts as a
    join page using (incident_id)
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
    join page using (incident_id)
    join act_perpetrators as ap using (act_id)
    join actors as ac using (actor_id)
    join actor_types as t on t.code = ac.actor_type_code
    left join actor_types as pt on pt.code = t.parent_code
    group by a.incident_id
),
defender_info as (
    select
        a.incident_id,
        string_agg(distinct case when $reveal_names or (d.is_name_public and d.visibility = 'public')
                                 then d.name else '(name withheld)' end, '; ') as defenders,
        count(distinct d.defender_id) as defender_count,
        bool_and(d.is_name_public and d.visibility = 'public') as all_defenders_public
    from acts as a
    join page using (incident_id)
    join defenders as d on d.defender_id = a.victim_defender_id
    group by a.incident_id
),
source_info as (
    select
        s_link.incident_id,
        string_agg(s.publisher || ': ' || s.title, '; ' order by s.source_id) as sources,
        string_agg(s.url, '; ' order by s.source_id) as source_urls
    from incident_sources as s_link
    join page using (incident_id)
    join sources as s using (source_id)
    group by s_link.incident_id
)
select
    p.incident_id,
    p.title,
    p.start_date,
    p.end_date,
    p.date_precision,
    p.country_code,
    c.name as country,
    p.place,
    p.summary,
    ai.violation_types,
    act.actor_groups,
    act.actor_types,
    act.perpetrators,
    di.defenders,
    coalesce(ai.act_count, 0) as act_count,
    coalesce(di.defender_count, 0) as defender_count,
    coalesce(di.all_defenders_public, true) as all_defenders_public,
    si.sources,
    si.source_urls,
    p.visibility,
    p.is_synthetic
from page as p
left join countries as c on c.country_code = p.country_code
left join act_info as ai using (incident_id)
left join actor_info as act using (incident_id)
left join defender_info as di using (incident_id)
left join source_info as si using (incident_id)
order by p.start_date desc nulls last, p.incident_id
