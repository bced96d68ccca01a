"""incident."""

import streamlit as st

st.title("incident")
st.info("Not available yet.")
