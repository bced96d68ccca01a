"""The instance key: a secret kept outside the database, for keyed hashes stored inside it.

A copy of the database (a backup, a stolen file) then holds no way to recompute the audit
chain or to test guesses against the hashed sign-in names. The key is the file `lcspr.key`
beside the database file, made once with 32 random bytes and readable only by its owner, or
the hex in LCSPR_SECRET_KEY (for a deployment that keeps secrets elsewhere).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from lcspr_core.errors import StorageError

KEY_ENV_VAR = "LCSPR_SECRET_KEY"
KEY_FILE_NAME = "lcspr.key"
KEY_BYTES = 32


def key_path(db_path: Path | str) -> Path:
    """Where the key file for the database at `db_path` lives."""
    return Path(db_path).resolve().parent / KEY_FILE_NAME


def instance_key(db_path: Path | str) -> bytes:
    """The key for the database at `db_path`: LCSPR_SECRET_KEY (hex) if set, else the key
    file beside the database, created (0600) on first use."""
    configured = os.environ.get(KEY_ENV_VAR, "").strip()
    if configured:
        try:
            key = bytes.fromhex(configured)
        except ValueError as exc:
            raise StorageError(f"{KEY_ENV_VAR} must be hexadecimal.") from exc
        if len(key) < 16:
            raise StorageError(f"{KEY_ENV_VAR} must hold at least 16 bytes (32 hex digits).")
        return key
    path = key_path(db_path)
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole to a private temporary name, then linked into place: link() never
    # replaces an existing file, so two processes starting at once agree on one key, and
    # nobody ever reads a half-written one.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    key = path.read_bytes()
    if len(key) < 16:
        raise StorageError(f"The key file {path} is damaged; restore it from where you keep it.")
    return key
