"""documents."""

import streamlit as st

st.title("documents")
st.info("Not available yet.")
