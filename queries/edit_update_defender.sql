-- Statement, run only by dashboard.edits.apply_edit inside its transaction (with the
-- audit entry and the fact tables' refresh): sets each editable field of defender
-- $record_id whose $set_<field> is true to $<field>; the others keep their value.
-- The fields are dashboard.edits.EDITABLE["defenders"] (a test checks).
-- Parameters: $record_id, and $set_<field>, $<field> for each field.
update defenders set
    name = case when $set_name then $name else name end,
    gender_code = case when $set_gender_code then $gender_code else gender_code end,
    is_name_public = case when $set_is_name_public then $is_name_public else is_name_public end,
    visibility = case when $set_visibility then $visibility else visibility end,
    description = case when $set_description then $description else description end
where defender_id = $record_id
