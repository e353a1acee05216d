-- Statement, run only by dashboard.edits.apply_edit inside its transaction (with the
-- audit entry and the fact tables' refresh): sets each editable field of act
-- $record_id whose $set_<field> is true to $<field>; the others keep their value.
-- The fields are dashboard.edits.EDITABLE["acts"] (a test checks).
-- Parameters: $record_id, and $set_<field>, $<field> for each field.
update acts set
    violation_code = case when $set_violation_code then $violation_code else violation_code end,
    act_date = case when $set_act_date then $act_date else act_date end,
    date_precision = case when $set_date_precision then $date_precision else date_precision end,
    description = case when $set_description then $description else description end
where act_id = $record_id
