"""setup."""

import streamlit as st

st.title("setup")
st.info("Not available yet.")
