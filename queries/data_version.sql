-- One row: the time act_facts was last rebuilt; it changes after every import,
-- edit or demo load, so caches keyed on it never serve stale figures.
-- Parameters: none.
select coalesce(max(value), '') as data_version from metadata where key = 'facts_refreshed_at'
