"""Streamlit widgets with their own state: the filter sidebar, download rows, badges."""
