-- One row: the editable fields of act $record_id, as the Edit page shows them and as
-- dashboard.edits reads them before a change (the audit log's "before").
-- The columns are dashboard.edits.EDITABLE["acts"], in its order (a test checks).
-- Parameters: $record_id.
select violation_code, act_date, date_precision, description
from acts
where act_id = $record_id
