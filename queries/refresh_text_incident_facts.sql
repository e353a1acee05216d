-- Statement, run only by dashboard.db.refresh_incident_text (see
-- refresh_text_incident_rows.sql): the search text of incident $incident_id in
-- incident_facts, written as refresh_act_facts.sql writes it.
-- Parameters: $incident_id.
update incident_facts set
    search_text = lower(i.title || ' ' || coalesce(i.summary, ''))
from incidents as i
where i.incident_id = $incident_id
  and incident_facts.incident_id = $incident_id
