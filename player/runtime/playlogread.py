"""Reading the play log: its day files (plain or gzipped), verifying its hash chain,
and the day files a proof-of-play report needs. The writer is :mod:`player.runtime.playlog`."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from player.model import playchain, proof
from player.model.notice import is_publicity_kind

log = logging.getLogger(__name__)

_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$")


def day_files(folder: Path) -> list[tuple[dt.date, Path]]:
    """Day files in date order; when both ``.jsonl`` and ``.jsonl.gz`` exist (a crash
    during compression), the ``.gz``, which was complete before it got its name."""
    found: dict[dt.date, Path] = {}
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return []
    for name in names:
        match = _DAY_FILE.match(name)
        if not match:
            continue
        try:
            day = dt.date.fromisoformat(match.group(1))
        except ValueError:
            continue
        if match.group(2) or day not in found:
            found[day] = folder / name
    return sorted(found.items())


def read_text(path: Path) -> str:
    """A day file's text, plain or gzip.

    Raises:
        OSError: unreadable (a damaged ``.gz`` too).
    """
    if path.name.endswith(".gz"):
        try:
            with gzip.open(path, "rb") as handle:
                return handle.read().decode("utf-8", errors="replace")
        except (EOFError, gzip.BadGzipFile) as exc:
            raise OSError(f"damaged gzip file: {exc}") from None
    return path.read_bytes().decode("utf-8", errors="replace")


def verify_folder(folder: Path) -> tuple[list[str], int]:
    """Every problem of the play log in ``folder`` (``--verify``) and the number of lines read."""
    problems: list[str] = []
    count = 0

    def lines() -> Iterator[tuple[str, int, str]]:
        nonlocal count
        for _, path in day_files(folder):
            try:
                text = read_text(path)
            except OSError as exc:
                problems.append(f"{path.name}: cannot read: {exc.strerror or exc}")
                continue
            for number, line in enumerate(text.splitlines(), 1):
                count += 1
                yield path.name, number, line

    found = playchain.verify(lines(), read_json(folder / "head.json"), read_json(folder / "anchor.json"))
    return problems + found, count


def read_records(path: Path) -> list[dict]:
    """The parseable lines of a day file (the report skips what --verify reports)."""
    out = []
    for text in read_text(path).splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(text)
            if isinstance(record, dict):
                out.append(record)
    return out


def read_json(path: Path) -> dict | None:
    """``head.json`` / ``anchor.json``, or None when missing or unreadable."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def records_for_report(files: Sequence[tuple[dt.date, Path]], since: dt.date, until: dt.date, tz: ZoneInfo,
                       notice: str | None = None) -> dict[dt.date, list[dict]]:
    """The day files a report from ``since`` to ``until`` needs: those days, and for every
    公示 seen in them the days of its whole period (it is judged over all of it).

    An unreadable day file is logged and counts as a day the player was off.
    """
    paths = dict(files)
    records: dict[dt.date, list[dict]] = {}

    def load(days) -> None:
        for day in days:
            if day in paths and day not in records:
                try:
                    records[day] = read_records(paths[day])
                except OSError as exc:
                    log.warning("play log: cannot read %s: %s; counted as player off", paths[day], exc)
                    records[day] = []

    load(since + dt.timedelta(days=k) for k in range((until - since).days + 1))
    for day in list(records):
        for record in records[day]:
            if record.get("event") == "notice" and is_publicity_kind(record.get("kind")) \
                    and (notice is None or record.get("notice") == notice):
                load(proof.period_days(record.get("period"), tz, day, max(until, day)))
    return records
