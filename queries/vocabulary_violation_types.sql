-- One row: one entry of the violation_types vocabulary (stable code, label, and parent where it has one).
-- Parameters: none.
select * from violation_types order by code
