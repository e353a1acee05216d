-- One row: the editable fields of defender $record_id, as the Edit page shows them and
-- as dashboard.edits reads them before a change (the audit log's "before").
-- The columns are dashboard.edits.EDITABLE["defenders"], in its order (a test checks).
-- Parameters: $record_id.
select name, gender_code, is_name_public, visibility, description
from defenders
where defender_id = $record_id
