"""practitioners."""

import streamlit as st

st.title("practitioners")
st.info("Not available yet.")
