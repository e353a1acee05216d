-- One row: one year with the number of distinct defenders killed in imported,
-- non-synthetic incidents, for comparison with a published figure of the same
-- definition (see dashboard/ingest/published.py).
-- Parameters: $violation_category (e.g. killing), $sectors (empty list: any
-- sector), $country_code ('' for the world), $public_only (public mode counts
-- public incidents only, so no small count can come from a confidential case).
select f.year, count(distinct f.defender_id) as own_count
from act_facts as f
join incidents as i using (incident_id)
where not f.is_synthetic
  and i.import_id is not null
  and f.violation_category = $violation_category
  and (len($sectors) = 0 or len(list_intersect(f.sector_codes, $sectors)) > 0)
  and ($country_code = '' or f.country_code = $country_code)
  and (not $public_only or f.visibility = 'public')
group by f.year
