-- One row: one degree of involvement (carried out, ordered, instigated, ...) and
-- actor group, with the number of acts in the selection where an actor was
-- involved that way. An act with several perpetrators counts once per degree.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids).
with selected as (
    select act_id, incident_id, visibility
    from selected_acts($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                       $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
)
select
    ap.involvement_code as involvement,
    coalesce(t.parent_code, t.code) as actor_group,
    count(distinct s.act_id) as value,
    count(distinct s.incident_id) as incident_count,
    bool_or(s.visibility <> 'public') as has_non_public
from selected as s
join act_perpetrators as ap using (act_id)
join actors as a using (actor_id)
join actor_types as t on t.code = a.actor_type_code
group by all
order by all
