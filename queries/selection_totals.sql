-- One row: the distinct totals of the selection (incidents, acts, defenders
-- affected, countries), how many incidents are not public and how many rows are
-- synthetic. These are the "distinct total" shown beside every breakdown, since
-- sums across multi-valued categories double-count.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids).
with selected as (
    select *
    from selected_acts($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                       $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
)
select
    count(distinct incident_id) as incident_count,
    count(*) as act_count,
    count(distinct defender_id) as defender_count,
    count(distinct country_code) as country_count,
    count(distinct incident_id) filter (where visibility <> 'public') as non_public_incident_count,
    count(*) filter (where is_synthetic) as synthetic_act_count
from selected
