"""The bundle format (DESIGN.md section 4): canonical manifests, Ed25519 keys, verification.

No network and no files here: :func:`verify_manifest` decides, from bytes and one
reference time, whether a manifest may be activated — the role of python-tuf's
trusted-metadata set. Everything that is wrong with a bundle raises
:class:`RepositoryError` (refuse it, keep the current one, report it); network trouble is
the fetcher's :class:`~player.sources.fetch.DownloadError` (back off, keep showing).

Checks, in order: size and JSON shape; the Ed25519 signature over the exact manifest
bytes with the configured public key (unless unsigned bundles are explicitly allowed);
``version`` not below the stored one (rollback); not expired; every path relative,
normalised, inside the bundle, not junk, without duplicates; sizes and sha256 well formed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from player.model.keyfile import KeyFormatError, KeyKind, key_text, parse_key_text

FORMAT = 1
MAX_MANIFEST = 1024 * 1024
MAX_FILES = 10_000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class RepositoryError(Exception):
    """The source served a bundle that must not be shown (one line: what is wrong)."""


class SignatureError(RepositoryError):
    """The signature is missing or does not verify: either an attack, or a fetch that fell
    between the publisher's writes of ``manifest.json`` and ``manifest.json.sig``."""


class ExpiredError(RepositoryError):
    """The source serves only an expired manifest: the screen's content is stale (a
    publisher who stopped publishing, or a replayed old manifest — TUF's freeze attack)."""


class KeyFileError(ValueError):
    """A key file that cannot be used."""


@dataclass(frozen=True)
class BundleFile:
    """One file of a bundle."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """A verified manifest."""

    version: int
    created: dt.datetime
    expires: dt.datetime | None
    files: tuple[BundleFile, ...]
    signed: bool


def canonical_json(data: dict) -> bytes:
    """The one byte form of a manifest: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# --- keys ---------------------------------------------------------------------------------

def generate_keypair() -> tuple[bytes, bytes]:
    """(private key file text, public key file text): a comment naming the kind, then
    base64 of the raw 32-byte key (:mod:`player.model.keyfile`)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key_text(private, KeyKind.PRIVATE), key_text(public, KeyKind.PUBLIC)


def _raw_key(path: Path, want: KeyKind) -> bytes:
    what = f"{want.value} key {path}"
    try:
        kind, raw = parse_key_text(path.read_bytes()[:4096])
    except KeyFormatError as exc:
        raise KeyFileError(f"{what} {exc}") from None
    if kind not in (want, KeyKind.UNKNOWN):
        raise KeyFileError(f"{what} is a {kind.value} key; give the {want.value} one "
                           f"({'PREFIX.pub' if want == KeyKind.PUBLIC else 'PREFIX.key'})")
    return raw


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key from a ``PREFIX.key`` file.

    Raises:
        KeyFileError: not a private key file; OSError: unreadable.
    """
    return Ed25519PrivateKey.from_private_bytes(_raw_key(path, KeyKind.PRIVATE))


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The verification key from a ``PREFIX.pub`` file.

    Raises:
        KeyFileError: not a public key file; OSError: unreadable.
    """
    return Ed25519PublicKey.from_public_bytes(_raw_key(path, KeyKind.PUBLIC))


def sign(manifest: bytes, key: Ed25519PrivateKey) -> bytes:
    """``manifest.json.sig``: base64 of the Ed25519 signature over the exact bytes."""
    return base64.b64encode(key.sign(manifest)) + b"\n"


# --- verification ---------------------------------------------------------------------------

def _time(value: object, field: str) -> dt.datetime:
    if not isinstance(value, str):
        raise RepositoryError(f"manifest {field} is not an ISO-8601 time")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RepositoryError(f"manifest {field} is not an ISO-8601 time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def check_path(path: object) -> str:
    """A bundle path that is safe to use, or :class:`RepositoryError`."""
    if not isinstance(path, str) or not path:
        raise RepositoryError("manifest has a file without a path")
    if "\\" in path or "\x00" in path or path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise RepositoryError(f"manifest path {path!r} is not relative")
    normal = posixpath.normpath(path)
    if normal != path or normal == "." or normal.startswith("../") or normal == ".." or "/../" in f"/{normal}/":
        raise RepositoryError(f"manifest path {path!r} leaves the bundle or is not normalised")
    return path


def verify_manifest(data: bytes, signature: bytes | None, public_key: Ed25519PublicKey | None,
                    min_version: int, now: dt.datetime, allow_unsigned: bool = False) -> Manifest:
    """Decide whether a manifest may be activated.

    Args:
        data: the exact bytes served as manifest.json.
        signature: the bytes served as manifest.json.sig (None if absent).
        public_key: ``sync.public_key``; None only with ``allow_unsigned``.
        min_version: the version active now (the new one may not be lower).
        now: the reference time for expiry (a trusted time).

    Raises:
        RepositoryError: anything that makes the bundle unacceptable.
    """
    if len(data) > MAX_MANIFEST:
        raise RepositoryError(f"manifest is {len(data)} bytes, over the {MAX_MANIFEST} byte limit")
    signed = False
    if public_key is not None:
        if signature is None:
            raise SignatureError("manifest is not signed but a public key is configured")
        try:
            raw = base64.b64decode(signature.strip(), validate=True)
            public_key.verify(raw, data)
        except (binascii.Error, ValueError, InvalidSignature):
            raise SignatureError("manifest signature does not verify with sync.public_key "
                                  "(tampered, or signed with another key)") from None
        signed = True
    elif not allow_unsigned:
        raise RepositoryError("no sync.public_key configured and unsigned bundles are not allowed")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RepositoryError(f"manifest is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RepositoryError(f"manifest format is not {FORMAT}")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RepositoryError("manifest version is not a positive whole number")
    if version < min_version:
        raise RepositoryError(f"manifest version {version} is older than the active version {min_version} "
                              "(rollback refused)")
    created = _time(doc.get("created"), "created")
    expires = None if doc.get("expires") is None else _time(doc.get("expires"), "expires")
    if expires is not None and expires <= now:
        raise ExpiredError(f"manifest expired at {expires.isoformat()}; the publisher must publish again")
    files = doc.get("files")
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise RepositoryError("manifest files is not a list of at most 10,000 entries")
    seen: set[str] = set()
    out = []
    for entry in files:
        if not isinstance(entry, dict):
            raise RepositoryError("manifest file entry is not an object")
        path = check_path(entry.get("path"))
        if path.lower() in seen:
            raise RepositoryError(f"manifest lists {path!r} twice")
        seen.add(path.lower())
        sha, size = entry.get("sha256"), entry.get("size")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise RepositoryError(f"manifest sha256 of {path!r} is not 64 hex digits")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise RepositoryError(f"manifest size of {path!r} is not a whole number")
        out.append(BundleFile(path, sha, size))
    return Manifest(version, created, expires, tuple(out), signed)
