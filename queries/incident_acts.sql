-- One row: one act of one incident and one of its perpetrators, in date order:
-- the case page's timeline.
-- Parameters: $incident_id, $reveal_names (false in public mode: names of
-- non-public defenders are withheld).
select
    a.act_id,
    a.act_date,
    a.date_precision,
    v.label as violation_type,
    d.defender_id as victim_id,
    case when $reveal_names or (d.is_name_public and d.visibility = 'public') then d.name
         when d.defender_id is null then null else '(name withheld)' end as victim,
    d.kind as victim_kind,
    d.is_name_public and d.visibility = 'public' as victim_is_public,
    ac.name as perpetrator,
    t.label as actor_type,
    coalesce(pt.label, t.label) as actor_group,
    inv.label as involvement,
    ap.note as involvement_note,
    a.description
from acts as a
left join violation_types as v on v.code = a.violation_code
left join defenders as d on d.defender_id = a.victim_defender_id
left join act_perpetrators as ap on ap.act_id = a.act_id
left join actors as ac on ac.actor_id = ap.actor_id
left join actor_types as t on t.code = ac.actor_type_code
left join actor_types as pt on pt.code = t.parent_code
left join involvement_degrees as inv on inv.code = ap.involvement_code
where a.incident_id = $incident_id
order by a.act_date nulls last, a.act_id, ac.name
