-- Statement, run only by dashboard.db.refresh_incident_text (see
-- refresh_text_incident_rows.sql): the search text of the acts of incident
-- $incident_id in act_facts, the same as its incident's (refresh_act_facts.sql).
-- Parameters: $incident_id.
update act_facts set
    search_text = f.search_text
from incident_facts as f
where f.incident_id = $incident_id
  and act_facts.incident_id = $incident_id
