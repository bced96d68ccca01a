"""recommendations."""

import streamlit as st

st.title("recommendations")
st.info("Not available yet.")
