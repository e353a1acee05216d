-- One row: one audit log entry (who, when, what, filters, row count, and for
-- edits the values before and after), newest first.
-- Parameters: $row_limit.
select audit_id, logged_at, username, action, target, filters, row_count, before, after
from audit_log
order by logged_at desc, audit_id desc
limit $row_limit
