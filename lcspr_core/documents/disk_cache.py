"""The review-independent work on our own default templates, kept on disk between processes
(issue 14): the first document a new process renders costs about what a warm one does.

Four things are kept, each under a key that covers everything it depends on (the exact input
text or template bytes, and the versions of Python, Jinja and docxtpl), so an entry can only
ever be the answer for its own input:
- the names a template uses (its contract check runs afresh against them on every render);
- docxtpl's patch_xml of each part's XML;
- Jinja's compiled code of each patched part, marshalled as Jinja's own bytecode cache does;
- the template with the parts rendering leaves alone already finished for accessibility
  (accessibility.finish_template), keyed by the template and the finishing code itself.

Only the default templates (shipped with the code) take this path; a partnership's template is
never cached and renders in a limited child process (sandbox.py) as before. Compiled code runs
as Python, so the folder is as private as the code: the user's own cache folder, mode 0700,
files 0600, written atomically; an unreadable or broken entry is ignored and made again.
`LCSPR_TEMPLATE_CACHE` names another folder; set it to an empty value to keep nothing on disk.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from types import CodeType

CACHE_ENV_VAR = "LCSPR_TEMPLATE_CACHE"
_VERSIONS = "|".join(
    [sys.version, version("jinja2"), version("docxtpl"), version("python-docx"), "lcspr-1"]
)


def _folder() -> Path | None:
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured is not None:
        return Path(configured) if configured else None
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "lcspr-workbench" / "templates"


def _path(kind: str, key_text: str | bytes) -> Path | None:
    folder = _folder()
    if folder is None:
        return None
    data = key_text.encode() if isinstance(key_text, str) else key_text
    key = hashlib.sha256(_VERSIONS.encode() + b"\0" + kind.encode() + b"\0" + data).hexdigest()
    return folder / f"{kind}-{key}"


def _read(path: Path | None) -> bytes | None:
    """The entry's payload, or None if there is none or it is not whole (each file starts
    with the SHA-256 of its payload, so a damaged or half-written one is made again)."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest, _, payload = data.partition(b"\n")
    return payload if hashlib.sha256(payload).hexdigest().encode() == digest else None


def _write(path: Path | None, data: bytes) -> None:
    """Atomically, privately; a folder that cannot be written just keeps nothing."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def template_names(template_bytes: bytes) -> set[str] | None:
    """The names a template uses, as found before, or None."""
    data = _read(_path("names", template_bytes))
    if data is None:
        return None
    try:
        names = json.loads(data)
    except ValueError:
        return None
    return set(names) if isinstance(names, list) else None


def keep_template_names(template_bytes: bytes, names: set[str]) -> None:
    _write(_path("names", template_bytes), json.dumps(sorted(names)).encode())


def patched_xml(source_xml: str) -> str | None:
    data = _read(_path("patched", source_xml))
    try:
        return data.decode() if data is not None else None
    except UnicodeDecodeError:
        return None


def keep_patched_xml(source_xml: str, patched: str) -> None:
    _write(_path("patched", source_xml), patched.encode())


def compiled(source: str, environment_key: str) -> CodeType | None:
    """Jinja's compiled code of `source` for the environment described by `environment_key`."""
    data = _read(_path("jinja", environment_key + "\0" + source))
    if data is None:
        return None
    try:
        code = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def keep_compiled(source: str, environment_key: str, code: CodeType) -> None:
    _write(_path("jinja", environment_key + "\0" + source), marshal.dumps(code))


def finished_template(template_bytes: bytes, rules: bytes) -> bytes | None:
    """The template as accessibility.finish_template made it, for finishing code `rules`."""
    return _read(_path("finished", rules + b"\0" + template_bytes))


def keep_finished_template(template_bytes: bytes, rules: bytes, finished: bytes) -> None:
    _write(_path("finished", rules + b"\0" + template_bytes), finished)
