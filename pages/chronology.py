"""chronology."""

import streamlit as st

st.title("chronology")
st.info("Not available yet.")
