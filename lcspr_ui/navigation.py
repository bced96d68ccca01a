"""The sidebar's page menu, drawn below the review picker.

st.navigation's own menu always sits at the top of the sidebar, above anything drawn there, so
the picker and the next deadline would come second (issue 10). The router registers the pages
with position="hidden" and this module lists them, grouped as before, after the picker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st
from streamlit.navigation.page import StreamlitPage


def navigation_links(groups: Mapping[str, Sequence[StreamlitPage]]) -> None:
    """Every page as a link, under its group's name, in the sidebar."""
    with st.sidebar, st.container(key="nav"):
        for group, pages in groups.items():
            st.caption(group)
            for page in pages:
                st.page_link(page, width="stretch")
