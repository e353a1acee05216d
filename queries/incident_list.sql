-- One row: one incident with at least one act in the selection, with its
-- multi-valued facts joined by "; " (violation types, actor types, perpetrators,
-- defenders, source titles and URLs), read from incident_rows (built at every
-- write by refresh_incident_rows.sql), newest first. Used by the Cases table and the incident
-- CSV export.
-- Parameters: the selection ($countries, $regions, $year_from, $year_to,
-- $violations, $actor_types, $sectors, $genders, $visibilities,
-- $include_synthetic, $search, $search_public_only, $defender_ids), $row_limit, $row_offset,
-- $reveal_names (false in public mode: names of non-public defenders are withheld).
select
    incident_id,
    title,
    start_date,
    end_date,
    date_precision,
    country_code,
    country,
    place,
    summary,
    violation_types,
    actor_groups,
    actor_types,
    perpetrators,
    case when $reveal_names then defenders_named else defenders_public end as defenders,
    act_count,
    defender_count,
    all_defenders_public,
    sources,
    source_urls,
    visibility,
    is_synthetic
from incident_rows
where incident_id in (
    select incident_id
    from selected_acts($countries, $regions, $year_from, $year_to, $violations, $actor_types,
                       $sectors, $genders, $visibilities, $include_synthetic, $search, $search_public_only, $defender_ids)
)
order by list_position
limit $row_limit offset $row_offset
