-- One row: one published headline figure (year, report, value, definition,
-- citation) of one publisher's metric for one country or the world.
-- Parameters: $publisher, $metric, $country ('World' for the world).
select year, report, value as published_value, definition, cited_via
from published_figures
where publisher = $publisher and metric = $metric and country = $country
