-- One row: one incident with at least one act in the selection, with its
-- multi-valued facts joined by "; " (violation types, actor types, perpetrators,
-- defenders, source titles and URLs), read from incident_rows (built at every
-- write by refresh_incident_rows.sql) through listed_incidents(), newest first. Used by the Cases table and the incident
-- CSV export.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids), $row_limit, $row_offset,
-- $reveal_names (false in public mode: names of non-public defenders are withheld).
select * exclude (list_position, year, region, subregion)
from listed_incidents($reveal_names)
where incident_id in (
    select incident_id
    from selected_acts($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                       $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
)
order by list_position
limit $row_limit offset $row_offset
