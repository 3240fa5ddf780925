"""What a document parser hands back from the sandbox, before pictures are kept.

Parsers of untrusted documents run in a worker process and return plain values. A
picture found in a document cannot be a :class:`~player.model.notice.Picture` yet (that
names bytes already normalized and stored by the player), so the parser returns the
raw bytes in :attr:`Draft.images` and an :class:`ImageRef` where the picture goes;
:func:`player.sources.documents.ingest_document` normalizes, keeps and swaps them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from player.model.notice import Block, Body, Note, TableBody


@dataclass(frozen=True)
class ImageRef:
    """Where a document's picture ``index`` (into :attr:`Draft.images`) goes."""

    index: int
    caption: str | None = None


@dataclass(frozen=True)
class Draft:
    """A parsed document: title, content and the raw pictures it contains.

    Exactly one of ``blocks`` (running text), ``tables`` (a workbook: one per visible
    sheet) or ``body`` (anything else already final) is the content.
    """

    title: str | None
    blocks: tuple[Block | ImageRef, ...] = ()
    tables: tuple[TableBody, ...] = ()
    body: Body | None = None
    images: tuple[bytes, ...] = field(default=(), repr=False)
    notes: tuple[Note, ...] = ()
