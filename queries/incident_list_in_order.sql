-- One row: one incident with at least one act in the selection, exactly as
-- incident_list.sql lists it (the columns of listed_incidents(), newest first), for a
-- selection by place, time, visibility and synthetic data only (no act-level,
-- search or defender filter; dashboard.export picks the query).
-- Why a second query: incident_rows is stored in list order, and DuckDB keeps a
-- table's insertion order through a single-table FROM, WHERE, SELECT, LIMIT,
-- OFFSET. Without the semi-join and the sort of incident_list.sql, a page of a
-- large selection is read sooner (the CSV of the same selections reads the
-- stored lines of incident_csv_lines.sql, in the same order). Keep it a
-- single-table scan: no join, no IN list (DuckDB turns one into a join), no
-- aggregate; tests/test_export.py checks the plan and the order.
-- Parameters: $countries, $regions, $year_from, $year_to, $visibilities,
-- $include_synthetic, $row_limit, $row_offset,
-- $reveal_names (false in public mode: names of non-public defenders are withheld).
select * exclude (list_position, year, region, subregion)
from listed_incidents($reveal_names)
where in_place_and_time(country_code, region, subregion, year, visibility, is_synthetic,
                        $countries, $regions, $year_from, $year_to, $visibilities, $include_synthetic)
limit $row_limit offset $row_offset
