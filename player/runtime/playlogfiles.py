"""The play log's day files on disk: counting and reading their first line, cutting off a
torn end left by a power cut, compressing a finished day (temp file, fsync, rename)."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
from pathlib import Path

from player.fsutil import fsync_dir
from player.runtime.playlogread import read_text

log = logging.getLogger("player.runtime.playlog")


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 16), b""))


def first_line(path: Path) -> dict | None:
    try:
        lines = read_text(path).split("\n", 1)
        value = json.loads(lines[0])
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def repair_tail(path: Path) -> None:
    """Cut off a torn end (no newline, or not JSON) left by a power cut during an append."""
    raw = path.read_bytes()
    good = len(raw)
    while good > 0:
        if raw[good - 1:good] != b"\n":  # no newline: the append stopped in the middle
            good = raw.rfind(b"\n", 0, good) + 1
            continue
        start = raw.rfind(b"\n", 0, good - 1) + 1
        try:
            json.loads(raw[start:good])
            break
        except ValueError:  # a whole line of garbage (e.g. NULs after a power cut)
            good = start
    if good < len(raw):
        with open(path, "r+b") as handle:
            handle.truncate(good)
            handle.flush()
            os.fsync(handle.fileno())
        log.warning("play log: %s ended with an incomplete line (%d bytes, a power cut during a write); "
                    "cut it off and continued", path, len(raw) - good)


def compress(path: Path) -> None:
    """``X.jsonl`` -> ``X.jsonl.gz``: temp file, fsync, rename, then remove the original."""
    target = path.with_name(path.name + ".gz")
    if not target.exists():
        tmp = path.with_name(f".{path.name}.gz.tmp")
        try:
            with open(tmp, "wb") as raw, gzip.GzipFile(filename=path.name, mode="wb", fileobj=raw, mtime=0) as gz:
                gz.write(path.read_bytes())
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        fsync_dir(path.parent)
    path.unlink()
    fsync_dir(path.parent)


