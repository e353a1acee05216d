-- Statement, run only by dashboard.db.refresh_incident_text after an edit that changed
-- no more than the title, summary or place of incident $incident_id: copies them into
-- its row of incident_rows (refresh_incident_rows.sql takes them from incidents as they
-- are). An UPDATE keeps the table's stored list order, which incident_list_in_order.sql
-- reads; tests/test_edits.py checks that the tables then equal a full refresh's.
-- Parameters: $incident_id.
update incident_rows set
    title = i.title,
    summary = i.summary,
    place = i.place
from incidents as i
where i.incident_id = $incident_id
  and incident_rows.incident_id = $incident_id
