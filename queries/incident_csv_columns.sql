-- One row: none (limit 0); what is read is the columns of the incident CSV,
-- those of listed_incidents() that incident_list.sql and
-- incident_list_in_order.sql list, for dashboard.csv_sql to build each
-- incident's stored CSV line from their names and types.
-- Parameters: none.
select * exclude (list_position, year, region, subregion)
from listed_incidents(true)
limit 0
