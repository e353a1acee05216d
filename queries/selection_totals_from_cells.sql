-- One row: the distinct totals of a selection made only of place, year,
-- visibility and synthetic filters, summed from the pre-counted cells of
-- fact_cells; distinct defenders are counted as set bits of a bitmap over
-- defender_cells (no hash table), or, when nothing is filtered, as the number
-- of victims (they are numbered 1..n). The same figures as selection_totals.sql.
-- Used by dashboard.metrics.totals.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids); the
-- act-level lists, the search and the defender list must be empty.
with cells as (
    select *
    from selected_cells($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                        $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only,
                        $defender_ids)
),
everything as (
    -- no filter at all: every victim is counted, and victims are numbered 1..n
    select len($countries) + len($regions) + len($visibilities) = 0
           and $year_from < 0 and $year_to > 9998 and $include_synthetic as is_everything
),
victims as (
    select case when (select is_everything from everything)
                then (select coalesce(max(defender_seq), 0) from defender_cells)
                else (select coalesce(bit_count(bitstring_agg(defender_seq)), 0)
                      from selected_defender_cells($countries, $regions, $year_from, $year_to, $violations,
                                                   $actor_types, $sectors, $genders, $visibilities,
                                                   $include_synthetic, $search, $search_public_only, $defender_ids)
                      -- false when everything is selected, so the bitmap is not built for nothing
                      where not (len($countries) + len($regions) + len($visibilities) = 0
                                 and $year_from < 0 and $year_to > 9998 and $include_synthetic))
           end as defender_count
)
select
    cast(coalesce(sum(c.incident_count), 0) as bigint) as incident_count,
    cast(coalesce(sum(c.act_count), 0) as bigint) as act_count,
    cast((select defender_count from victims) as bigint) as defender_count,
    count(distinct c.country_code) as country_count,
    cast(coalesce(sum(c.incident_count) filter (where c.visibility <> 'public'), 0) as bigint)
        as non_public_incident_count,
    cast(coalesce(sum(c.act_count) filter (where c.is_synthetic), 0) as bigint) as synthetic_act_count
from cells as c
