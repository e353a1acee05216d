-- Table macro selected_acts(...): one row per act of act_facts that matches the
-- filters. Every aggregate and list query selects from it, so the meaning of a
-- filter is written once. Empty lists mean "no restriction"; year bounds of -1
-- and 9999 mean open ends; an empty search string matches everything. A defender
-- filter keeps whole incidents that touched the defender, a member of the
-- organisation, or the organisation itself (so a profile shows the full story).
-- Parameters (in order): countries, regions, year_from, year_to, violations,
-- actor_types, sectors, genders, visibilities, include_synthetic, search,
-- search_public_only (public mode: text search only sees public incidents, so a
-- count cannot reveal words from a confidential summary), defender_ids.
create or replace macro selected_acts(
    p_countries, p_regions, p_year_from, p_year_to, p_violations, p_actor_types,
    p_sectors, p_genders, p_visibilities, p_include_synthetic, p_search, p_search_public_only,
    p_defender_ids
) as table
select *
from act_facts
where (len(p_countries) = 0 or list_contains(p_countries, country_code))
  and (len(p_regions) = 0 or list_contains(p_regions, region) or list_contains(p_regions, subregion))
  and (p_year_from < 0 or year >= p_year_from)
  and (p_year_to > 9998 or year <= p_year_to)
  and (len(p_violations) = 0 or list_contains(p_violations, violation_code) or list_contains(p_violations, violation_category))
  and (len(p_actor_types) = 0 or list_has_any(p_actor_types, actor_type_codes) or list_has_any(p_actor_types, actor_group_codes))
  and (len(p_sectors) = 0 or list_has_any(p_sectors, sector_codes))
  and (len(p_genders) = 0 or list_contains(p_genders, gender_code))
  and (len(p_visibilities) = 0 or list_contains(p_visibilities, visibility))
  and (p_include_synthetic or not is_synthetic)
  and (p_search = '' or (contains(search_text, lower(p_search))
                         and (not p_search_public_only or visibility = 'public')))
  and (len(p_defender_ids) = 0 or incident_id in (
        select f.incident_id from act_facts as f where list_has_any(p_defender_ids, f.related_defender_ids)
  ));
