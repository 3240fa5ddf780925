"""The content model: immutable notices, their bodies and the library holding them.

Everything here is a frozen dataclass built by the parsers in this package; nothing
here does I/O or knows about pygame. A :class:`Library` is a consistent snapshot of
everything the screen may show; sources build a new one and hand it to the app loop.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
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


Block = Heading | Paragraph | ListItem | Closing


@dataclass(frozen=True)
class TextBody:
    """A notice written as text (``.txt`` / ``.md``)."""

    blocks: tuple[Block, ...]

    def char_count(self) -> int:
        """Characters of readable text, for reading-time estimates."""
        total = 0
        for block in self.blocks:
            if isinstance(block, Closing):
                total += len(block.text)
            else:
                total += sum(len(s.text) for s in block.spans)
        return total


@dataclass(frozen=True)
class TableBody:
    """A table notice (``.csv``): a header row and data rows, all of equal width."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def char_count(self) -> int:
        """Characters in all cells."""
        return sum(len(c) for row in (self.header, *self.rows) for c in row)


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


Body = TextBody | TableBody | ImageBody


@dataclass(frozen=True)
class Parsed:
    """A body made outside the pure parsers — a picture decoded and normalized in the
    sandbox, a converted document — handed to :func:`~player.model.library.parse_notice`,
    which adds the settings, the id and the category as for any file. ``title`` is the
    document's own title (None: the file name is used); ``notes`` are what the ingestion
    did that staff may want to know (``signage check`` prints them)."""

    body: Body
    title: str | None = None
    notes: tuple[str, ...] = ()


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
        return (self.kind or "").strip() == "公示"


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

    def all_text(self) -> str:
        """Every character the screen draws for this notice (title, body, cells)."""
        parts = [self.title, self.category]
        body = self.body
        if isinstance(body, TextBody):
            for block in body.blocks:
                parts.append(block.text if isinstance(block, Closing) else "".join(s.text for s in block.spans))
                if isinstance(block, ListItem):
                    parts.append(block.marker)
        elif isinstance(body, TableBody):
            parts.extend(cell for row in (body.header, *body.rows) for cell in row)
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
