"""Files of a content tree -> an immutable :class:`Library`.

Pure: callers (the drop-folder scanner, later the bundle store) read the bytes and pass
them in as :class:`SourceFile` values, together with problems they found themselves
(unreadable file, symlink leaving the folder, file too big to read).

Path rules (DESIGN.md section 3): the first-level folder is the category; the id is the
path without extension and without a ``（至…）`` end-date marker; ``ticker.txt`` at the
root holds ticker messages; ``NAME.yaml`` beside ``NAME.png`` (or any notice file) is its
sidecar; junk files (``~$x.docx``, ``.DS_Store``, ``Thumbs.db``…) are ignored silently.
When two files give the same id, the first in path order wins and the other is refused.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Protocol

from player.model.alerts import Alert
from player.model.staffalerts import is_staff_alert
from player.model.encoding import decode_text
from player.model.imageinfo import image_info
from player.model.limits import Limits
from player.model.meta import parse_meta, split_end_marker
from player.model.notice import ImageBody, Library, Meta, Notice, Parsed, Picture
from player.model.problems import ContentError, Problem
from player.model.table import parse_csv
from player.model.textdoc import parse_text, split_front_matter
from player.model.unwrap import unwrap
from player.model.yamldoc import YamlError, parse_yaml

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
TABLE_SUFFIXES = frozenset({".csv"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".heic", ".heif"})
#: Word, WPS, PDF and Excel: parsed in the sandbox by sources/documents.py.
DOCUMENT_SUFFIXES = frozenset({".docx", ".docm", ".doc", ".wps", ".rtf", ".odt", ".pdf",
                               ".xlsx", ".xlsm", ".xls", ".et"})
SIDECAR_SUFFIXES = frozenset({".yaml", ".yml"})
NOTICE_SUFFIXES = TEXT_SUFFIXES | TABLE_SUFFIXES | IMAGE_SUFFIXES | DOCUMENT_SUFFIXES
TICKER_NAME = "ticker.txt"
#: A title longer than this is cut (with …): it is a heading, not a text (docs/content.md).
MAX_TITLE = 120
#: The staff report the player writes into the drop folder (never read back as content).
STATUS_NAME = "_状态.txt"
#: The staff previews the player writes into the drop folder (never read as content).
PREVIEW_DIR = "_预览"
BUNDLE_PREFIX = "bundle:"  # how problems of centrally published files are named

_JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
_JUNK_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp", ".bak", "~")


@dataclass(frozen=True)
class SourceFile:
    """A file's content-root-relative POSIX path (its display form, see model/names.py)
    and its bytes."""

    path: str
    data: bytes = field(repr=False)

    @cached_property
    def sha256(self) -> str:
        """The sha256 of the bytes (hex)."""
        return hashlib.sha256(self.data).hexdigest()


class FileLike(Protocol):
    """What the library reads of a file: :class:`SourceFile`, or a source's lazy
    reference whose ``data`` is read only when a parser needs it."""

    path: str

    @property
    def sha256(self) -> str: ...

    @property
    def data(self) -> bytes: ...


#: parse_notice, or a source's wrapper of it (caches, sandboxed bodies, quarantine).
NoticeParser = Callable[[FileLike, "FileLike | None", Limits], Notice]


def is_ignored(path: str) -> bool:
    """Junk that is skipped silently: hidden and Office lock files, temp files, our report."""
    parts = path.split("/")
    name = parts[-1]
    if path == STATUS_NAME or parts[0] == PREVIEW_DIR:
        return True
    if any(p.startswith(".") or p.startswith("~$") for p in parts):
        return True
    lower = name.lower()
    return lower in _JUNK_NAMES or lower.endswith(_JUNK_SUFFIXES)


def is_image(path: str) -> bool:
    """Whether the path names a picture (by extension)."""
    return posixpath.splitext(path)[1].lower() in IMAGE_SUFFIXES


def is_document(path: str) -> bool:
    """Whether the path names a Word, WPS, PDF or Excel file (by extension)."""
    return posixpath.splitext(path)[1].lower() in DOCUMENT_SUFFIXES


def check_file_size(limits: Limits, path: str, size: int) -> None:
    """The size limit of a file's kind (picture, document, text).

    Raises:
        ContentError: over the limit.
    """
    if is_document(path):
        limits.check_document(size)
    else:
        limits.check_size(size, is_image(path))


def notice_id(path: str) -> str:
    """The id of a notice file: path without extension and end-date marker."""
    folder, name = posixpath.split(path)
    stem = posixpath.splitext(name)[0]
    try:
        stem = split_end_marker(stem)[0]
    except ContentError:
        pass
    return posixpath.join(folder, stem) if folder else stem


def build_library(files: Iterable[FileLike], limits: Limits = Limits(),
                  problems: Iterable[Problem] = (), source: str = "drop",
                  parse: NoticeParser | None = None,
                  staff_alert: Callable[[FileLike], Alert] | None = None) -> Library:
    """Parse every file of a content tree.

    Args:
        files: the tree's files (junk may be included; it is skipped).
        limits: size limits.
        problems: problems the caller already found (they are kept, sorted in).
        source: "drop" or "bundle", recorded on each notice.
        parse: how one notice file (and its sidecar) becomes a Notice: by default
            :func:`parse_notice` (pictures by their header only); the sources pass a
            wrapper that decodes pictures in the sandbox, caches and quarantines.
        staff_alert: reads a staff alert file at the top of the drop folder (it needs
            the time it was first seen and the time zone); None: such files are skipped.

    Returns:
        The library: good notices sorted by id, ticker messages, all problems.
    """
    parse = parse or parse_notice
    found = list(problems)
    by_path = {f.path: f for f in files if not is_ignored(f.path)}
    if len(by_path) > limits.files:
        found.append(too_many_files(len(by_path), limits.files))
        by_path = dict(sorted(by_path.items())[: limits.files])
    sidecars = {p for p in by_path if posixpath.splitext(p)[1].lower() in SIDECAR_SUFFIXES}
    used_sidecars: set[str] = set()
    notices: dict[str, Notice] = {}
    ticker: tuple[str, ...] = ()
    alerts: list[Alert] = []
    for path in sorted(by_path):
        suffix = posixpath.splitext(path)[1].lower()
        if path in sidecars:
            continue
        try:
            if path.lower() == TICKER_NAME:
                ticker = parse_ticker(by_path[path].data, limits)
                continue
            if source == "drop" and is_staff_alert(path):
                if staff_alert is not None:
                    alerts.append(staff_alert(by_path[path]))
                continue
            if suffix not in NOTICE_SUFFIXES:
                raise _unsupported(suffix)
            sidecar = _find_sidecar(path, sidecars)
            if sidecar:
                used_sidecars.add(sidecar)
            notice = parse(by_path[path], by_path[sidecar] if sidecar else None, limits)
        except ContentError as exc:
            found.append(exc.at(getattr(exc, "path", None) or path))
            continue
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError,
                LookupError, RecursionError, MemoryError, UnicodeError) as exc:
            # A parser bug or a library raising what it never should: this file is refused,
            # the others are read (the caller logs the exception's class and message).
            found.append(unexpected(path, exc))
            continue
        if notice.id in notices:
            other = notices[notice.id].path
            found.append(Problem(
                path, f"gives the same notice id '{notice.id}' as {other}; rename or remove one",
                f"与 {other} 是同一个公告名称，请改名或删除其中一个"))
            continue
        notices[notice.id] = notice if notice.source == source else replace(notice, source=source)
    for sidecar in sorted(sidecars - used_sidecars):
        found.append(Problem(
            sidecar, "settings file has no picture, table or text of the same name beside it; "
            "name it like the file it describes (照片.jpg -> 照片.yaml)",
            "这个设置文件旁边没有同名的图片或表格：请让它与对应文件同名（如 照片.jpg 配 照片.yaml）"))
    found.sort(key=lambda p: (p.path, p.line or 0))
    return Library(tuple(notices[k] for k in sorted(notices)), ticker, tuple(found), alerts=tuple(alerts))


def unexpected(path: str, exc: BaseException) -> Problem:
    """The refusal of a file whose reading failed in a way no rule foresaw."""
    return Problem(path, f"cannot read this file ({type(exc).__name__}: {str(exc)[:120]}); "
                   "save it again in a common format", "文件无法读取（内部错误）：请用常见格式重新保存后再放入")


def too_many_files(count: int, limit: int) -> Problem:
    """The problem of a tree with more files than ``limits.files``."""
    return Problem(
        ".", f"{count} files, over the limit of {limit}; only the first {limit} in name order are used",
        f"文件数 {count} 超过上限 {limit}，只显示按名称排序的前面部分：请删除过期文件")


class _SidecarError(ContentError):
    """A problem located in the sidecar file rather than in the notice file, which is not
    shown until the settings read well (its end date or screens are unknown); the
    message says so, so that staff do not look for the missing notice elsewhere."""

    def __init__(self, error: ContentError, path: str, notice_path: str) -> None:
        name = posixpath.basename(notice_path)
        super().__init__(f"{error.message}; {name} is not shown until its settings are fixed",
                         f"{error.hint_zh}（{name} 在设置改正前不显示）", error.line)
        self.path = path


def parse_notice(file: FileLike, sidecar: FileLike | None = None,
                 limits: Limits = Limits(), parsed: Parsed | None = None) -> Notice:
    """Parse one notice file (and its sidecar).

    Args:
        parsed: the body, when the source made it outside this pure function (a picture
            decoded in the sandbox, a document); then ``file.data`` is not read.

    Raises:
        ContentError: anything that keeps the file off the screen.
    """
    path = file.path
    suffix = posixpath.splitext(path)[1].lower()
    folder, name = posixpath.split(path)
    stem, name_end = split_end_marker(posixpath.splitext(name)[0])
    image = suffix in IMAGE_SUFFIXES
    if parsed is None and suffix in DOCUMENT_SUFFIXES:
        raise ContentError(  # only the sources read documents (sandbox, LibreOffice)
            f"{suffix} files are read by the player's document reader, not here",
            "此类文件需由播放器的文档读取程序处理")
    data = b"" if parsed is not None else file.data
    if parsed is None:
        limits.check_size(len(data), image)
    if parsed is None and not data:
        raise ContentError("the file is empty; the copy may have failed, copy it again",
                           "文件是空的（可能没有复制完整）：请重新复制")
    meta = Meta()
    if sidecar is not None:
        try:
            limits.check_size(len(sidecar.data), False)
            meta = parse_meta(_yaml(decode_text(sidecar.data), 1), "sidecar")
        except ContentError as exc:
            raise _SidecarError(exc, sidecar.path, file.path) from None
    fallback_title = stem
    notes: tuple = ()
    if parsed is not None:
        meta = _with_name_end(meta, name_end)
        notice_body = parsed.body
        title = meta.title or parsed.title or stem
        notes = parsed.notes
    elif suffix in TEXT_SUFFIXES:
        front, body, body_line = split_front_matter(decode_text(data))
        if front is not None:
            meta = _overlay(meta, parse_meta(_yaml(front, 2), "front matter"))
        meta = _with_name_end(meta, name_end)
        if suffix == ".txt":
            body, note = unwrap(body)  # text copied from a PDF, broken every 30-40 characters
            notes = (note,) if note is not None else ()
        title, notice_body = parse_text(body, suffix != ".txt", meta, fallback_title)
    elif suffix in TABLE_SUFFIXES:
        meta = _with_name_end(meta, name_end)
        notice_body = parse_csv(decode_text(data))
        title = meta.title or stem
    else:
        meta = _with_name_end(meta, name_end)
        info = image_info(data)  # the header only: pure callers; sources decode in the sandbox
        limits.check_pixels(info.width, info.height)
        notice_body = ImageBody(Picture(file.sha256, info.width, info.height))
        title = meta.title or stem
    category = path.split("/", 1)[0] if "/" in path else ""
    if len(title) > MAX_TITLE:  # a whole text on its first line is not a title
        title = title[: MAX_TITLE - 1] + "…"
    return Notice(
        id=posixpath.join(folder, stem) if folder else stem,
        path=path, category=category, title=title, meta=meta, body=notice_body,
        sha256=file.sha256, notes=notes)


def parse_ticker(data: bytes, limits: Limits = Limits()) -> tuple[str, ...]:
    """``ticker.txt``: one message per non-empty line (front matter is allowed and skipped).

    Raises:
        ContentError: undecodable or too large.
    """
    limits.check_size(len(data), False)
    _front, body, _line = split_front_matter(decode_text(data))
    return tuple(line.strip(" \t\u3000") for line in body.split("\n") if line.strip(" \t\u3000"))


def _yaml(text: str, first_line: int):
    try:
        return parse_yaml(text, first_line)
    except YamlError as exc:
        raise ContentError(
            f"settings: {exc.message}",
            "文件开头的设置部分写法有误（YAML 格式）：请检查冒号、引号和缩进，或删除设置部分",
            exc.line) from None


def _overlay(base: Meta, top: Meta) -> Meta:
    """Front-matter values override sidecar values."""
    defaults = Meta()
    changes = {k: v for k, v in vars(top).items() if v != getattr(defaults, k)}
    return replace(base, **changes)


def _with_name_end(meta: Meta, name_end) -> Meta:
    if name_end is None:
        return meta
    if meta.end is not None and meta.end != name_end:
        raise ContentError(
            f"end date is given twice: {meta.end} in the settings and {name_end} in the file name; keep one",
            f"结束日期写了两次（设置里是 {meta.end}，文件名里是 {name_end}），请只保留一处")
    return replace(meta, end=name_end)


def _find_sidecar(path: str, sidecars: set[str]) -> str | None:
    base = posixpath.splitext(path)[0]
    for suffix in (".yaml", ".yml", ".YAML", ".YML"):
        if base + suffix in sidecars:
            return base + suffix
    return None


def _unsupported(suffix: str) -> ContentError:
    shown = suffix or "(no extension)"
    return ContentError(
        f"unsupported file type {shown}; use .txt or .md (text), .csv (tables), .jpg/.png (pictures), "
        ".docx/.doc/.wps (Word, WPS), .pdf or .xlsx/.xls (Excel); for slides, export a PDF",
        f"不支持 {shown} 类型的文件。可用：.txt、.md（文字）、.csv（表格）、.jpg、.png（图片）、"
        ".docx、.doc、.wps（Word、WPS 文档）、.pdf、.xlsx、.xls（Excel 表格）；幻灯片请导出为 PDF")


def merge_libraries(bundle: Library, drop: Library) -> Library:
    """Centrally published notices and dropped ones side by side.

    A dropped file can never replace or hide a bundle notice: a drop notice with the
    same id is refused with a problem. Ticker messages of both are shown (bundle first).
    Problems of bundle files are reported with the path prefixed ``bundle:``.
    """
    taken = {n.id for n in bundle.notices}
    notices = list(bundle.notices)
    problems = list(drop.problems)
    for problem in bundle.problems:  # valid when published, refused here (e.g. other limits)
        problems.append(replace(problem, path=f"{BUNDLE_PREFIX}{problem.path}",
                                hint_zh=f"{problem.hint_zh}（上级统一发布的文件，请联系发布单位）"))
    for notice in drop.notices:
        if notice.id in taken:
            problems.append(Problem(
                notice.path, f"has the same id '{notice.id}' as a centrally published notice, which stays; "
                "rename the file", "与上级统一发布的公告同名，不能替换它：请给文件改个名字"))
        else:
            notices.append(notice)
    problems.sort(key=lambda p: (p.path, p.line or 0))
    return Library(tuple(sorted(notices, key=lambda n: n.id)), bundle.ticker + drop.ticker, tuple(problems),
                   drop.newest_mtime, drop.alerts)
