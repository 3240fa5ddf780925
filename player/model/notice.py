"""The content model: immutable notices, their bodies and the library holding them.

Everything here is a frozen dataclass built by the parsers in this package; nothing
here does I/O or knows about pygame. A :class:`Library` is a consistent snapshot of
everything the screen may show; sources build a new one and hand it to the app loop.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from functools import cached_property

from player.model.problems import Problem

#: A moment written in a file: a date means the whole day, a naive datetime is local time.
Moment = dt.date | dt.datetime


class Priority(enum.IntEnum):
    """Lower value plays first."""

    URGENT = 0
    HIGH = 1
    NORMAL = 2

    @property
    def label(self) -> str:
        """The word used in files and status output."""
        return self.name.lower()


@dataclass(frozen=True)
class Span:
    """A run of text with one style."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class Heading:
    """A heading. Levels 1-4 follow the ladder 一、 （一） 1. （1）; Markdown maps onto them.

    ``ladder`` is True when the heading opens with a ladder marker (一、 …): official
    documents indent those like body paragraphs (GB/T 9704).
    """

    spans: tuple[Span, ...]
    level: int
    ladder: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph; ``indent`` asks for the two-character first-line indent."""

    spans: tuple[Span, ...]
    indent: bool = True


@dataclass(frozen=True)
class ListItem:
    """One item of a bulleted (``•``) or numbered (``1.``) list."""

    spans: tuple[Span, ...]
    marker: str


@dataclass(frozen=True)
class Closing:
    """A right-aligned line at the end: the issuer (落款) or the date (成文日期)."""

    text: str


@dataclass(frozen=True)
class Merge:
    """A merged cell: ``rows`` x ``cols`` cells from (``row``, ``col``).

    Rows count the header as row 0 and data rows from 1. The text is in the top-left
    cell; the cells it covers are empty strings in the grid.
    """

    row: int
    col: int
    rows: int = 1
    cols: int = 1


@dataclass(frozen=True)
class TableBody:
    """A table: a header row and data rows, all of equal width.

    ``merges`` (documents and workbooks; CSV has none) name merged cells; ``subtitle``
    is shown above the table (a workbook's further sheets carry their sheet name).
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    merges: tuple[Merge, ...] = ()
    subtitle: str | None = None

    def char_count(self) -> int:
        """Characters in all cells."""
        return sum(len(c) for row in (self.header, *self.rows) for c in row)

    def cells(self) -> tuple[str, ...]:
        """Every cell's text, header first."""
        return tuple(cell for row in (self.header, *self.rows) for cell in row)


@dataclass(frozen=True)
class Picture:
    """A picture ready to draw: the sha256 of its normalized bytes in the player's store
    (upright, at most screen-sized, PNG or JPEG: see sources/pictures.py) and its size.

    The model never holds picture bytes: a library of 200 photos is 200 small values,
    and the renderer loads the bytes it needs through the loader the runtime gives it.
    """

    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class Figure:
    """A picture inside a document (a Word inline picture), with an optional caption."""

    picture: Picture
    caption: str | None = None


@dataclass(frozen=True)
class TableBlock:
    """A table inside running text (a Word table between paragraphs)."""

    table: TableBody


Block = Heading | Paragraph | ListItem | Closing | Figure | TableBlock


def block_text(block: Block) -> str:
    """The characters a block shows (cells of a table, a figure's caption)."""
    if isinstance(block, Closing):
        return block.text
    if isinstance(block, Figure):
        return block.caption or ""
    if isinstance(block, TableBlock):
        return "".join(block.table.cells())
    text = "".join(s.text for s in block.spans)
    return block.marker + text if isinstance(block, ListItem) else text


@dataclass(frozen=True)
class TextBody:
    """A notice written as text (``.txt`` / ``.md``, documents rebuilt as text)."""

    blocks: tuple[Block, ...]

    def char_count(self) -> int:
        """Characters of readable text, for reading-time estimates."""
        total = 0
        for block in self.blocks:
            if isinstance(block, ListItem):
                total += sum(len(s.text) for s in block.spans)
            else:
                total += len(block_text(block))
        return total


@dataclass(frozen=True)
class ScanPage:
    """One page of a scanned document, shown as a picture cut into readable slices.

    ``text_px`` is the typical height of a text line's ink in the picture's pixels (0:
    unknown); ``cuts`` are y positions (picture pixels, ascending) of blank rows between
    text lines where a slice may end without cutting through a line.
    """

    picture: Picture
    text_px: float
    cuts: tuple[int, ...] = ()


@dataclass(frozen=True)
class ScanBody:
    """A document without usable text (a scanned PDF): its pages as pictures."""

    pages: tuple[ScanPage, ...]

    def char_count(self) -> int:
        """Estimated characters on the pages (text lines x characters per line)."""
        total = 0
        for page in self.pages:
            if page.text_px > 0:
                lines = page.picture.height / (page.text_px * 1.8)
                total += int(lines * page.picture.width / page.text_px * 0.8)
        return total


@dataclass(frozen=True)
class ImageBody:
    """A picture notice: its normalized picture (the bytes stay in the store)."""

    picture: Picture

    @property
    def width(self) -> int:
        """Pixel width of the picture as drawn (upright)."""
        return self.picture.width

    @property
    def height(self) -> int:
        """Pixel height of the picture as drawn (upright)."""
        return self.picture.height

    def char_count(self) -> int:
        """Pictures have no text to read."""
        return 0


@dataclass(frozen=True)
class SheetsBody:
    """A workbook with several visible sheets: one table per sheet, each a page group."""

    tables: tuple[TableBody, ...]

    def char_count(self) -> int:
        """Characters in all cells of all sheets."""
        return sum(t.char_count() for t in self.tables)


Body = TextBody | TableBody | ImageBody | ScanBody | SheetsBody


@dataclass(frozen=True)
class Note:
    """Something the player did to a file that staff may want to know (not a problem):
    ``signage check`` prints it, English ``message`` and Chinese ``hint_zh``."""

    message: str
    hint_zh: str


@dataclass(frozen=True)
class Parsed:
    """What a document (``.docx``, ``.pdf``, ``.xlsx`` …) becomes: the title it names
    itself (None: the caller uses settings or the file name), the body, and notes."""

    title: str | None
    body: Body
    notes: tuple[Note, ...] = ()


def is_publicity_kind(kind: object) -> bool:
    """The one rule of what a 公示 is (a notice's ``kind``, a play-log record's, a
    status entry's): the word 公示, spaces around it allowed."""
    return str(kind or "").strip() == "公示"


@dataclass(frozen=True)
class Meta:
    """Settings from front matter, a sidecar ``.yaml`` and the file name."""

    title: str | None = None
    issuer: str | None = None
    date: dt.date | None = None
    start: Moment | None = None
    end: Moment | None = None
    kind: str | None = None
    priority: Priority = Priority.NORMAL
    duration: float | None = None
    screens: tuple[str, ...] = ()
    order: int = 0
    #: Daily showing windows as (start, end) times; empty means all day.
    hours: tuple[tuple[dt.time, dt.time], ...] = ()
    #: Weekdays shown (0 = Monday); empty means every day.
    days: frozenset[int] = frozenset()
    #: Web address of the full text (http/https): the pages show it as a QR code.
    url: str | None = None

    @property
    def is_publicity(self) -> bool:
        """A 公示: shows its publicity period and the days remaining."""
        return is_publicity_kind(self.kind)


@dataclass(frozen=True)
class Notice:
    """One notice: a text, a table or a picture, with its settings."""

    id: str
    path: str
    category: str
    title: str
    meta: Meta
    body: Body
    sha256: str
    source: str = "drop"
    #: What the player did to the file that staff may want to know (``signage check``).
    notes: tuple[Note, ...] = ()

    def all_text(self) -> str:
        """Every character the screen draws for this notice (title, body, cells)."""
        parts = [self.title, self.category]
        body = self.body
        if isinstance(body, TextBody):
            parts.extend(block_text(block) for block in body.blocks)
        elif isinstance(body, TableBody):
            parts.extend(body.cells())
            parts.append(body.subtitle or "")
        elif isinstance(body, SheetsBody):
            for table in body.tables:
                parts.extend(table.cells())
                parts.append(table.subtitle or "")
        return "".join(parts)


@dataclass(frozen=True)
class Library:
    """A consistent snapshot of all content: notices (sorted by id), ticker, problems."""

    notices: tuple[Notice, ...] = ()
    ticker: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: Newest modification time of the files read (seconds since the epoch), if known:
    #: a lower bound for the real time (see runtime/trust.py).
    newest_mtime: float | None = None
    #: Alerts raised by staff with a file at the top of the drop folder (docs/alerts.md).
    alerts: tuple = ()

    @cached_property
    def by_id(self) -> dict[str, Notice]:
        """Notices keyed by id."""
        return {n.id: n for n in self.notices}

    def get(self, notice_id: str) -> Notice | None:
        """The notice with this id, if any."""
        return self.by_id.get(notice_id)

    def categories(self) -> tuple[str, ...]:
        """The categories (first-level folders) in order of appearance."""
        return tuple(dict.fromkeys(n.category for n in self.notices if n.category))
