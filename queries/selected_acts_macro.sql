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
--
-- Three more macros take the same parameters and select the same incidents from
-- the pre-aggregated tables built by refresh_act_facts.sql, for the fast paths of
-- dashboard.metrics (which picks one by the filters in use):
-- selected_incidents(...): one row per incident of incident_facts with at least
--   one selected act, when no act-level filter (violations, actor_types,
--   sectors, genders) is set; the act-level parameters must then be empty.
-- selected_cells(...): one row per cell of fact_cells (year, country,
--   visibility, synthetic) in the selection, when moreover no search and no
--   defender filter is set; selected_defender_cells(...) likewise for
--   defender_cells. They must then be empty too.
-- in_place_and_time(...) is the scalar condition of the place, time, visibility
--   and synthetic filters that all four share, and that incident_list_in_order.sql
--   applies to incident_rows: one meaning, written once. (No IN lists in it: DuckDB
--   turns a long IN list into a join, and a join does not keep the rows' order.)
-- listed_incidents(reveal_names) (at the end) is the column list of both incident
--   listings, written once.
-- The search and defender filters are incident-level, so they are written as a
-- look-up in incident_facts whose own condition is false when the filter is
-- unset: DuckDB then skips the look-up instead of scanning a list per row.
create or replace macro in_place_and_time(
    m_country_code, m_region, m_subregion, m_year, m_visibility, m_is_synthetic,
    p_countries, p_regions, p_year_from, p_year_to, p_visibilities, p_include_synthetic
) as (
    (len(p_countries) = 0 or list_contains(p_countries, m_country_code))
    and (len(p_regions) = 0 or list_contains(p_regions, m_region) or list_contains(p_regions, m_subregion))
    and (p_year_from < 0 or m_year >= p_year_from)
    and (p_year_to > 9998 or m_year <= p_year_to)
    and (len(p_visibilities) = 0 or list_contains(p_visibilities, m_visibility))
    and (p_include_synthetic or not m_is_synthetic)
);

create or replace macro selected_acts(
    p_countries, p_regions, p_year_from, p_year_to, p_violations, p_actor_types,
    p_sectors, p_genders, p_visibilities, p_include_synthetic, p_search, p_search_public_only,
    p_defender_ids
) as table
select *
from act_facts
where in_place_and_time(country_code, region, subregion, year, visibility, is_synthetic,
                        p_countries, p_regions, p_year_from, p_year_to, p_visibilities, p_include_synthetic)
  and (len(p_violations) = 0 or list_contains(p_violations, violation_code) or list_contains(p_violations, violation_category))
  and (len(p_actor_types) = 0 or list_has_any(p_actor_types, actor_type_codes) or list_has_any(p_actor_types, actor_group_codes))
  and (len(p_sectors) = 0 or list_has_any(p_sectors, sector_codes))
  and (len(p_genders) = 0 or list_contains(p_genders, gender_code))
  and (p_search = '' or incident_id in (
        select s.incident_id from incident_facts as s
        where p_search <> '' and contains(s.search_text, lower(p_search))
          and (not p_search_public_only or s.visibility = 'public')
  ))
  and (len(p_defender_ids) = 0 or incident_id in (
        select d.incident_id from incident_facts as d
        where len(p_defender_ids) > 0 and list_has_any(p_defender_ids, d.incident_defender_ids)
  ));

create or replace macro selected_incidents(
    p_countries, p_regions, p_year_from, p_year_to, p_violations, p_actor_types,
    p_sectors, p_genders, p_visibilities, p_include_synthetic, p_search, p_search_public_only,
    p_defender_ids
) as table
select *
from incident_facts
where in_place_and_time(country_code, region, subregion, year, visibility, is_synthetic,
                        p_countries, p_regions, p_year_from, p_year_to, p_visibilities, p_include_synthetic)
  and (p_search = '' or (contains(search_text, lower(p_search))
                         and (not p_search_public_only or visibility = 'public')))
  and (len(p_defender_ids) = 0 or list_has_any(p_defender_ids, incident_defender_ids))
  and (len(p_violations) + len(p_actor_types) + len(p_sectors) + len(p_genders) = 0
       or error('selected_incidents cannot apply act-level filters; use selected_acts'));

create or replace macro selected_cells(
    p_countries, p_regions, p_year_from, p_year_to, p_violations, p_actor_types,
    p_sectors, p_genders, p_visibilities, p_include_synthetic, p_search, p_search_public_only,
    p_defender_ids
) as table
select *
from fact_cells
where in_place_and_time(country_code, region, subregion, year, visibility, is_synthetic,
                        p_countries, p_regions, p_year_from, p_year_to, p_visibilities, p_include_synthetic)
  and (len(p_violations) + len(p_actor_types) + len(p_sectors) + len(p_genders) + len(p_defender_ids) = 0
       and p_search = ''
       or error('selected_cells cannot apply act-level, search or defender filters; use selected_acts'));

create or replace macro selected_defender_cells(
    p_countries, p_regions, p_year_from, p_year_to, p_violations, p_actor_types,
    p_sectors, p_genders, p_visibilities, p_include_synthetic, p_search, p_search_public_only,
    p_defender_ids
) as table
select *
from defender_cells
where cell_id in (
    select cell_id
    from selected_cells(p_countries, p_regions, p_year_from, p_year_to, p_violations, p_actor_types,
                        p_sectors, p_genders, p_visibilities, p_include_synthetic, p_search, p_search_public_only,
                        p_defender_ids)
);

-- listed_incidents(reveal_names): incident_rows as the Cases table and the incident
-- CSV list it (the columns, in order; names of non-public defenders withheld unless
-- reveal_names), followed by list_position, year, region and subregion, which the
-- two listing queries select and sort by and then drop. A single-table select, so
-- it keeps incident_rows' stored order (incident_list_in_order.sql relies on it).
create or replace macro listed_incidents(p_reveal_names) as table
select
    incident_id,
    title,
    start_date,
    end_date,
    date_precision,
    country_code,
    country,
    place,
    summary,
    violation_types,
    actor_groups,
    actor_types,
    perpetrators,
    case when p_reveal_names then defenders_named else defenders_public end as defenders,
    act_count,
    defender_count,
    all_defenders_public,
    sources,
    source_urls,
    visibility,
    is_synthetic,
    list_position,
    year,
    region,
    subregion
from incident_rows;
