"""The app's own accessibility styling (issue 15, WCAG 2.2 AA), drawn once per run by app.py.

Streamlit's default theme greys some text below the 4.5:1 contrast WCAG 1.4.3 asks for
(captions at 3.9:1, disabled labels and placeholders near 2.3:1), and its focus ring on some
widgets is faint. These rules darken that text (still lighter than body text, so a caption
still reads as a caption), give the day, month and year of a date field a 24-pixel target
(2.5.8), and give every focused control a clear outline (2.4.7, 2.4.13).
"""

from __future__ import annotations

import streamlit as st

# #595959 on white is 7.0:1; on Streamlit's grey sidebar (#f0f2f6) 6.3:1.
MUTED = "#595959"
FOCUS = "#1d4f91"  # the theme's primary colour: 8.6:1 on white

ACCESSIBLE_CSS = f"""
<style>
[data-testid="stCaptionContainer"] {{ opacity: 1; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {{ color: {MUTED}; }}
[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"] p {{ color: inherit; }}
label[data-testid="stWidgetLabel"], [data-testid="stWidgetLabel"] {{ color: #31333f; }}
input::placeholder, textarea::placeholder {{ color: {MUTED}; opacity: 1; }}
[data-baseweb="select"] [aria-disabled="true"], [data-baseweb="select"] [disabled] {{
  color: {MUTED};
}}
[data-testid="stFileUploaderDropzoneInstructions"] * {{ color: {MUTED}; }}
.react-aria-DateField [role="spinbutton"] {{
  display: inline-block; min-width: 24px; min-height: 24px; text-align: center;
}}
:focus-visible {{ outline: 3px solid {FOCUS} !important; outline-offset: 2px; }}
</style>
"""


def accessible_style() -> None:
    st.html(ACCESSIBLE_CSS)
