-- One row: one entry of the sdg_categories vocabulary (stable code, label, and parent where it has one).
-- Parameters: none.
select * from sdg_categories order by code
