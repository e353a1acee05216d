-- Rebuilds incident_csv_lines after every write (dashboard.db.refresh_facts, in the
-- write's transaction, after incident_rows and the listed_incidents() macro).
-- One row: one incident of incident_rows, in the same list order, with the
-- columns a selection by place, time, visibility and synthetic data filters on,
-- and its line of the incident CSV already written: line_named as analyst mode
-- lists it, line_withheld with the names of non-public defenders withheld (public
-- mode), each the exact bytes DuckDB's COPY writes for that row (the cell rules of
-- dashboard.csv_sql, CSV quoting, CRLF).
-- Why: at a million incidents COPY spends about 3 s writing 550 MB of CSV on two
-- cores; reading the finished lines takes about 1 s. The price is paid once per
-- write (about 8 s at a million incidents).
-- {csv_values} is the CSV's columns of listed_incidents() as c0, c1, ... with
-- their cell rules; {named_line} and {public_line} join them, quoted, into a
-- line (dashboard.csv_sql.incident_lines_statement fills all three from the
-- committed listing's column names and types).
-- POSITIONAL JOIN pairs the two scans of incident_rows row by row, in its stored
-- order; both list every incident, so row k of one is row k of the other.
-- Parameters: none.
create or replace table incident_csv_lines as
with named as (
    select list_position, country_code, region, subregion, year, visibility, is_synthetic, {csv_values}
    from listed_incidents(true)
),
withheld as (
    select {csv_values}
    from listed_incidents(false)
)
select
    named.list_position,
    named.country_code,
    named.region,
    named.subregion,
    named.year,
    named.visibility,
    named.is_synthetic,
    {named_line} as line_named,
    {public_line} as line_withheld
from named positional join withheld
