"""Partnership templates render in a child process with a memory limit and a time limit.

The Jinja sandbox stops a template reaching into Python, but not one that loops for hours
(`range` is capped at 100,000 items, so two nested loops make 10 billion steps) or builds a
string of gigabytes (`'x' * 10**10`). A partnership's template is an administrator's upload,
not code we wrote, so it renders in a fresh Python process (nothing of the app's memory,
database connection or threads is inherited) whose address space is capped with RLIMIT_AS
and which is killed when the wall-clock limit passes. The app never hangs or runs out of
memory because of a template. The default templates are ours and render in-process.

Why `subprocess` and not multiprocessing's 'spawn' or 'forkserver': both re-import
`sys.modules['__main__']` in every child, and while a page runs Streamlit sets that to the
page's script, so the child would run the page again (tests/test_app_templates_admin.py caught
the child running pages/administration.py). `python -m lcspr_core.documents.sandbox` imports
only this module. The two sides speak JSON, not pickle: the child has just run untrusted
content, so nothing it sends back is ever unpickled.
"""

from __future__ import annotations

import base64
import json
import math
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

from lcspr_core.documents.errors import TemplateError, TemplateSecurityError
from lcspr_core.documents.templates import (
    TemplateSource,
    render_in_process,
    template_variables_in_process,
)

MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
TIMEOUT_SECONDS = 60.0

# The request names an operation: "render" (fill the template in with the context) or
# "check_contract" (the names the template uses, for templates.check_template: working them out
# makes Jinja fold constant expressions, so it is as dangerous as rendering).
# The child's reply: one JSON line ({"outcome": "ok" | "memory" | "error", ...}), then for
# "render" the document's bytes; "check_contract" puts the names in the line.
_ERRORS: dict[str, type[TemplateError]] = {
    "TemplateError": TemplateError,
    "TemplateSecurityError": TemplateSecurityError,
}

# Contract checks by the template's SHA-256: the Administration page lists the partnership's
# templates on every rerun and each render checks first, and the same bytes always give the
# same answer, so a child is started once per file content, not once per click. A refusal is
# kept too (as its error's kind and message): a template that ran out of time once would
# otherwise hold up every later view for the whole time limit again.
_CONTRACT_CACHE_LIMIT = 256
_GERUNDS = {"render": "filling it in", "check_contract": "checking it"}
_CONTRACTS: dict[str, frozenset[str] | tuple[str, str]] = {}  # "name:sha256" → answer


class TemplateLimitError(TemplateError):
    """A partnership template took too long or too much memory to fill in; it was stopped."""


def render_in_child(
    *,
    source: TemplateSource,
    context: dict[str, Any],
    timeout: float | None = None,
    memory_limit: int | None = None,
) -> bytes:
    """Render `source` in a child process; raise TemplateLimitError if it runs past `timeout`
    seconds (the child is killed) or past `memory_limit` bytes of address space (by default
    TIMEOUT_SECONDS and MEMORY_LIMIT_BYTES, read at each call)."""
    _outcome, body = _run_child(
        source=source, operation="render", extra={"context": context}, timeout=timeout,
        memory_limit=memory_limit, doing="filled in",
    )  # fmt: skip
    return body


def template_variables_in_child(
    *, source: TemplateSource, timeout: float | None = None, memory_limit: int | None = None
) -> frozenset[str]:
    """The top-level names `source` uses, worked out in a child process with the same limits
    as rendering; kept by the file's SHA-256 (refusals too), so asking again is free."""
    # By name too: a refusal's message names the file.
    key = f"{source.name}:{source.sha256}"
    kept = _CONTRACTS.get(key)
    if kept is None:
        try:
            outcome, _body = _run_child(
                source=source, operation="check_contract", extra={}, timeout=timeout,
                memory_limit=memory_limit, doing="checked",
            )  # fmt: skip
            kept = frozenset(str(name) for name in outcome.get("names", []))
        except TemplateError as exc:
            kept = (type(exc).__name__, str(exc))
        if len(_CONTRACTS) >= _CONTRACT_CACHE_LIMIT:
            _CONTRACTS.pop(next(iter(_CONTRACTS)))
        _CONTRACTS[key] = kept
    if isinstance(kept, tuple):
        kind, message = kept
        error = TemplateLimitError if kind == "TemplateLimitError" else _ERRORS.get(kind)
        raise (error or TemplateError)(message)
    return kept


def _run_child(
    *,
    source: TemplateSource,
    operation: str,
    extra: dict[str, Any],
    timeout: float | None,
    memory_limit: int | None,
    doing: str,
) -> tuple[dict[str, Any], bytes]:
    """Send one request to a fresh child; (its reply line, the bytes after it), or the
    child's refusal raised here."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    memory_limit = MEMORY_LIMIT_BYTES if memory_limit is None else memory_limit
    request = json.dumps(
        {
            "operation": operation, "name": source.name, "path": str(source.path),
            "origin": source.origin, "data": base64.b64encode(source.data).decode("ascii"),
            "memory_limit": memory_limit, "cpu_seconds": math.ceil(timeout) + 1, **extra,
        }
    ).encode()  # fmt: skip
    # stderr is dropped: a traceback there could quote the case's data.
    child = subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        reply, _ = child.communicate(request, timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        # Filling in runs the template's loops; checking only works out constant expressions.
        cause = "a loop that runs too long" if operation == "render" else "a huge calculation"
        raise TemplateLimitError(
            f"{source.name} was stopped: it was still being {doing} after {timeout:g} seconds "
            f"({cause}?). Simplify the template and upload it again."
        ) from None
    header, _, body = reply.partition(b"\n")
    try:
        outcome: dict[str, Any] = json.loads(header)
    except ValueError:
        # A child that dies without a word was killed by the system, almost always for memory.
        outcome = {"outcome": "memory"}
    if outcome["outcome"] == "ok":
        return outcome, body
    if outcome["outcome"] == "memory":
        raise TemplateLimitError(
            f"{source.name} was stopped: {_GERUNDS[operation]} needed more than "
            f"{memory_limit // (1024 * 1024):,} MB of memory (a value repeated too many times?). "
            "Simplify the template and upload it again."
        )
    raise _ERRORS.get(outcome.get("error", ""), TemplateError)(outcome.get("message", ""))


def _child_main() -> None:
    """Runs in the child: read the request, cap memory and CPU time, do the operation, reply."""
    request = json.loads(sys.stdin.buffer.read())
    memory_limit = int(request["memory_limit"])
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    # A backstop should the app die and leave the child running: the kernel stops it.
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dump of a case's data
    source = TemplateSource(
        name=request["name"], path=Path(request["path"]), origin=request["origin"],
        data=base64.b64decode(request["data"]),
    )  # fmt: skip
    checking = request.get("operation") == "check_contract"
    out = sys.stdout.buffer
    try:
        if checking:
            names = sorted(template_variables_in_process(source))
        else:
            data = render_in_process(source=source, context=request["context"])
    except MemoryError:
        out.write(json.dumps({"outcome": "memory"}).encode() + b"\n")
    except TemplateError as exc:
        reply = {"outcome": "error", "error": type(exc).__name__, "message": str(exc)}
        out.write(json.dumps(reply).encode() + b"\n")
    except Exception as exc:
        # The process boundary: anything else (lxml, python-docx) comes back as a plain
        # refusal naming only the error's kind, since its text could quote the case's data.
        doing = "checked" if checking else "filled in"
        message = f"{source.name} could not be {doing} ({type(exc).__name__})."
        reply = {"outcome": "error", "error": "TemplateError", "message": message}
        out.write(json.dumps(reply).encode() + b"\n")
    else:
        if checking:
            out.write(json.dumps({"outcome": "ok", "names": names}).encode() + b"\n")
        else:
            out.write(json.dumps({"outcome": "ok"}).encode() + b"\n" + data)
    out.flush()


if __name__ == "__main__":
    _child_main()
