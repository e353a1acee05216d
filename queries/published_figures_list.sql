-- One row: one headline figure published by another organisation, with its
-- definition and citation, for comparison with the project's own counts.
-- Parameters: none.
select * from published_figures order by publisher, year, country, metric, report, value
