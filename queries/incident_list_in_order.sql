-- One row: one incident with at least one act in the selection, exactly as
-- incident_list.sql lists it (same columns, same order: newest first), for a
-- selection by place, time, visibility and synthetic data only (no act-level,
-- search or defender filter; dashboard.export picks the query).
-- Why a second query: incident_rows is stored in list order, and DuckDB keeps a
-- table's insertion order through a single-table FROM, WHERE, SELECT, LIMIT,
-- OFFSET and COPY. Without the semi-join and the sort of incident_list.sql, a
-- CSV of a million incidents is written about a second sooner. Keep it a
-- single-table scan: no join, no IN list (DuckDB turns one into a join), no
-- aggregate; tests/test_export.py checks the plan and the order.
-- Parameters: $countries, $regions, $year_from, $year_to, $visibilities,
-- $include_synthetic, $row_limit, $row_offset, $reveal_names (false in public
-- mode: names of non-public defenders are withheld).
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
where in_place_and_time(country_code, region, subregion, year, visibility, is_synthetic,
                        $countries, $regions, $year_from, $year_to, $visibilities, $include_synthetic)
limit $row_limit offset $row_offset
