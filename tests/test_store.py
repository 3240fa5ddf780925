"""The content-addressed store: what garbage collection keeps and deletes (real files)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from player.sources.store import Store


def _age(store: Store, sha: str, seconds: float) -> None:
    path = store.objects / sha[:2] / sha
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_collect_keeps_what_any_index_or_bundle_pointer_names(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    dropped, bundled, previous, orphan, fresh = (store.put(text.encode()) for text in
                                                 ("drop", "bundle", "previous", "orphan", "fresh"))
    assert store.save_index("drop", {"a/通知.txt": dropped})
    (store.root / "bundle.json").write_text(json.dumps({"version": 2, "files": {"b.txt": bundled}}))
    (store.root / "bundle-previous.json").write_text(json.dumps({"version": 1, "files": {"b.txt": previous}}))
    (store.root / "broken.json").write_text("{not json")  # ignored, like its reader ignores it
    for sha in (dropped, bundled, previous, orphan):
        _age(store, sha, 3600)
    assert store.collect() == 1
    assert store.get(orphan) is None
    assert all(store.get(sha) for sha in (dropped, bundled, previous, fresh))  # fresh: inside the grace period


def test_an_unreadable_index_stops_collection(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    orphan = store.put(b"orphan")
    _age(store, orphan, 3600)
    (store.root / "bundle.json").mkdir()  # reading it fails with an OSError: it might name anything
    assert store.collect() == 0 and store.get(orphan) == b"orphan"
    (store.root / "bundle.json").rmdir()
    assert store.collect() == 1 and store.get(orphan) is None
