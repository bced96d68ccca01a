"""findings."""

import streamlit as st

st.title("findings")
st.info("Not available yet.")
