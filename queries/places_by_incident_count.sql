-- One row: one place (country and place name) with the number of incidents in
-- the selection that happened there.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids), $reveal_places
-- (false in public mode: places of non-public incidents read "(not public)").
with selected as (
    select distinct incident_id
    from selected_acts($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                       $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
)
select
    i.country_code,
    case when $reveal_places or i.visibility = 'public' then coalesce(i.place, '')
         else '(not public)' end as place,
    count(*) as value,
    count(*) as incident_count,
    bool_or(i.visibility <> 'public') as has_non_public
from incidents as i
join selected using (incident_id)
group by all
-- a total order: the same place name can occur in several countries
order by value desc, place, i.country_code
