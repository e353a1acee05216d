-- One row: one entry of the sectors vocabulary (stable code, label, and parent where it has one).
-- Parameters: none.
select * from sectors order by code
