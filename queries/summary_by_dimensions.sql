-- One row: one combination of the requested dimensions with its count in the
-- chosen unit (value), the number of distinct incidents behind it
-- (incident_count) and whether any of them is not public (has_non_public, for
-- small-cell suppression). Multi-valued dimensions (actor_type, actor_group,
-- sector, involvement) are unnested, so one act counts once under each of its
-- values and the values do not add up to the distinct total.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids).
-- Identifiers (from the allowlist in dashboard/metrics.py only): {dimension_columns},
-- {expansion_joins}, {unit_key}.
with selected as (
    select *
    from selected_acts($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                       $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
),
expanded as (
    select *
    from selected
    {expansion_joins}
)
select
    {dimension_columns},
    count(distinct {unit_key}) as value,
    count(distinct incident_id) as incident_count,
    bool_or(visibility <> 'public') as has_non_public,
    bool_or(is_synthetic) as has_synthetic
from expanded
group by all
order by all
