-- One row: one combination of the requested dimensions with its count in the
-- chosen unit (value), the number of distinct incidents behind it
-- (incident_count) and whether any of them is not public (has_non_public, for
-- small-cell suppression). Multi-valued dimensions (actor_type, actor_group,
-- sector, involvement) are unnested, so one act counts once under each of its
-- values and the values do not add up to the distinct total.
-- The rows come from one of three sources with the same meaning, chosen by
-- dashboard.metrics from the filters, dimensions and unit in use (see
-- selected_acts_macro.sql): selected_acts (act_facts; any selection, counted
-- with count(distinct)); selected_incidents (incident_facts, one row per
-- incident with distinct value lists: no act-level filter and at most one
-- act-level dimension, counted with count(*)); selected_cells (fact_cells,
-- pre-counted place-time cells: moreover no search and no defender filter,
-- counted with sum()).
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids).
-- Identifiers (from the allowlist in dashboard/metrics.py only): {source},
-- {dimension_columns}, {expansion_joins}, {value}, {incident_count}.
with selected as (
    select *
    from {source}($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                  $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
),
expanded as (
    select *
    from selected
    {expansion_joins}
)
select
    {dimension_columns},
    {value} as value,
    {incident_count} as incident_count,
    bool_or(visibility <> 'public') as has_non_public,
    bool_or(is_synthetic) as has_synthetic
from expanded
group by all
order by all
