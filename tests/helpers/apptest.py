"""Finding a form's widget in an AppTest.

A generated form draws its widgets under `form.field#opening` keys, new for each opening of
the form (see lcspr_ui/forms.py), so tests name a field by the part before the '#'.
"""

from __future__ import annotations

from typing import Any


def field(widgets: Any, key: str) -> Any:
    """The one widget among `widgets` (e.g. `at.text_area`) whose key is `key` or `key#…`."""
    found = [w for w in widgets if w.key == key or (w.key or "").split("#")[0] == key]
    assert len(found) == 1, f"expected one widget keyed {key!r}, found {len(found)}"
    return found[0]
