"""Partnership templates render in a child process with a memory limit and a time limit.

The Jinja sandbox stops a template reaching into Python, but not one that loops for hours
(`range` is capped at 100,000 items, so two nested loops make 10 billion steps) or builds a
string of gigabytes (`'x' * 10**10`). A partnership's template is an administrator's upload,
not code we wrote, so it renders in a fresh process ('spawn': nothing of the app's memory,
database connection or threads is inherited) whose address space is capped with
RLIMIT_AS and which is killed when the wall-clock limit passes. The app itself never hangs or
runs out of memory because of a template. The default templates are ours and render in-process.
"""

from __future__ import annotations

import multiprocessing
import resource
from multiprocessing.connection import Connection
from typing import Any

from lcspr_core.documents.errors import TemplateError, TemplateSecurityError
from lcspr_core.documents.templates import TemplateSource, render_in_process

MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
TIMEOUT_SECONDS = 60.0

# How a child's outcome travels back through the pipe: ("ok", bytes), ("error", kind, message)
# with kind naming the TemplateError class to raise again, or ("memory", "").
_ERRORS: dict[str, type[TemplateError]] = {
    "TemplateError": TemplateError,
    "TemplateSecurityError": TemplateSecurityError,
}


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
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    memory_limit = MEMORY_LIMIT_BYTES if memory_limit is None else memory_limit
    spawn = multiprocessing.get_context("spawn")
    receiver, sender = spawn.Pipe(duplex=False)
    child = spawn.Process(
        target=_child_main,
        kwargs={"sender": sender, "source": source, "context": context,
                "memory_limit": memory_limit},
        name=f"render {source.name}",
        daemon=True,
    )  # fmt: skip
    child.start()
    sender.close()  # the parent's copy: once the child exits, a read sees end-of-file
    try:
        outcome = _receive(receiver, timeout=timeout)
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome[0] == "ok":
        data: bytes = outcome[1]
        return data
    if outcome[0] == "timeout":
        raise TemplateLimitError(
            f"{source.name} was stopped: it was still being filled in after {timeout:g} seconds "
            "(a loop that runs too long?). Simplify the template and upload it again."
        )
    if outcome[0] in ("memory", "died"):
        # A child that dies without a word was killed by the system, almost always for memory.
        raise TemplateLimitError(_too_much_memory(source, memory_limit))
    raise _ERRORS.get(outcome[1], TemplateError)(outcome[2])


def _receive(receiver: Connection, *, timeout: float) -> tuple[Any, ...]:
    """The child's outcome, ("timeout",) if none came in time, ("died",) if it sent none."""
    if not receiver.poll(timeout):
        return ("timeout",)
    try:
        outcome: tuple[Any, ...] = receiver.recv()
    except EOFError:
        return ("died",)
    return outcome


def _too_much_memory(source: TemplateSource, memory_limit: int) -> str:
    return (
        f"{source.name} was stopped: filling it in needed more than "
        f"{memory_limit // (1024 * 1024):,} MB of memory (a value repeated too many times?). "
        "Simplify the template and upload it again."
    )


def _child_main(
    *, sender: Connection, source: TemplateSource, context: dict[str, Any], memory_limit: int
) -> None:
    """Runs in the child: cap the address space, render, send the outcome back."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dump of a case's data
    try:
        try:
            sender.send(("ok", render_in_process(source=source, context=context)))
        except MemoryError:
            sender.send(("memory", ""))
        except TemplateError as exc:
            sender.send(("error", type(exc).__name__, str(exc)))
        except Exception as exc:
            # The process boundary: anything else (lxml, python-docx) comes back as a plain
            # refusal, naming only the error's kind. Its text or a traceback on stderr could
            # quote the case's data.
            message = f"{source.name} could not be filled in ({type(exc).__name__})."
            sender.send(("error", "TemplateError", message))
    finally:
        sender.close()
