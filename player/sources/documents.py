"""Word, WPS, PDF and Excel files -> :class:`~player.model.notice.Parsed`.

:func:`ingest_document` is the one entry point the ingestion layer calls (in a
background thread, never the frame loop). Every byte of the file is parsed inside the
:class:`~player.sources.sandbox.Sandbox` worker (memory cap, time limit, crash
containment); this module only decides which job runs, converts old formats with
LibreOffice (:class:`~player.sources.convert.Converter`, its own process) and turns the
pictures a job found into :class:`~player.model.notice.Picture` values: each is
normalized in the sandbox (:func:`player.sources.pictures.normalize`) and handed to
``keep``, which stores the bytes and returns their sha256.

Every refusal is a :class:`~player.model.problems.ContentError` with an English message
and a Chinese hint; a job that ran out of memory, time or crashed becomes one too.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path

from player.model.container import Kind, sniff
from player.model.draft import Draft, ImageRef
from player.model.library import DOCUMENT_SUFFIXES as MODEL_DOCUMENTS
from player.model.limits import Limits
from player.model.notice import (
    Figure, Note, Parsed, Picture, ScanBody, ScanPage, SheetsBody, TextBody,
)
from player.model.problems import ContentError
from player.sources.convert import CONVERTIBLE, Converter
from player.sources.sandbox import Failure, Sandbox, SandboxError

WORD_SUFFIXES = frozenset({".docx", ".docm"})
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et"})
PDF_SUFFIXES = frozenset({".pdf"})
#: Every document type :func:`ingest_document` accepts (the model's list; checked below).
DOCUMENT_SUFFIXES = MODEL_DOCUMENTS
assert DOCUMENT_SUFFIXES == WORD_SUFFIXES | CONVERTIBLE | SHEET_SUFFIXES | PDF_SUFFIXES
#: Seconds a parsing job may take in the sandbox (a PDF gets a second per page on top).
JOB_TIMEOUT = 60.0
#: A scanned page's text line is rendered this tall, as a fraction of the screen height
#: (48 px at 1080: at least the body size of the default theme, 38 px).
SCAN_TEXT = 0.045

Keep = Callable[[bytes], "str | None"]


def ingest_document(path: str, data: bytes, *, sandbox: Sandbox, keep: Keep, box: tuple[int, int],
                    limits: Limits, converter: Converter | None) -> Parsed:
    """Parse one document file.

    Args:
        path: the file's path (only its extension is used, and in messages).
        data: its bytes.
        sandbox: the worker all parsing runs in.
        keep: stores bytes, returns their sha256 (None: could not store).
        box: the screen size; pictures are normalized to fit it.
        limits: size, page, unpacking and pixel limits.
        converter: LibreOffice for ``.doc .wps .rtf .odt`` (None: not available).

    Returns:
        Title (None: use settings or the file name), body and notes.

    Raises:
        ContentError: the file cannot be shown; the message says why and what to do.
    """
    suffix = posixpath.splitext(path)[1].lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise ValueError(f"not a document type: {suffix}")
    limits.check_document(len(data))
    if not data:
        raise ContentError("the file is empty; the copy may have failed, copy it again",
                           "文件是空的（可能没有复制完整）：请重新复制")
    if suffix in PDF_SUFFIXES:
        return _pdf(data, sandbox, keep, box, limits)
    if suffix in SHEET_SUFFIXES:
        job = "player.model.xlsx:parse_xlsx" if suffix in (".xlsx", ".xlsm") else "player.model.xls:parse_sheet_file"
        return _finish(_run(sandbox, job, data, limits), sandbox, keep, box, limits)
    notes: list[Note] = []
    if needs_conversion(suffix, data):
        if converter is None:  # refuses with the hint to save as .docx
            converter = Converter(Path("/nonexistent"), soffice="")
        data = converter.to_docx(data, suffix)
        notes.append(Note(f"converted from {suffix} with LibreOffice", f"已用 LibreOffice 将 {suffix} 文件转换后显示"))
    if suffix == ".docm":
        notes.append(Note("the document contains macros; they never run, only the text is shown",
                          "文档中含有宏，播放器不会运行宏，只显示内容"))
    parsed = _finish(_run(sandbox, "player.model.docx:parse_docx", data, limits), sandbox, keep, box, limits)
    return Parsed(parsed.title, parsed.body, tuple(notes) + parsed.notes)


def needs_conversion(suffix: str, data: bytes) -> bool:
    """Whether a word-processor file must go through LibreOffice to be read: an old
    Word/WPS/RTF/ODT file, or a ``.docx`` that is really a Word 97 file inside."""
    kind = sniff(data)
    return (suffix in CONVERTIBLE and not (kind is Kind.ZIP and b"word/document.xml" in data)
            or suffix in WORD_SUFFIXES and kind is Kind.OLE2)


def _run(sandbox: Sandbox, job: str, *args, timeout: float = JOB_TIMEOUT):
    try:
        return sandbox.run(job, *args, timeout=timeout)
    except SandboxError as exc:
        raise _failed(exc) from None


def _failed(exc: SandboxError) -> ContentError:
    if exc.failure is Failure.MEMORY:
        return ContentError(f"the file needs more memory than allowed to read ({exc}); it is refused",
                            "文件过于复杂，读取时超出内存上限，已拒绝：请拆分文件或另存为较小的文件")
    if exc.failure is Failure.TIMEOUT:
        return ContentError(f"reading the file took too long ({exc}); it is refused",
                            "文件读取超时，已拒绝：请拆分文件或另存为较简单的格式")
    return ContentError(f"the file cannot be read ({exc}); it may be damaged",
                        "文件无法读取（可能已损坏）：请重新保存后再放入")


def _finish(draft: Draft, sandbox: Sandbox, keep: Keep, box: tuple[int, int], limits: Limits) -> Parsed:
    notes = list(draft.notes)
    if draft.tables:
        body = draft.tables[0] if len(draft.tables) == 1 else SheetsBody(draft.tables)
        return Parsed(draft.title, body, tuple(notes))
    if draft.body is not None:
        return Parsed(draft.title, draft.body, tuple(notes))
    pictures: dict[int, Picture | None] = {}
    blocks = []
    for block in draft.blocks:
        if not isinstance(block, ImageRef):
            blocks.append(block)
            continue
        if block.index not in pictures:
            pictures[block.index] = _picture(draft.images[block.index], sandbox, keep, box, limits, notes)
        picture = pictures[block.index]
        if picture is not None:
            blocks.append(Figure(picture, block.caption))
    return Parsed(draft.title, TextBody(tuple(blocks)), tuple(notes))


def _picture(data: bytes, sandbox: Sandbox, keep: Keep, box, limits: Limits, notes: list[Note]) -> Picture | None:
    try:
        decoded = sandbox.run("player.sources.pictures:normalize", data, box, limits.image_pixels, timeout=30.0)
    except (ContentError, SandboxError) as exc:
        notes.append(Note(f"a picture in the document cannot be shown ({exc}); it is left out",
                          "文档中有一张图片无法显示（已损坏或格式不支持），已略去"))
        return None
    sha = keep(decoded.data)
    if sha is None:
        notes.append(Note("a picture in the document could not be stored; it is left out",
                          "文档中有一张图片未能保存（存储空间不足？），已略去"))
        return None
    return Picture(sha, decoded.width, decoded.height)


def _pdf(data: bytes, sandbox: Sandbox, keep: Keep, box: tuple[int, int], limits: Limits) -> Parsed:
    text_px = max(16, round(box[1] * SCAN_TEXT))
    result = _run(sandbox, "player.sources.pdf:read_pdf", data, limits, text_px, limits.image_pixels,
                  timeout=JOB_TIMEOUT + min(limits.pdf_pages, 500))
    if result.draft is not None:
        return _finish(result.draft, sandbox, keep, box, limits)
    # Scanned pages are not passed through pictures.normalize: they were rendered by
    # PDFium in the sandbox, within max_pixels, and encoded by Pillow there; normalizing
    # would decode and re-encode the same pixels, and shrink them to the screen box,
    # which is exactly what the slicing layout must not have.
    pages = []
    for scan in result.scans:
        sha = keep(scan.data)
        if sha is None:
            raise ContentError("the scanned pages could not be stored (storage full?)",
                               "扫描页图片未能保存（存储空间不足？）：请检查播放器的存储空间")
        pages.append(ScanPage(Picture(sha, scan.width, scan.height), scan.text_px, scan.cuts))
    return Parsed(result.title, ScanBody(tuple(pages)), result.notes)

