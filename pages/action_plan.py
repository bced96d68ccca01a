"""action_plan."""

import streamlit as st

st.title("action_plan")
st.info("Not available yet.")
