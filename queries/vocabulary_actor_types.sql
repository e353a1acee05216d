-- One row: one entry of the actor_types vocabulary (stable code, label, and parent where it has one).
-- Parameters: none.
select * from actor_types order by code
