"""Case text shown as the words typed, never as Markdown (issue 11, finding 13).

st.markdown, st.title, st.error and expander labels all read their text as Markdown: a
chronology entry holding `![x](http://evil/x.png)` would make every viewer's browser fetch
that address, and `[click](http://…)` would show a live link. Text that came from a person
(case text, names, uploaded file headings) goes through `literal()` before it is put into a
Markdown string, or is shown with st.text.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark and is then shown
# as itself. These start Markdown anywhere in a line: emphasis, code, links and images
# (`[`, `]`, `(`, `)`, `!`), HTML and autolinks (`<`, `>`), entities (`&`), tables, strike
# through, Streamlit's `:red[...]` and `$maths$`, and the `:` of a bare `http://` address that
# GitHub-style Markdown would turn into a link. Full stops and hyphens are left alone (so
# sentences read the same in the source) except where they would start a list or a heading,
# or make a bare `www.` address.
_ANYWHERE = re.compile(r"([\\`*_{}\[\]()#!|~<>$:&])")
_LINE_START = re.compile(r"^([ \t]*(?:\d+(?=[.)]))?)([-+=.)])", re.MULTILINE)
_WWW = re.compile(r"(?i)\b(www)\.")


def literal(text: object) -> str:
    """`text` escaped so that, inside st.markdown and friends, it shows exactly as typed."""
    escaped = _ANYWHERE.sub(r"\\\1", str(text).replace("\r\n", "\n"))
    escaped = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    escaped = _WWW.sub(r"\1\\.", escaped)
    # A line break inside a field stays a line break (two spaces, then the newline).
    return escaped.replace("\n", "  \n")
