"""Walking a content folder without trusting it.

The drop folder is a share anyone in the office can write to; a bundle folder is
whatever a publisher had on disk. :func:`walk` lists its regular files so that nothing
found there can hang, crash or mislead the player:

- **iterative** and **depth-limited**: folders more than :data:`MAX_DEPTH` levels below
  the root are not entered (one problem names the folder), so 1,100 nested folders are
  one line, not a RecursionError;
- **special files** (FIFOs, sockets, devices) are reported, never opened — opening a
  FIFO blocks until a writer comes; :func:`read_file` opens with ``O_NONBLOCK`` and checks
  ``fstat`` again, so a file swapped for a FIFO between the walk and the read is refused
  too;
- **links** that leave the root are refused; links inside it are not followed into
  folders (they would show things twice), links to files inside are read;
- **names** are bytes: each entry has its real relative path (for reading) and a display
  form (:func:`player.model.names.display_name`: GBK names decoded, control characters
  and bidi overrides escaped), which is what ids, titles and reports use;
- at most ``max_files`` files are listed (the library refuses more anyway).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from player.model.library import is_ignored
from player.model.names import display_name
from player.model.problems import ContentError, Problem

#: Folders deeper than this below the root are not read (docs/content.md).
MAX_DEPTH = 8


@dataclass(frozen=True)
class Entry:
    """A regular file found by :func:`walk`."""

    rel: str        # display path, POSIX separators (ids, titles and reports use it)
    raw: bytes      # the real path relative to the root (for reading)
    size: int
    mtime_ns: int
    ino: int


@dataclass(frozen=True)
class Walk:
    """What :func:`walk` found: at most ``max_files`` entries, and how many there were."""

    entries: list[Entry]
    problems: list[Problem]
    total: int


def walk(root: Path, max_files: int = 100_000, max_depth: int = MAX_DEPTH,
         names: dict[tuple[bytes, bytes], tuple[str, bool]] | None = None) -> Walk:
    """Regular files under ``root`` (sorted by display path, at most ``max_files``; the
    first in name order are kept) and the problems found.

    Args:
        names: the display path and junk verdict of each (folder, name) from the last
            walk; replaced by this walk's (a rescan of 2,000 files decodes no name again).

    Raises:
        OSError: the root itself cannot be listed.
    """
    known = dict(names) if names is not None else {}
    if names is not None:
        names.clear()
    base = os.fsencode(root)
    real_root = os.path.realpath(base)
    entries: list[Entry] = []
    problems: list[Problem] = []
    stack: list[tuple[bytes, str, int]] = [(b"", "", 0)]
    first = True
    while stack:
        raw_folder, folder, depth = stack.pop()
        try:
            with os.scandir(os.path.join(base, raw_folder) if raw_folder else base) as listing:
                items = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if first:
                raise
            problems.append(Problem(folder, f"cannot read folder: {exc.strerror or exc}",
                                    f"文件夹无法读取（{exc.strerror or exc}）：请检查权限"))
            continue
        first = False
        for item in items:
            seen = known.get((raw_folder, item.name))
            if seen is None:
                name = display_name(item.name)
                rel = f"{folder}/{name}" if folder else name
                seen = (rel, is_ignored(rel))
            if names is not None:
                names[(raw_folder, item.name)] = seen
            rel, ignored = seen
            if ignored:
                continue
            raw = os.path.join(raw_folder, item.name) if raw_folder else item.name
            try:
                info = item.stat(follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode):
                    target = os.path.realpath(os.path.join(base, raw))
                    if not _inside(target, real_root):
                        problems.append(_problem(rel, "link points outside the content folder and is refused; "
                                                 "copy the file in instead",
                                                 "这是指向文件夹外部的快捷链接，不能使用：请把文件本身复制进来"))
                        continue
                    info = os.stat(os.path.join(base, raw))
                    if stat.S_ISDIR(info.st_mode):
                        continue  # a link to a folder inside: its files are found there
            except OSError as exc:
                problems.append(_problem(rel, f"cannot read file: {exc.strerror or exc}; check its permissions",
                                         f"文件无法读取（{exc.strerror or exc}）：请检查文件权限，或重新复制"))
                continue
            if stat.S_ISDIR(info.st_mode):
                if depth + 1 > max_depth:
                    problems.append(_problem(rel, f"folder is more than {max_depth} levels deep; its files are "
                                             "not read: move them up",
                                             f"文件夹层级太深（超过 {max_depth} 层），其中的文件不会显示：请移到上层文件夹"))
                    continue
                stack.append((raw, rel, depth + 1))
            elif stat.S_ISREG(info.st_mode):
                entries.append(Entry(rel, raw, info.st_size, info.st_mtime_ns, info.st_ino))
            else:
                problems.append(_problem(rel, "not a regular file (a pipe, socket or device); it is never read",
                                         "这不是普通文件（可能是管道或设备），不会读取：请删除它"))
    entries.sort(key=lambda e: e.rel)
    return Walk(entries[:max_files], problems, len(entries))


def read_file(root: Path, raw: bytes, limit: int) -> bytes:
    """The bytes of a regular file, at most ``limit`` (one more is read to see it is over).

    Never blocks on a FIFO or a device: opened non-blocking, checked with ``fstat``.

    Raises:
        ContentError: not a regular file (any more).
        OSError: unreadable.
    """
    fd = os.open(os.path.join(os.fsencode(root), raw), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ContentError("not a regular file (a pipe, socket or device); it is never read",
                               "这不是普通文件（可能是管道或设备），不会读取：请删除它")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _inside(path: bytes, root: bytes) -> bool:
    return path == root or path.startswith(root.rstrip(b"/") + b"/")


def _problem(rel: str, message: str, hint: str) -> Problem:
    return Problem(rel, message, hint)
