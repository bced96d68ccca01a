"""Shared Streamlit widgets for the pages. The core (lcspr_core) never imports this package."""
