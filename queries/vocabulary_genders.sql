-- One row: one entry of the genders vocabulary (stable code, label, and parent where it has one).
-- Parameters: none.
select * from genders order by code
