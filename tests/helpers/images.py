"""Small real images made in the test, so no binary fixture hides what a test feeds in."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(width: int = 120, height: int = 40, *, rgb: tuple[int, int, int] = (20, 80, 160)) -> bytes:
    """A solid-colour RGB PNG of the given size."""
    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(row * height, 9))
        + _chunk(b"IEND", b"")
    )


def png_bomb() -> bytes:
    """A PNG whose header claims 60,000 × 60,000 pixels (gigabytes once decoded) in a few
    hundred bytes: the image data is a truncated stream, never meant to be decoded."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 100_000, 9))
        + _chunk(b"IEND", b"")
    )
