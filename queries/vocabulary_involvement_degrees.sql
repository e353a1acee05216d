-- One row: one entry of the involvement_degrees vocabulary (stable code, label, and parent where it has one).
-- Parameters: none.
select * from involvement_degrees order by code
