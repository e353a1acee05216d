-- One row: one defender (person, organisation or group) with the number of
-- incidents that touched them directly or through their organisation.
-- Parameters: $include_synthetic, $search, $public_only (public mode lists only
-- defenders whose name may be shown and whose record is public).
with touched as (
    select unnest(related_defender_ids) as defender_id, incident_id
    from act_facts
)
select
    d.defender_id,
    d.name,
    d.kind,
    d.gender_code,
    d.country_code,
    d.is_name_public,
    d.visibility,
    d.is_synthetic,
    count(distinct t.incident_id) as incident_count
from defenders as d
left join touched as t using (defender_id)
where ($include_synthetic or not d.is_synthetic)
  and ($search = '' or contains(lower(d.name), lower($search)))
  and (not $public_only or (d.is_name_public and d.visibility = 'public'))
group by all
-- the id settles ties, so the same 500 are listed, in the same order, every time
order by incident_count desc, d.name, d.defender_id
limit 500
