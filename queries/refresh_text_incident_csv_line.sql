-- Statement, run only by dashboard.db.refresh_incident_text (see
-- refresh_text_incident_rows.sql), after incident_rows: the two CSV lines of
-- incident $incident_id in incident_csv_lines, written as
-- refresh_incident_csv_lines.sql writes every line ({csv_values}, {named_line} and
-- {public_line} are filled in by dashboard.csv_sql.incident_line_statement).
-- The row is found by its list position, which the edit does not move.
-- Parameters: $incident_id.
update incident_csv_lines set
    line_named = changed.line_named,
    line_withheld = changed.line_withheld
from (
    select
        named.list_position,
        {named_line} as line_named,
        {public_line} as line_withheld
    from (select list_position, {csv_values} from listed_incidents(true) where incident_id = $incident_id) as named
    positional join (select {csv_values} from listed_incidents(false) where incident_id = $incident_id) as withheld
) as changed
where incident_csv_lines.list_position = changed.list_position
