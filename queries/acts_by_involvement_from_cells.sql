-- One row: one degree of involvement and actor group, with the number of acts in
-- the selection where an actor was involved that way: the same figures as
-- acts_by_involvement.sql, summed from the pairs fact_cells counts per cell
-- (involvement_group_cells), for a selection made only of place, year,
-- visibility and synthetic filters. Why: at a million incidents the act-level
-- query joins perpetrators for every selected act, about 0.2 s a side of the
-- Compare page; this reads a few thousand cells. dashboard.compare picks the query.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids); the
-- act-level lists, the search and the defender list must be empty.
select
    u.pair.involvement as involvement,
    u.pair.actor_group as actor_group,
    cast(sum(u.pair.act_count) as bigint) as value,
    cast(sum(u.pair.incident_count) as bigint) as incident_count,
    bool_or(c.visibility <> 'public') as has_non_public
from selected_cells($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                    $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only,
                    $defender_ids) as c
cross join unnest(c.involvement_group_cells) as u(pair)
group by all
order by all
