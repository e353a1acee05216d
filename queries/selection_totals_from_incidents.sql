-- One row: the distinct totals of a selection without act-level filters
-- (violations, actor types, sectors, genders), counted from incident_facts (one
-- row per incident): the same figures as selection_totals.sql, since every act
-- of a selected incident is then selected. Used by dashboard.metrics.totals.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids); the four
-- act-level lists must be empty.
with selected as (
    select *
    from selected_incidents($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                            $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only,
                            $defender_ids)
),
victims as (
    select count(distinct u.defender_id) as defender_count
    from selected
    cross join unnest(selected.defender_ids) as u(defender_id)
)
select
    count(*) as incident_count,
    cast(coalesce(sum(act_count), 0) as bigint) as act_count,
    (select defender_count from victims) as defender_count,
    count(distinct country_code) as country_count,
    count(*) filter (where visibility <> 'public') as non_public_incident_count,
    cast(coalesce(sum(act_count) filter (where is_synthetic), 0) as bigint) as synthetic_act_count
from selected
