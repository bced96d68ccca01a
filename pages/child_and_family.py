"""child_and_family."""

import streamlit as st

st.title("child_and_family")
st.info("Not available yet.")
