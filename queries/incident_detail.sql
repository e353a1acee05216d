-- One row: one incident by id, with its country name and its visibility.
-- Parameters: $incident_id.
select i.*, c.name as country, c.region, c.subregion
from incidents as i
left join countries as c on c.country_code = i.country_code
where i.incident_id = $incident_id
