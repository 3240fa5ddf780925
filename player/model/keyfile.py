"""The text form of Ed25519 key files (``signage keygen``), parsed without cryptography.

A key file is one base64 line of the raw 32-byte key, optionally preceded by comment
lines (``# …``). Files written by ``signage keygen`` carry a first comment naming their
kind, so a private key given where a public key belongs is recognised as such; older
files without the comment are still read (their kind is then unknown).

Pure: used by the config validation (``sync.public_key``) and by the bundle code that
turns the raw bytes into keys.
"""

from __future__ import annotations

import base64
import binascii
import enum

PUBLIC_MARK = "# signage Ed25519 public key"
PRIVATE_MARK = "# signage Ed25519 PRIVATE key"
KEY_BYTES = 32


class KeyKind(enum.Enum):
    """What a key file says it holds."""

    PUBLIC = "public"
    PRIVATE = "private"
    UNKNOWN = "unknown"   # an older file without the comment line


class KeyFormatError(ValueError):
    """A key file that cannot be used (the message says why)."""


def parse_key_text(data: bytes) -> tuple[KeyKind, bytes]:
    """(kind, raw 32-byte key) of a key file's bytes.

    Raises:
        KeyFormatError: not text, not base64, not 32 bytes.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KeyFormatError("is not a key file (binary data); use the files written by 'signage keygen'") from None
    kind = KeyKind.UNKNOWN
    body = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if stripped.startswith(PRIVATE_MARK):
                kind = KeyKind.PRIVATE
            elif stripped.startswith(PUBLIC_MARK):
                kind = KeyKind.PUBLIC
            continue
        body.append(stripped)
    if len(body) != 1:
        raise KeyFormatError("is not a key file as written by 'signage keygen' (one base64 line expected)")
    try:
        raw = base64.b64decode(body[0], validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError("is not base64 text as written by 'signage keygen'") from None
    if len(raw) != KEY_BYTES:
        raise KeyFormatError(f"is not an Ed25519 key ({KEY_BYTES} bytes expected, got {len(raw)})")
    return kind, raw


def key_text(raw: bytes, kind: KeyKind) -> bytes:
    """The file form of a raw key: a comment naming its kind, then base64."""
    mark = (f"{PRIVATE_MARK}: keep it offline, never copy it to a player" if kind == KeyKind.PRIVATE
            else f"{PUBLIC_MARK}: for sync.public_key on the players")
    return f"{mark}\n".encode("utf-8") + base64.b64encode(raw) + b"\n"
