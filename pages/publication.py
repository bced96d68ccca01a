"""publication."""

import streamlit as st

st.title("publication")
st.info("Not available yet.")
