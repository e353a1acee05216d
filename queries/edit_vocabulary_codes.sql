-- One row: one code of a vocabulary that an editable field takes, with its label: the
-- Edit page offers these as the field's choices (dashboard.edits.choices).
-- Parameters: none.
select vocabulary, code, label
from (
    select 'violation_types' as vocabulary, code, label from violation_types
    union all select 'date_precisions', code, label from date_precisions
    union all select 'visibilities', code, label from visibilities
    union all select 'genders', code, label from genders
    union all select 'countries', country_code, name from countries
)
order by vocabulary, label, code
