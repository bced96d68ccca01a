"""The instance's secret key: kept outside the database, for keyed hashes stored inside it.

A keyed hash (HMAC-SHA256) in the database is worthless to someone holding only a copy of the
database (a backup, a stolen file) as long as the key is not in that copy. So the key lives in
`LCSPR_SECRET_KEY` (at least 32 characters), or else in a file `secret.key` beside the
database, created owner-only (0600) with 32 random bytes on first use. Back it up separately
from the database: without it, the keyed hashes cannot be checked again.

Used for:
- the names in the sign-in failures table (accounts.py), so attempted usernames, which are
  often passwords typed into the wrong box, are never stored in clear (issue 11, finding 13);
- the audit log's anchor (issue 11, finding 6), with `keyed_hash(..., purpose="audit")`.

Each use passes its own `purpose`, so a hash made for one use can never stand for another.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

from lcspr_core.errors import LcsprError

SECRET_KEY_ENV_VAR = "LCSPR_SECRET_KEY"
KEY_FILE_NAME = "secret.key"
MIN_ENV_KEY_LENGTH = 32
_KEY_BYTES = 32

_lock = threading.Lock()
_cache: dict[Path, bytes] = {}


class SecretKeyError(LcsprError):
    """The instance's secret key is missing, unreadable or too short."""


def key_file(db_path: Path) -> Path:
    """Where the key is kept when LCSPR_SECRET_KEY is not set: beside the database."""
    return Path(db_path).resolve().parent / KEY_FILE_NAME


def instance_key(db_path: Path) -> bytes:
    """The secret key of the instance whose database is `db_path`.

    LCSPR_SECRET_KEY if set; otherwise the key file beside the database, created on first use
    (owner-only, written in full before it appears under its name, so two processes starting
    at once agree on one key). Read once per process and kept."""
    from_env = os.environ.get(SECRET_KEY_ENV_VAR, "")
    if from_env:
        if len(from_env) < MIN_ENV_KEY_LENGTH:
            raise SecretKeyError(
                f"{SECRET_KEY_ENV_VAR} is too short: use at least {MIN_ENV_KEY_LENGTH} random "
                "characters."
            )
        return hashlib.sha256(from_env.encode()).digest()
    path = key_file(db_path)
    with _lock:
        if path not in _cache:
            _cache[path] = _read_or_create(path)
        return _cache[path]


def keyed_hash(key: bytes, value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of `value` under `key`, for one `purpose` (e.g. "login_failures"), in hex."""
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _read_or_create(path: Path) -> bytes:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_hex(_KEY_BYTES) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            # A hard link appears only if the name is free and only with the whole key in it:
            # the first process to get here wins, and every other reads the winner's key.
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    status = path.stat()
    if status.st_mode & 0o077 and status.st_uid == os.getuid():
        os.chmod(path, 0o600)
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < _KEY_BYTES:
        raise SecretKeyError(
            f"The secret key file {path} is damaged: restore it from its backup (without it, "
            "stored keyed hashes cannot be checked)."
        )
    return key
