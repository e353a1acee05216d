-- One row: how many incidents a selection by place, time, visibility and
-- synthetic data holds, and the list positions at which to cut its in-order
-- listing (incident_list_in_order.sql) into parts of about equal size: each is
-- the last position of a part (the next part begins after it).
-- Why: DuckDB writes a CSV that keeps its rows' order mostly on one thread; the
-- parts, each in order, are written by COPY at the same time, one per thread,
-- and joined end to end (dashboard.export.selection_csv_counted). The count says
-- whether a split is worth it and whether the row limit could cut the list.
-- Parameters: $countries, $regions, $year_from, $year_to, $visibilities,
-- $include_synthetic, $fractions (where the parts before the last end, as
-- fractions of the selection, e.g. [0.5] for two parts).
select
    count(*) as selected,
    quantile_disc(list_position, $fractions) as part_ends
from incident_rows
where in_place_and_time(country_code, region, subregion, year, visibility, is_synthetic,
                        $countries, $regions, $year_from, $year_to, $visibilities, $include_synthetic)
