-- One row: one incident's line of the incident CSV, as stored by
-- refresh_incident_csv_lines.sql, for a selection by place, time, visibility and
-- synthetic data only: the rows, in the order, that incident_list_in_order.sql
-- lists, written as COPY would write them (dashboard.export picks this query for
-- the same selections and adds the header line).
-- Why: reading the finished lines of a million incidents takes about a second;
-- COPY writing them, about three.
-- Keep it a single-table scan (no join, no sort) so the stored order holds.
-- Parameters: $countries, $regions, $year_from, $year_to, $visibilities,
-- $include_synthetic, $row_limit, $row_offset, $reveal_names (false in public
-- mode: the line with the names of non-public defenders withheld).
select case when $reveal_names then line_named else line_withheld end as line
from incident_csv_lines
where in_place_and_time(country_code, region, subregion, year, visibility, is_synthetic,
                        $countries, $regions, $year_from, $year_to, $visibilities, $include_synthetic)
limit $row_limit offset $row_offset
