"""The hash chain of the play log: sealing lines and verifying a log.

Pure: no I/O, no clock reads. Invariants of a line: ``hash`` is the sha256 of the
canonical JSON of all the line's other fields (``prev`` included); ``prev`` is the
previous line's ``hash`` (64 zeros for the first line ever). docs/playlog.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

#: ``prev`` of the very first line of a play log.
ZERO = "0" * 64


# --- the chain ------------------------------------------------------------------------

def canonical(fields: Mapping[str, object]) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8 (not ``\\u`` escapes)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def line_hash(fields: Mapping[str, object]) -> str:
    """sha256 hex of every field except ``hash`` itself (``prev`` included)."""
    return hashlib.sha256(canonical({k: v for k, v in fields.items() if k != "hash"})).hexdigest()


def seal(fields: Mapping[str, object], prev: str) -> dict[str, object]:
    """A new line: ``fields`` plus ``prev`` and the ``hash`` that chains it after ``prev``."""
    line = {k: v for k, v in fields.items() if k not in ("prev", "hash")}
    line["prev"] = prev
    line["hash"] = line_hash(line)
    return line


def chain(records: Iterable[Mapping[str, object]], prev: str = ZERO) -> list[dict[str, object]]:
    """Seal ``records`` one after the other, starting after ``prev``."""
    out = []
    for record in records:
        line = seal(record, prev)
        prev = str(line["hash"])
        out.append(line)
    return out


def encode(line: Mapping[str, object]) -> str:
    """One line of a day file (keys in the writer's order, compact, with the newline)."""
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"


def day_name(name: str) -> str:
    """``2026-11-27.jsonl.gz`` -> ``2026-11-27.jsonl``: compression does not change a day's name."""
    return name[:-3] if name.endswith(".gz") else name


# --- verification ---------------------------------------------------------------------

def verify(lines: Iterable[tuple[str, int, str]], head: Mapping[str, object] | None,
           anchor: Mapping[str, object] | None) -> list[str]:
    """Check the chain; one message per problem, each naming ``file:line``.

    Args:
        lines: (file name, 1-based line number, raw text) of every line of every day
            file, files in date order.
        head: ``head.json`` (the last flushed line), or None.
        anchor: ``anchor.json`` (where the kept part starts after retention), or None.

    Returns:
        Messages, empty when the log is intact. After a break the check goes on from the
        broken line's own hash, so one deleted line gives one message, not hundreds.
    """
    problems: list[str] = []
    expected: str | None = None          # prev the next line must carry; None: unknown
    last: tuple[str, int] | None = None  # (file, line) of the previous line
    counts: dict[str, int] = {}
    hashes: dict[tuple[str, int], str] = {}
    first_file: str | None = None
    for name, number, text in lines:
        key = day_name(name)
        counts[key] = max(counts.get(key, 0), number)
        where = f"{name}:{number}"
        if first_file is None:
            first_file = key
            expected = _first_prev(name, anchor, problems)
        record = _parse(text)
        if record is None:
            problems.append(f"{where}: not a play-log line (not complete JSON with prev and hash); "
                            "edited, or torn by a power cut")
            expected, last = None, (name, number)
            continue
        own = str(record["hash"])
        hashes[(key, number)] = own
        if line_hash(record) != own:
            problems.append(f"{where}: line was changed: its hash does not match its content")
        if expected is not None and record["prev"] != expected:
            problems.append(_prev_message(where, last, name, first_file == key and number == 1 and last is None))
        expected, last = own, (name, number)
    if head:  # also when every day file is gone or emptied
        problems.extend(_check_head(head, counts, hashes))
    return problems


def _parse(text: str) -> dict | None:
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if (not isinstance(record, dict) or not isinstance(record.get("prev"), str)
            or not isinstance(record.get("hash"), str)):
        return None
    return record


def _first_prev(name: str, anchor: Mapping[str, object] | None, problems: list[str]) -> str | None:
    """What the first line's prev must be: the anchor's prev, or 64 zeros without one."""
    if not anchor:
        return ZERO
    first = day_name(name)
    file = anchor.get("file")
    if file is None or day_name(str(file)) == first:
        return str(anchor.get("prev"))
    if day_name(str(file)) > first:
        return None  # older files left over from an interrupted pruning: nothing to hold them to
    problems.append(f"{name}:1: the first part of the play log is missing: anchor.json says it starts "
                    f"with {file}, which is not there")
    return None


def _prev_message(where: str, last: tuple[str, int] | None, name: str, very_first: bool) -> str:
    if very_first or last is None:
        return (f"{where}: the beginning of the play log is missing: the first line's prev is neither "
                "64 zeros nor the one anchor.json records")
    if day_name(last[0]) != day_name(name):
        return (f"{where}: a day file or lines before this one are missing: prev does not match the "
                f"last line of {last[0]} (line {last[1]})")
    return (f"{where}: a line before this one is missing or out of order: prev does not match the hash "
            f"of line {last[1]}")


def _check_head(head: Mapping[str, object], counts: Mapping[str, int],
                hashes: Mapping[tuple[str, int], str]) -> list[str]:
    file = day_name(str(head.get("file")))
    try:
        lines = int(head.get("lines"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return [f"head.json is not valid: {dict(head)!r}"]
    want = str(head.get("hash"))
    if file not in counts:
        return [f"{file}: missing or empty: head.json says the log ends there at line {lines}"]
    if any(h == want for (f, _), h in hashes.items() if f == file):
        return []  # the last line written is there (lines missing before it break the chain)
    if counts[file] < lines:
        return [f"{file}: lines were cut off the end: head.json says {lines} lines ending with hash "
                f"{want[:12]}…, the file ends at line {counts[file]}"]
    return [f"{file}:{lines}: not the line head.json recorded as the last one written "
            f"(hash {want[:12]}…): lines at the end were replaced"]


