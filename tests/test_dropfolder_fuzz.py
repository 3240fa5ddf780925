"""Random bytes, random names, random operations thrown at a watched folder: the watcher
stays up and every file ends either shown or refused (or ignored as junk)."""

from __future__ import annotations

import os
import posixpath
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from player.model.library import SIDECAR_SUFFIXES, TICKER_NAME, is_ignored
from player.model.limits import Limits
from player.sources.watch import FolderWatcher

HAN = "政务公开街道社区通知公告办事指南财务"
name_chars = st.sampled_from(list(HAN) + list("abcXYZ019 ._-~$（）"))
stems = st.text(name_chars, min_size=1, max_size=60).filter(lambda s: s.strip(" .") and "/" not in s)
suffixes = st.sampled_from([".txt", ".md", ".csv", ".png", ".jpg", ".yaml", ".docx", ".pdf", "", ".tmp"])
folders = st.sampled_from(["", "公示公告/", "办事指南/", "财务公开/", "a b/"])
payloads = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.text(alphabet=HAN + "\n，。：", max_size=200).map(lambda t: t.encode("gb18030")),
    st.just(b"---\ntitle: !!python/object/apply:os.system [\"true\"]\n---\nx\n"),
    st.just("标题\n正文。\n".encode("utf-8")),
)
operation = st.one_of(
    st.tuples(st.just("write"), folders, stems, suffixes, payloads),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("rename"), st.integers(0, 20), folders, stems, suffixes),
    st.tuples(st.just("overwrite"), st.integers(0, 20), payloads),
)


def files_in(root: Path) -> list[str]:
    out = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            rel = os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
            out.append(rel)
    return sorted(out)


def apply(root: Path, op: tuple) -> None:
    existing = files_in(root)
    kind = op[0]
    if kind == "write":
        _, folder, stem, suffix, data = op
        path = root / f"{folder}{stem}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    elif existing:
        target = root / existing[op[1] % len(existing)]
        if kind == "delete":
            target.unlink()
        elif kind == "overwrite":
            target.write_bytes(op[2])
        elif kind == "rename":
            _, _i, folder, stem, suffix = op
            new = root / f"{folder}{stem}{suffix}"
            new.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, new)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True, database=None)
@given(st.lists(operation, min_size=1, max_size=8))
def test_random_operations_end_shown_or_refused(tmp_path_factory, ops) -> None:
    root = tmp_path_factory.mktemp("drop")
    libraries = []
    watcher = FolderWatcher(root, Limits(), libraries.append, poll="false", quiet=0.2, grace=0.3,
                            health_every=0.5)
    watcher.scan_now()
    watcher.start()
    try:
        for op in ops:
            apply(root, op)
            time.sleep(0.05)
        # Wait until the folder has been scanned after the last change and nothing is pending.
        deadline = time.monotonic() + 10
        final = watcher.scanner.scan_details()
        while final.pending and time.monotonic() < deadline:
            time.sleep(0.3)
            final = watcher.scanner.scan_details()
        assert not final.pending
        library = final.library
        shown = {n.path for n in library.notices}
        refused = {p.path for p in library.problems}
        for rel in files_in(root):
            if is_ignored(rel):
                continue
            if rel == TICKER_NAME:
                assert library.ticker or rel in refused or not (root / rel).read_bytes().strip()
                continue
            if posixpath.splitext(rel)[1].lower() in SIDECAR_SUFFIXES:
                base = posixpath.splitext(rel)[0]
                assert rel in refused or any(posixpath.splitext(p)[0] == base for p in shown), rel
                continue
            assert rel in shown or rel in refused, (rel, shown, refused)
        assert watcher.healthy() and watcher._thread.is_alive()
    finally:
        watcher.stop()
