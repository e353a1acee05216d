"""Analytical dashboard of attacks on human rights defenders.

The core modules (settings, db, sql, filters, metrics, charts, export, ingest,
report, cli) never import Streamlit, so the same logic serves the command line,
the reports and the tests; only app.py, cache.py, app_pages/ and components/ do.
"""
