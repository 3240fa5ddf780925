"""From files to notices, once per content: caching, sandboxed decoding, quarantine.

:class:`Ingest` is the ``parse`` that the sources hand to
:func:`~player.model.library.build_library`. For each notice file (and its sidecar):

- a notice parsed before — same path, same sha256, same sidecar — is returned from the
  cache: a rescan of an unchanged folder parses and decodes nothing, and one bad file
  does not make the next scan parse everything again (refusals are cached too);
- a content that crashed the player before is refused (:mod:`~player.sources.quarantine`);
  in-process parsing is journalled so that a crash quarantines the file;
- pictures are decoded in the :class:`~player.sources.sandbox.Sandbox` (memory cap,
  timeout), checked on what was really decoded, oriented and made screen-sized once;
  the result goes into the store and is remembered in a picture index
  (``pictures-<source>.json``: source sha256 and box -> normalized picture), so a restart
  decodes nothing either;
- without a store (``signage check``, ``bundle build``) pictures are only validated.

Nothing here touches pygame; everything runs in a source's background thread (or a
one-off command).
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from player.model.imageinfo import image_info
from player.model.library import DOCUMENT_SUFFIXES, IMAGE_SUFFIXES, FileLike, parse_notice, unexpected
from player.model.limits import Limits
from player.model.notice import ImageBody, Notice, Parsed, Picture
from player.model.problems import ContentError
from player.sources.convert import Converter
from player.sources.documents import ingest_document
from player.sources.pictures import Decoded
from player.sources.quarantine import Quarantine, quarantined_error
from player.sources.sandbox import Failure, Sandbox, SandboxError

log = logging.getLogger(__name__)

NORMALIZE = "player.sources.pictures:normalize"
#: Pictures in documents are normalized to this box when validating only (no screen).
DOCUMENT_BOX = (1920, 1080)
PICTURE_TIMEOUT = 60.0


class PictureStore(Protocol):
    """Where normalized pictures (and the originals of good drop files) are kept."""

    def put(self, data: bytes) -> str | None: ...

    def has(self, sha: str) -> bool: ...

    def load_table(self, name: str) -> dict: ...

    def save_index(self, name: str, index: dict) -> bool: ...


@dataclass(frozen=True)
class LazyFile:
    """A file known by its path and sha256 whose bytes are read only when needed."""

    path: str
    sha256: str
    read: Callable[[], bytes] = field(repr=False, compare=False)

    @property
    def data(self) -> bytes:
        """The bytes (read now; a file that changed since it was hashed is refused)."""
        data = self.read()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise ContentError(CHANGED, "文件正在变化，稍后会重新读取")
        return data


#: The message of a file that changed between hashing and reading (not reported: retried).
CHANGED = "the file changed while it was being read; it is read again"


class _Once:
    """A file read at most once during one parse."""

    def __init__(self, file: FileLike) -> None:
        self.path = file.path
        self.sha256 = file.sha256
        self._file = file
        self._data: bytes | None = None

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = self._file.data
        return self._data


class Ingest:
    """The parse of one source: cache, sandbox, store, quarantine."""

    def __init__(self, source: str, limits: Limits, *, store: PictureStore | None = None,
                 quarantine: Quarantine | None = None, box: tuple[int, int] | None = None,
                 keep_originals: bool = False, sandbox: Sandbox | None = None,
                 converter: Converter | None = None) -> None:
        """Args:
            source: "drop" or "bundle" (names the picture index and the journal).
            store: where normalized pictures go; None validates only.
            box: the largest picture size worth keeping (the screen's size).
            keep_originals: also keep the original bytes of good files in the store
                (the drop folder's last-good-version guarantee).
            converter: LibreOffice for .doc/.wps/.rtf/.odt (None: those are refused
                with a hint to save them as .docx).
        """
        self.source = source
        self.limits = limits
        self.store = store
        self.quarantine = quarantine
        self.box = box if store is not None else None
        self.keep_originals = keep_originals and store is not None
        self.sandbox = sandbox or Sandbox(limits.worker_bytes, name=f"{source} decoder")
        self.converter = converter
        self._cache: dict[tuple, Notice | ContentError] = {}
        self._used: set[tuple] = set()
        self._pictures: dict[str, dict] = _load_pictures(store, self._index_name) if store is not None else {}
        self._pictures_used: set[str] = set()
        self._pictures_dirty = False
        self.parsed = 0      # files parsed (cache misses), for tests and benchmarks
        self.decoded = 0     # pictures decoded in the sandbox

    @property
    def _index_name(self) -> str:
        return f"pictures-{self.source}"

    # -- the parse hook ----------------------------------------------------------------

    def __call__(self, file: FileLike, sidecar: FileLike | None, limits: Limits) -> Notice:
        """Parse one notice file (build_library's ``parse``).

        Raises:
            ContentError: the file cannot be shown (cached until it changes).
        """
        key = (file.path, file.sha256, sidecar.path if sidecar else None, sidecar.sha256 if sidecar else None)
        self._used.add(key)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._parse(file, sidecar, limits)
            if not (isinstance(cached, ContentError) and cached.message == CHANGED):
                self._cache[key] = cached
        if isinstance(cached, ContentError):
            raise cached
        if isinstance(cached.body, ImageBody):
            self._pictures_used.add(self._picture_key(file.sha256))
        return cached

    def finish_scan(self) -> None:
        """After a build: forget what the build did not use; save the picture index."""
        self._cache = {k: v for k, v in self._cache.items() if k in self._used}
        self._used = set()
        for value in self._cache.values():
            if isinstance(value, ContentError):
                # A cached refusal is raised into every build: its traceback would keep the
                # last build's frames (every file of the folder) alive, in a cycle.
                value.__traceback__ = value.__context__ = value.__cause__ = None
        if self.store is not None:
            unused = set(self._pictures) - self._pictures_used
            if unused:
                for key in unused:
                    del self._pictures[key]
                self._pictures_dirty = True
            if self._pictures_dirty and self.store.save_index(self._index_name, self._pictures):
                self._pictures_dirty = False
        self._pictures_used = set()

    def close(self) -> None:
        """Stop the sandbox worker."""
        self.sandbox.close()

    # -- parsing -----------------------------------------------------------------------

    def _parse(self, file: FileLike, sidecar: FileLike | None, limits: Limits) -> Notice | ContentError:
        if self.quarantine is not None and self.quarantine.is_quarantined(file.sha256):
            return quarantined_error(file.path)
        once = _Once(file)
        self.parsed += 1
        try:
            if self.quarantine is None:
                return self._notice(once, sidecar, limits)
            with self.quarantine.guard(f"parse-{self.source}", file.path, file.sha256):
                return self._notice(once, sidecar, limits)
        except ContentError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - one odd file never takes the source down
            log.error("%s: unexpected %s while reading: %s", file.path, type(exc).__name__, exc, exc_info=True)
            problem = unexpected(file.path, exc)
            return ContentError(problem.message, problem.hint_zh)

    def _notice(self, file: _Once, sidecar: FileLike | None, limits: Limits) -> Notice:
        suffix = posixpath.splitext(file.path)[1].lower()
        parsed = None
        if suffix in IMAGE_SUFFIXES:
            parsed = Parsed(None, ImageBody(self._picture(file, limits)))
        elif suffix in DOCUMENT_SUFFIXES:
            parsed = ingest_document(file.path, file.data, sandbox=self.sandbox, keep=self._keep,
                                     box=self.box or DOCUMENT_BOX, limits=limits, converter=self.converter)
        notice = parse_notice(file, sidecar, limits, parsed)
        if notice.source != self.source:  # as build_library records it: the cached object is shown
            notice = replace(notice, source=self.source)
        if self.keep_originals:
            self.store.put(file.data)  # the last good version survives a broken copy or a restart
        return notice

    def _keep(self, data: bytes) -> str | None:
        """Pictures found in documents: stored (or, validating only, just named)."""
        if self.store is None:
            return hashlib.sha256(data).hexdigest()
        return self.store.put(data)

    def _picture_key(self, sha: str) -> str:
        box = f"{self.box[0]}x{self.box[1]}" if self.box else "full"
        return f"{sha}:{box}"

    def _picture(self, file: _Once, limits: Limits) -> Picture:
        key = self._picture_key(file.sha256)
        known = self._pictures.get(key)
        if known is not None and self.store is not None and self.store.has(known.get("sha256", "")):
            return Picture(known["sha256"], int(known["width"]), int(known["height"]))
        data = file.data
        limits.check_size(len(data), True)
        info = image_info(data)  # the header first: honest big pictures get the plain message
        limits.check_pixels(info.width, info.height)
        self.decoded += 1
        try:
            decoded: Decoded = self.sandbox.run(NORMALIZE, data, self.box, limits.image_pixels,
                                                self.store is not None, timeout=PICTURE_TIMEOUT)
        except SandboxError as exc:
            log.warning("%s: picture decoder failed (%s: %s)", file.path, exc.failure.value, exc)
            raise _decoder_failed(exc) from None
        if self.store is None:
            return Picture(file.sha256, decoded.width, decoded.height)
        sha = self.store.put(decoded.data)
        if sha is None:  # the store is full or read-only: keep showing, but nothing to draw from
            raise ContentError("the picture cannot be kept: the player's storage is full or read-only",
                               "播放器存储空间已满或不可写，图片无法保存：请联系管理员")
        self._pictures[key] = {"sha256": sha, "width": decoded.width, "height": decoded.height}
        self._pictures_dirty = True
        return Picture(sha, decoded.width, decoded.height)


def _load_pictures(store: PictureStore, name: str) -> dict[str, dict]:
    """The picture index (``{source sha256:box: {"sha256", "width", "height"}}``); entries
    that are not such records are dropped (the picture is normalized again)."""
    return {key: value for key, value in store.load_table(name).items()
            if isinstance(value.get("sha256"), str)
            and isinstance(value.get("width"), int) and isinstance(value.get("height"), int)}


def _decoder_failed(exc: SandboxError) -> ContentError:
    if exc.failure == Failure.MEMORY:
        return ContentError(
            "picture needs more memory to decode than the player allows (its real size is larger "
            "than its header says, or it is damaged); export it again as JPEG, 1920 px wide",
            "图片解码需要的内存过大（实际尺寸比标注的大，或文件已损坏）：请重新导出为宽 1920 像素的 JPG")
    if exc.failure == Failure.TIMEOUT:
        return ContentError(
            "picture took too long to decode; export it again as JPEG, 1920 px wide",
            "图片解码时间过长：请重新导出为宽 1920 像素的 JPG")
    return ContentError(
        f"picture decoder failed ({exc}); the picture is damaged, export it again as JPEG or PNG",
        "图片已损坏，解码程序无法处理：请重新导出为 JPG 或 PNG 后再放入")
