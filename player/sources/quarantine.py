"""Poison files: a file that took the player down is not touched again until it changes.

As message queues do with poison messages: before the player works on a new or changed
file in its own process (parsing it, laying it out, drawing it), :meth:`Quarantine.guard`
writes the file's path and sha256 into a small *in-flight* journal of that thread
(``STATE_DIR/quarantine/inflight-<role>.json``), and clears it afterwards. If the process
dies meanwhile — SIGKILL from the OOM killer, a segfault in a C library — the journal
still names the file at the next start: :meth:`Quarantine.recover` moves it into
``quarantine.json``, and from then on that content (its sha256) is refused with
该文件导致播放器异常，已隔离 until staff replace or change the file.

Power cuts are not crashes: each journal entry records the boot id
(``/proc/sys/kernel/random/boot_id``), and entries from an earlier boot are dropped.
Journal writes are plain writes (no fsync): they must survive the death of the process,
not of the machine. Decoding that runs in the :mod:`~player.sources.sandbox` worker needs
no journal: the worker's death already fails only that file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from player.fsutil import atomic_write
from player.model.problems import ContentError

log = logging.getLogger(__name__)

LIST_NAME = "quarantine.json"
KEEP = 200  # entries kept; the oldest go first
HINT = "该文件导致播放器异常，已隔离：请检查文件内容，修改或重新保存后再放入（文件有改动后会重新尝试）"


def boot_id() -> str:
    """This boot's id (changes at every boot), or "" where the kernel does not say."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class Suspect:
    """A file that was being worked on when the player died."""

    path: str
    sha256: str
    role: str
    since: str


def quarantined_error(path: str) -> ContentError:
    """The refusal of a quarantined file."""
    return ContentError(
        "this file made the player crash earlier and is quarantined; it is not read again "
        "until it changes (docs/troubleshooting.md: quarantine)", HINT)


class Quarantine:
    """The journal and the list of quarantined contents of one state dir."""

    def __init__(self, folder: Path, boot: str | None = None) -> None:
        self.folder = folder
        self.boot = boot_id() if boot is None else boot
        self._lock = threading.Lock()
        self._entries: dict[str, dict] = self._load()
        self.last_error: str | None = None

    # -- at start ---------------------------------------------------------------------

    def recover(self) -> list[Suspect]:
        """Quarantine what crashed the last run of this boot; clear all journals."""
        found: list[Suspect] = []
        try:
            journals = sorted(self.folder.glob("inflight-*.json"))
        except OSError:
            return found
        for journal in journals:
            try:
                entry = json.loads(journal.read_text(encoding="utf-8") or "null")
            except (OSError, ValueError):
                entry = None
            with contextlib.suppress(OSError):
                journal.unlink()
            if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
                continue
            if self.boot and entry.get("boot") != self.boot:
                continue  # a power cut or reboot, not a crash
            suspect = Suspect(str(entry.get("path")), entry["sha256"], str(entry.get("role")),
                              str(entry.get("since")))
            found.append(suspect)
            log.error("quarantined %s (sha256 %s…): the player died while %s it", suspect.path,
                      suspect.sha256[:12], "working on" if suspect.role != "layout" else "laying out")
            with self._lock:
                self._entries[suspect.sha256] = {"path": suspect.path, "role": suspect.role,
                                                 "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        if found:
            self._save()
        return found

    # -- while running --------------------------------------------------------------------

    def is_quarantined(self, sha256: str) -> bool:
        """Whether this content crashed the player before."""
        return sha256 in self._entries

    def entries(self) -> dict[str, dict]:
        """sha256 -> {path, role, at} (a copy, for status)."""
        with self._lock:
            return {k: dict(v) for k, v in self._entries.items()}

    @contextlib.contextmanager
    def guard(self, role: str, path: str, sha256: str) -> Iterator[None]:
        """Journal ``path`` as in flight in this thread's ``role`` while the block runs."""
        journal = self.folder / f"inflight-{role}.json"
        written = self._write_journal(journal, {"path": path, "sha256": sha256, "role": role, "boot": self.boot,
                                                 "pid": os.getpid(),
                                                 "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
        try:
            yield
        finally:
            if written:
                self._write_journal(journal, None)

    def forget_missing(self, present: set[str]) -> None:
        """Nothing to do for contents still present; entries stay until KEEP is exceeded
        (a quarantined file that comes back unchanged must stay refused)."""
        with self._lock:
            if len(self._entries) <= KEEP:
                return
            ordered = sorted(self._entries.items(), key=lambda kv: (kv[0] in present, kv[1].get("at", "")))
            self._entries = dict(ordered[len(ordered) - KEEP:])
        self._save()

    # -- files ---------------------------------------------------------------------------

    def _write_journal(self, journal: Path, entry: dict | None) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(journal, "w", encoding="utf-8") as handle:  # no fsync: see the module docstring
                if entry is not None:
                    json.dump(entry, handle, ensure_ascii=True)
        except OSError as exc:
            self._failed(f"cannot write {journal}: {exc.strerror or exc}")
            return False
        return True

    def _load(self) -> dict[str, dict]:
        try:
            data = json.loads((self.folder / LIST_NAME).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.error("quarantine list unreadable (%s); starting from an empty one", exc)
            return {}
        return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}

    def _save(self) -> None:
        with self._lock:
            data = json.dumps(self._entries, ensure_ascii=True, indent=0, sort_keys=True).encode("ascii")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / LIST_NAME, data)
        except OSError as exc:
            self._failed(f"cannot save the quarantine list: {exc.strerror or exc}")

    def _failed(self, message: str) -> None:
        if message != self.last_error:
            log.error("%s; crash protection for new files is off until it can be written", message)
        self.last_error = message
