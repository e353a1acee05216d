-- Statement, run only by dashboard.edits.apply_edit inside its transaction (with the
-- audit entry and the fact tables' refresh): sets each editable field of incident
-- $record_id whose $set_<field> is true to $<field>; the others keep their value.
-- The fields are dashboard.edits.EDITABLE["incidents"] (a test checks).
-- Parameters: $record_id, and $set_<field>, $<field> for each field.
update incidents set
    title = case when $set_title then $title else title end,
    summary = case when $set_summary then $summary else summary end,
    place = case when $set_place then $place else place end,
    start_date = case when $set_start_date then $start_date else start_date end,
    end_date = case when $set_end_date then $end_date else end_date end,
    date_precision = case when $set_date_precision then $date_precision else date_precision end,
    country_code = case when $set_country_code then $country_code else country_code end,
    visibility = case when $set_visibility then $visibility else visibility end
where incident_id = $record_id
