-- One row: one defender by id with their sectors and organisation.
-- Parameters: $defender_id.
select
    d.*,
    o.name as organisation,
    (select string_agg(s.label, '; ' order by s.label)
     from defender_sectors as ds join sectors as s on s.code = ds.sector_code
     where ds.defender_id = d.defender_id) as sectors
from defenders as d
left join defenders as o on o.defender_id = d.organisation_id
where d.defender_id = $defender_id
