"""The publisher's side: ``signage keygen`` and ``signage bundle build``.

A bundle is a plain folder any static HTTP server or CDN can serve (DESIGN.md section 4).
``build_bundle`` validates every file with exactly the rules the player applies (the same
scanner, parser and picture check as ``signage check``) and refuses to publish anything
broken; writes each object once (named by its sha256, so unchanged files cost players
nothing); then writes ``manifest.json`` and ``manifest.json.sig`` last, each atomically,
so a server never serves a manifest whose objects are missing. Old objects are kept:
players in the middle of a sync may still fetch them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from player.fsutil import atomic_write
from player.model.limits import Limits
from player.model.problems import ContentError, Problem
from player.sources.documents import needs_conversion
from player.sources.bundle import FORMAT, canonical_json, generate_keypair, sign
from player.sources.folder import FolderScanner
from player.sources.ingest import Ingest


class PublishError(Exception):
    """The bundle was not written; ``problems`` says why (one line each)."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Built:
    """What ``build_bundle`` wrote."""

    version: int
    files: int
    new_objects: int
    signed: bool


def keygen(prefix: Path) -> tuple[Path, Path]:
    """Write ``PREFIX.key`` (mode 0600) and ``PREFIX.pub``; never overwrites a key."""
    private_path, public_path = Path(f"{prefix}.key"), Path(f"{prefix}.pub")
    for path in (private_path, public_path):
        if path.exists():
            raise PublishError(f"{path} exists; choose another prefix (a key is never overwritten)")
    private, public = generate_keypair()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private)
    atomic_write(public_path, public)
    return private_path, public_path


def previous_version(out: Path) -> int:
    """The version of the manifest already in ``out`` (0 if none)."""
    try:
        return int(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["version"])
    except FileNotFoundError:
        return 0
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PublishError(f"{out / 'manifest.json'} is unreadable ({exc}); fix or remove it") from None


def _converted(files: dict[str, bytes], ingest: Ingest) -> dict[str, bytes]:
    """Old Word/WPS/RTF/ODT files replaced by the ``.docx`` they were read as, so the
    players need no LibreOffice (a sidecar ``.yaml`` matches by stem either way)."""
    converter = ingest.converter
    if converter is None or not converter.available:
        return files
    out = {}
    for path, data in files.items():
        stem, suffix = posixpath.splitext(path)
        target = stem + ".docx"
        if needs_conversion(suffix.lower(), data) and (target == path or target not in files):
            try:
                out[target] = converter.to_docx(data, suffix.lower())
                continue
            except ContentError:
                pass  # it passed the scan; keep the original for the players to convert
        out[path] = data
    return out


def build_bundle(src: Path, out: Path, key: Ed25519PrivateKey | None, version: int | None = None,
                 expires_days: float | None = None, limits: Limits = Limits(),
                 now: dt.datetime | None = None, ingest: Ingest | None = None) -> Built:
    """Validate ``src`` and write it as a bundle into ``out``.

    ``ingest`` reads the files (default: validation only, without LibreOffice, so old
    Word/WPS files are refused); it is closed afterwards.

    Raises:
        PublishError: a content problem (nothing is written), or a version that would not
            be newer than the one already published.
    """
    ingest = ingest or Ingest("bundle", limits)  # validation only: pictures decoded in the sandbox
    try:
        scanner = FolderScanner.once(src, limits, ingest)
        library = scanner.scan()
    finally:
        ingest.close()
    if library.problems:
        raise PublishError(f"{len(library.problems)} problem(s) in {src}; nothing was published",
                           library.problems)
    files = _converted(scanner.contents(), ingest)
    if not files:
        raise PublishError(f"{src} holds no content; nothing was published")
    before = previous_version(out)
    version = before + 1 if version is None else version
    if version <= before:
        raise PublishError(f"version {version} is not above the published version {before}")
    now = now or dt.datetime.now(dt.timezone.utc)
    entries = []
    new = 0
    for path in sorted(files):
        data = files[path]
        sha = hashlib.sha256(data).hexdigest()
        target = out / "objects" / sha[:2] / sha
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, data)
            new += 1
        entries.append({"path": path, "sha256": sha, "size": len(data)})
    manifest = canonical_json({
        "format": FORMAT, "version": version, "created": now.isoformat(timespec="seconds"),
        "expires": (now + dt.timedelta(days=expires_days)).isoformat(timespec="seconds") if expires_days else None,
        "files": entries})
    atomic_write(out / "manifest.json", manifest)
    if key is not None:
        atomic_write(out / "manifest.json.sig", sign(manifest, key))
    else:
        (out / "manifest.json.sig").unlink(missing_ok=True)
    return Built(version, len(entries), new, key is not None)
