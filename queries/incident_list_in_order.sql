-- One row: one incident with at least one act in the selection, exactly as
-- incident_list.sql lists it (the columns of listed_incidents(), newest first), for a
-- selection by place, time, visibility and synthetic data only (no act-level,
-- search or defender filter; dashboard.export picks the query).
-- Why a second query: incident_rows is stored in list order, and DuckDB keeps a
-- table's insertion order through a single-table FROM, WHERE, SELECT, LIMIT,
-- OFFSET and COPY. Without the semi-join and the sort of incident_list.sql, a
-- CSV of a million incidents is written about a second sooner. Keep it a
-- single-table scan: no join, no IN list (DuckDB turns one into a join), no
-- aggregate; tests/test_export.py checks the plan and the order.
-- $position_first and $position_last bound the list positions read: the whole
-- list for the Cases table; one of several parts that dashboard.export writes at
-- the same time for a large CSV (incident_list_split_points.sql finds the cuts).
-- Parameters: $countries, $regions, $year_from, $year_to, $visibilities,
-- $include_synthetic, $position_first, $position_last, $row_limit, $row_offset,
-- $reveal_names (false in public mode: names of non-public defenders are withheld).
select * exclude (list_position, year, region, subregion)
from listed_incidents($reveal_names)
where in_place_and_time(country_code, region, subregion, year, visibility, is_synthetic,
                        $countries, $regions, $year_from, $year_to, $visibilities, $include_synthetic)
  and list_position between $position_first and $position_last
limit $row_limit offset $row_offset
