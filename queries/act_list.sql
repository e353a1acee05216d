-- One row: one act and one of its perpetrators (an act with no known
-- perpetrator gives one row with empty perpetrator columns), for acts in the
-- selection. Used by the act CSV export and case timelines.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids), $row_limit, $row_offset,
-- $reveal_names (false in public mode: names of non-public defenders are withheld).
with selected as (
    select act_id
    from selected_acts($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                       $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
    order by incident_id, act_id
    limit $row_limit offset $row_offset
)
select
    a.act_id,
    a.incident_id,
    i.title as incident_title,
    a.act_date,
    a.date_precision,
    i.country_code,
    c.name as country,
    i.place,
    a.violation_code,
    v.label as violation_type,
    pv.label as violation_category,
    v.sdg_16_10_1_category as sdg_category,
    case when $reveal_names or (d.is_name_public and d.visibility = 'public') then d.name
         when d.defender_id is null then null else '(name withheld)' end as victim,
    d.kind as victim_kind,
    d.gender_code as victim_gender,
    d.is_name_public and d.visibility = 'public' as victim_is_public,
    ac.name as perpetrator,
    t.label as actor_type,
    coalesce(pt.label, t.label) as actor_group,
    inv.label as involvement,
    ap.note as involvement_note,
    a.description,
    src.source_urls,
    i.visibility,
    a.is_synthetic or i.is_synthetic as is_synthetic
from selected
join acts as a using (act_id)
join incidents as i using (incident_id)
left join countries as c on c.country_code = i.country_code
left join violation_types as v on v.code = a.violation_code
left join violation_types as pv on pv.code = v.parent_code
left join defenders as d on d.defender_id = a.victim_defender_id
left join act_perpetrators as ap on ap.act_id = a.act_id
left join actors as ac on ac.actor_id = ap.actor_id
left join actor_types as t on t.code = ac.actor_type_code
left join actor_types as pt on pt.code = t.parent_code
left join involvement_degrees as inv on inv.code = ap.involvement_code
left join (
    select s_link.incident_id, string_agg(s.url, '; ' order by s.source_id) as source_urls
    from incident_sources as s_link
    join sources as s using (source_id)
    group by s_link.incident_id
) as src on src.incident_id = a.incident_id
order by a.incident_id, a.act_date nulls last, a.act_id, ac.name
