-- One row: one source of one incident (publisher, title, date, URL).
-- Parameters: $incident_id.
select s.*
from incident_sources as l
join sources as s using (source_id)
where l.incident_id = $incident_id
order by s.published_date nulls last, s.source_id
