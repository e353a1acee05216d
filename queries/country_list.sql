-- One row: one country (ISO 3166-1 alpha-3 code, name, region, UN subregion).
-- Parameters: none.
select * from countries order by name
