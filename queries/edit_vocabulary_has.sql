-- One row: found, how many codes of the vocabulary $vocabulary equal $value (0 or 1).
-- dashboard.edits checks a coded field's new value with it before a change.
-- Parameters: $vocabulary (violation_types, date_precisions, visibilities, genders,
-- countries: the kinds in dashboard.edits.EDITABLE), $value.
select count(*) as found
from (
    select 'violation_types' as vocabulary, code from violation_types
    union all select 'date_precisions', code from date_precisions
    union all select 'visibilities', code from visibilities
    union all select 'genders', code from genders
    union all select 'countries', country_code from countries
)
where vocabulary = $vocabulary and code = $value
