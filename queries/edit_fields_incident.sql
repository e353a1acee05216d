-- One row: the editable fields of incident $record_id, as the Edit page shows them and
-- as dashboard.edits reads them before a change (the audit log's "before").
-- The columns are dashboard.edits.EDITABLE["incidents"], in its order (a test checks).
-- Parameters: $record_id.
select title, summary, place, start_date, end_date, date_precision, country_code, visibility
from incidents
where incident_id = $record_id
