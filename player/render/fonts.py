"""Loaded Chinese fonts: measurement for layout and drawing of text.

:func:`load_fonts` picks faces (see :mod:`player.render.fontconfig`), opens them with
``pygame.freetype`` at the right collection index, and proves the choice: a face that
lacks the glyphs of 政务公开 is rejected, so the player never draws boxes (豆腐块).
Characters the chosen face lacks are drawn from a fallback chain. With no usable face it raises :class:`FontError` whose message names the package to
install.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from player.layout.display import Style
from player.render.fontconfig import (
    DEFAULT_FONT_DIRS, FONT_PACKAGE, Face, Runner, chinese_faces, parse_fc_list, pick_pair, run_fc,
)
from player.render.pg import init_fonts, pygame

log = logging.getLogger(__name__)

#: pygame.freetype releases the GIL inside FreeType and all Font objects share one
#: FreeType library, so two threads calling into it at once crash the process (seen:
#: the page preparer and the frame loop both in get_sized_ascender). Every call into
#: FreeType from this module holds this lock. It guards a process-wide C resource,
#: which is why it is module-level; the frame loop rarely contends for it (clock digits
#: once a second, a ticker segment now and then).
FREETYPE_LOCK = threading.RLock()

PROBE_TEXT = "政务公开"
MAX_FALLBACKS = 4
MAX_CJK_FALLBACKS = 2
#: Extra advance of emboldened (STYLE_STRONG) glyphs, as a fraction of the size.
STRONG_EXTRA = 0.02


class FontError(Exception):
    """No usable Chinese font; the message is one line saying what to do."""


@dataclass(frozen=True)
class FontChoice:
    """The faces in use (bold None: emboldened regular) and the fallback chain."""

    regular: Face
    bold: Face | None
    fallbacks: tuple[Face, ...] = ()


def open_face(face: Face, size: int = 32) -> "pygame.freetype.Font":
    """Open one face of a font file.

    Raises:
        FontError: unreadable or not a font.
    """
    init_fonts()
    try:
        with FREETYPE_LOCK:
            font = pygame.freetype.Font(str(face.path), size, font_index=face.index)
    except (OSError, pygame.error, ValueError) as exc:
        raise FontError(f"cannot open font {face.path} (face {face.index}): {exc}") from None
    font.kerning = False
    font.pad = False
    font.origin = True
    return font


def missing_glyphs(font: "pygame.freetype.Font", text: str) -> list[str]:
    """Characters of ``text`` the font has no glyph for (whitespace ignored)."""
    chars = [c for c in dict.fromkeys(text) if not c.isspace()]
    with FREETYPE_LOCK:
        metrics = font.get_metrics("".join(chars))
    return [c for c, m in zip(chars, metrics) if m is None]


def choose_fonts(file: Path | None = None, index: int | None = None, bold_file: Path | None = None,
                 bold_index: int | None = None, runner: Runner = run_fc,
                 dirs: Iterable[Path] = DEFAULT_FONT_DIRS) -> FontChoice:
    """Choose regular and bold faces (from the config when given, else from fontconfig)
    and the fallback chain for characters the main face lacks.

    Raises:
        FontError: nothing usable; the message names the package to install.
    """
    faces = chinese_faces(runner, dirs)
    if file is not None:
        regular = Face(file, index or 0, file.stem)
        _prove(regular, configured=True)
        bold = Face(bold_file, bold_index or 0, bold_file.stem, "Bold", 200) if bold_file else None
        if bold is not None:
            _prove(bold, configured=True)
        return FontChoice(regular, bold, _fallbacks(regular, faces, runner))
    candidates = list(faces)
    while candidates:
        regular, bold = pick_pair(candidates)
        try:
            _prove(regular)
        except FontError:
            candidates = [f for f in candidates if f.family != regular.family]
            continue
        try:
            if bold is not None:
                _prove(bold)
        except FontError:
            bold = None
        return FontChoice(regular, bold, _fallbacks(regular, faces, runner))
    raise FontError(f"no Chinese font installed; install one with: sudo apt install {FONT_PACKAGE}")


def _fallbacks(regular: Face, faces: list[Face], runner: Runner) -> tuple[Face, ...]:
    """Other families for missing characters: Chinese faces by rank, then the
    system's sans-serif and symbol faces (for Latin symbols and signs)."""
    chain: list[Face] = []
    families = {regular.family}
    for face in faces:
        if len(chain) == MAX_CJK_FALLBACKS:
            break
        if face.family not in families and face.weight < 200 and "mono" not in face.family.lower():
            families.add(face.family)
            chain.append(face)
    for pattern in ("sans-serif", "symbol"):
        output = runner(["fc-match", "-f", "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\t%{weight}\n",
                         pattern]) or ""
        for face in parse_fc_list(output):
            if face.family not in families:
                families.add(face.family)
                chain.append(face)
    return tuple(chain[:MAX_FALLBACKS])


def _prove(face: Face, configured: bool = False) -> None:
    font = open_face(face)
    missing = missing_glyphs(font, PROBE_TEXT)
    if missing:
        hint = ("set fonts.file to a Chinese font or remove it" if configured
                else f"install {FONT_PACKAGE}")
        raise FontError(f"font {face.path} (face {face.index}) has no Chinese glyphs "
                        f"({''.join(missing)} missing); {hint}")


class Fonts:
    """The fonts of the screen; implements the layout ``Metrics`` protocol.

    Each character is drawn from the first face of the chain that has it (the chosen
    Simplified Chinese face, then the fallbacks); bold text uses the bold face when it
    has the character, else the chain's face emboldened. A character that no face has
    is drawn as the main face's missing-glyph box and logged once. Widths are sums of
    per-character advances (kerning is off, so they equal the drawn widths) and the
    advances are cached per size, which makes measuring cheap.
    """

    def __init__(self, choice: FontChoice) -> None:
        self.choice = choice
        self._chain = [open_face(choice.regular)]
        for face in choice.fallbacks:
            try:
                self._chain.append(open_face(face))
            except FontError as exc:
                log.info("fallback font skipped: %s", exc)
        self._bold = open_face(choice.bold) if choice.bold else None
        self._owner: dict[str, int] = {}            # char -> index in chain (-1: none)
        self._bold_has: dict[str, bool] = {}
        self._advances: dict[tuple[int, bool], dict[str, float]] = {}
        self._heights: dict[tuple[int, bool], tuple[float, int]] = {}
        self.reported_missing: set[str] = set()

    def font(self, bold: bool) -> "pygame.freetype.Font":
        """The main font object for a weight."""
        return self._bold if bold and self._bold is not None else self._chain[0]

    # -- coverage --------------------------------------------------------------------

    def _owner_of(self, ch: str, report: bool = True) -> int:
        owner = self._owner.get(ch)
        if owner is None or (owner < 0 and report and ch not in self.reported_missing):
            owner = -1
            if ch.isspace():
                owner = 0
            else:
                with FREETYPE_LOCK:
                    for index, font in enumerate(self._chain):
                        if font.get_metrics(ch)[0] is not None:
                            owner = index
                            break
            if owner < 0 and report and ch not in self.reported_missing:
                self.reported_missing.add(ch)
                log.warning("character %s (U+%04X) is in no installed font and shows as a box; "
                            "install a font that has it (e.g. fonts-hanazono) or avoid the character", ch, ord(ch))
            self._owner[ch] = owner
        return owner

    def _face_for(self, ch: str, bold: bool) -> tuple["pygame.freetype.Font", bool]:
        """(font, embolden) for one character."""
        if bold and self._bold is not None:
            has = self._bold_has.get(ch)
            if has is None:
                with FREETYPE_LOCK:
                    has = ch.isspace() or self._bold.get_metrics(ch)[0] is not None
                self._bold_has[ch] = has
            if has:
                return self._bold, False
        owner = self._owner_of(ch)
        return self._chain[max(owner, 0)], bold

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` that no face of the chain has (each once)."""
        return [ch for ch in dict.fromkeys(text) if self._owner_of(ch, report=False) < 0]

    # -- Metrics protocol -----------------------------------------------------------------

    def _learn(self, chars: str, size: int, bold: bool) -> None:
        """Cache the advances of ``chars`` at a size, asking each face once for all of them."""
        with FREETYPE_LOCK:
            self._learn_locked(chars, size, bold)

    def _learn_locked(self, chars: str, size: int, bold: bool) -> None:
        table = self._advances.setdefault((size, bold), {})
        todo = [ch for ch in dict.fromkeys(chars) if ch not in table]
        if bold and self._bold is not None and todo:
            rest = []
            for ch, metric in zip(todo, self._bold.get_metrics("".join(todo), size=size)):
                if metric is not None or ch.isspace():
                    table[ch] = float(metric[4]) if metric is not None else size / 2
                    self._bold_has[ch] = True
                else:
                    self._bold_has[ch] = False
                    rest.append(ch)
            todo = rest
        extra = size * STRONG_EXTRA if bold else 0.0
        for index, font in enumerate(self._chain):
            if not todo:
                return
            rest = []
            for ch, metric in zip(todo, font.get_metrics("".join(todo), size=size)):
                if metric is not None:
                    table[ch] = float(metric[4]) + extra
                    self._owner.setdefault(ch, index)
                else:
                    rest.append(ch)
            todo = rest
        for ch in todo:  # in no face: the main face's box, one em wide
            self._owner_of(ch)
            table[ch] = float(size)

    def width(self, text: str, style: Style) -> float:
        """Advance width of ``text`` in pixels."""
        key = (style.size, style.bold)
        table = self._advances.get(key)
        if table is not None:
            try:
                return sum(table[ch] for ch in text)
            except KeyError:
                pass
        self._learn(text, style.size, style.bold)
        table = self._advances[key]
        return sum(table[ch] for ch in text)

    def line_height(self, style: Style) -> float:
        """Font line height (ascender - descender + gap) at the style's size."""
        return self._vertical(style)[0]

    def ascender(self, style: Style) -> int:
        """Pixels from the top of the line to the baseline."""
        return self._vertical(style)[1]

    def _vertical(self, style: Style) -> tuple[float, int]:
        key = (style.size, style.bold)
        value = self._heights.get(key)
        if value is None:
            font = self.font(style.bold)
            with FREETYPE_LOCK:
                value = (float(font.get_sized_height(style.size)), int(font.get_sized_ascender(style.size)))
            self._heights[key] = value
        return value

    # -- drawing --------------------------------------------------------------------

    def draw(self, surface: "pygame.Surface", x: float, y: float, text: str, style: Style,
             color: tuple[int, int, int] | None = None) -> None:
        """Draw ``text`` with the top of its line at (x, y), face by face."""
        with FREETYPE_LOCK:
            self._draw_locked(surface, x, y, text, style, color)

    def _draw_locked(self, surface: "pygame.Surface", x: float, y: float, text: str, style: Style,
                     color: tuple[int, int, int] | None) -> None:
        baseline = round(y) + self.ascender(style)
        color = color or style.color
        run_start = 0
        run_key = None
        pen = x
        for index, ch in enumerate(text + "\0"):
            key = None if ch == "\0" else self._face_for(ch, style.bold)
            if key != run_key or ch == "\0":
                if run_key is not None and index > run_start:
                    font, strong = run_key
                    chunk = text[run_start:index]
                    font.render_to(surface, (round(pen), baseline), chunk, color,
                                   style=pygame.freetype.STYLE_STRONG if strong else pygame.freetype.STYLE_DEFAULT,
                                   size=style.size)
                    pen += self.width(chunk, style)
                run_start, run_key = index, key


def load_fonts(file: Path | None = None, index: int | None = None, bold_file: Path | None = None,
               bold_index: int | None = None, runner: Runner = run_fc) -> Fonts:
    """Choose and open the fonts. Raises :class:`FontError` when there is none."""
    return Fonts(choose_fonts(file, index, bold_file, bold_index, runner))
