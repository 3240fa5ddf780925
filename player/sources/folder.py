"""Reading a content folder from disk into a :class:`Library`.

The scanner walks the tree, refuses what must not be read (symlinks that leave the
folder, files over the size limits, unreadable files) and reads the rest. Files whose
size and modification time have not changed since the previous scan are not read again,
so a rescan of a large folder costs little.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from player.model.library import SourceFile, build_library, is_ignored, is_image
from player.model.limits import Limits
from player.model.notice import Library
from player.model.problems import ContentError, Problem


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int
    file: SourceFile


class FolderScanner:
    """Scans one folder; keeps the bytes of unchanged files between scans."""

    def __init__(self, root: Path, limits: Limits = Limits(), source: str = "drop") -> None:
        self.root = root
        self.limits = limits
        self.source = source
        self._seen: dict[str, _Seen] = {}

    def scan(self) -> Library:
        """Read the folder now and parse everything in it."""
        files: list[SourceFile] = []
        problems: list[Problem] = []
        seen: dict[str, _Seen] = {}
        root_real = os.path.realpath(self.root)
        for folder, dirs, names in os.walk(self.root):
            rel_folder = os.path.relpath(folder, self.root)
            rel_folder = "" if rel_folder == "." else rel_folder.replace(os.sep, "/")
            kept = []
            for name in sorted(dirs):
                rel = f"{rel_folder}/{name}" if rel_folder else name
                full = os.path.join(folder, name)
                if is_ignored(rel):
                    continue
                if os.path.islink(full):
                    if not _inside(os.path.realpath(full), root_real):
                        problems.append(_symlink_problem(rel))
                    continue  # links inside the folder would show things twice
                kept.append(name)
            dirs[:] = kept
            for name in sorted(names):
                rel = f"{rel_folder}/{name}" if rel_folder else name
                if is_ignored(rel):
                    continue
                result = self._read(os.path.join(folder, name), rel, root_real)
                if isinstance(result, Problem):
                    problems.append(result)
                else:
                    seen[rel] = result
                    files.append(result.file)
        self._seen = seen
        library = build_library(files, self.limits, problems, self.source)
        newest = max((s.mtime_ns for s in seen.values()), default=None)
        return replace(library, newest_mtime=None if newest is None else newest / 1e9)

    def _read(self, full: str, rel: str, root_real: str) -> _Seen | Problem:
        try:
            if os.path.islink(full) and not _inside(os.path.realpath(full), root_real):
                return _symlink_problem(rel)
            st = os.stat(full)
            previous = self._seen.get(rel)
            if previous and previous.size == st.st_size and previous.mtime_ns == st.st_mtime_ns:
                return previous
            try:
                self.limits.check_size(st.st_size, is_image(rel))
            except ContentError as exc:
                return exc.at(rel)
            with open(full, "rb") as handle:
                data = handle.read(max(self.limits.text_bytes, self.limits.image_bytes) + 1)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return Problem(rel, f"cannot read file: {reason}; check its permissions on the share",
                           f"文件无法读取（{reason}）：请检查文件权限，或重新复制")
        return _Seen(st.st_size, st.st_mtime_ns, SourceFile(rel, data))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _symlink_problem(rel: str) -> Problem:
    return Problem(rel, "link points outside the content folder and is refused; copy the file in instead",
                   "这是指向文件夹外部的快捷链接，不能使用：请把文件本身复制进来")
