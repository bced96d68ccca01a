"""rapid_review."""

import streamlit as st

st.title("rapid_review")
st.info("Not available yet.")
