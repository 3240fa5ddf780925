"""Loaded Chinese fonts: measurement for layout and drawing of text.

:func:`load_fonts` picks faces (see :mod:`player.render.fontconfig`), opens them with
``pygame.freetype`` at the right collection index, and proves the choice: a face that
lacks the glyphs of 政务公开 is rejected, so the player never draws boxes (豆腐块).
With no usable face it raises :class:`FontError` whose message names the package to
install.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from player.layout.display import Style
from player.render.fontconfig import FONT_PACKAGE, DEFAULT_FONT_DIRS, Face, chinese_faces, pick_pair, run_fc
from player.render.pg import init_fonts, pygame

PROBE_TEXT = "政务公开"


class FontError(Exception):
    """No usable Chinese font; the message is one line saying what to do."""


@dataclass(frozen=True)
class FontChoice:
    """The faces in use (bold None: emboldened regular)."""

    regular: Face
    bold: Face | None


def open_face(face: Face, size: int = 32) -> "pygame.freetype.Font":
    """Open one face of a font file.

    Raises:
        FontError: unreadable or not a font.
    """
    init_fonts()
    try:
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
    metrics = font.get_metrics("".join(chars))
    return [c for c, m in zip(chars, metrics) if m is None]


def choose_fonts(file: Path | None = None, index: int | None = None, bold_file: Path | None = None,
                 bold_index: int | None = None, runner=run_fc,
                 dirs: Iterable[Path] = DEFAULT_FONT_DIRS) -> FontChoice:
    """Choose regular and bold faces: from the config when given, else from fontconfig.

    Raises:
        FontError: nothing usable; the message names the package to install.
    """
    if file is not None:
        regular = Face(file, index or 0, file.stem)
        _prove(regular, configured=True)
        bold = Face(bold_file, bold_index or 0, bold_file.stem, "Bold", 200) if bold_file else None
        if bold is not None:
            _prove(bold, configured=True)
        return FontChoice(regular, bold)
    faces = chinese_faces(runner, dirs)
    while faces:
        regular, bold = pick_pair(faces)
        try:
            _prove(regular)
        except FontError:
            faces = [f for f in faces if f.family != regular.family]
            continue
        try:
            if bold is not None:
                _prove(bold)
        except FontError:
            bold = None
        return FontChoice(regular, bold)
    raise FontError(f"no Chinese font installed; install one with: sudo apt install {FONT_PACKAGE}")


def _prove(face: Face, configured: bool = False) -> None:
    font = open_face(face)
    missing = missing_glyphs(font, PROBE_TEXT)
    if missing:
        hint = ("set fonts.file to a Chinese font or remove it" if configured
                else f"install {FONT_PACKAGE}")
        raise FontError(f"font {face.path} (face {face.index}) has no Chinese glyphs "
                        f"({''.join(missing)} missing); {hint}")


class Fonts:
    """Fonts at every size the screen uses; implements the layout ``Metrics`` protocol."""

    def __init__(self, choice: FontChoice) -> None:
        self.choice = choice
        self._regular = open_face(choice.regular)
        self._bold = open_face(choice.bold) if choice.bold else None
        self._widths: dict[tuple[str, int, bool], float] = {}

    def font(self, bold: bool) -> "pygame.freetype.Font":
        """The font object for a weight."""
        return self._bold if bold and self._bold is not None else self._regular

    def _fake_bold(self, bold: bool) -> bool:
        return bold and self._bold is None

    def width(self, text: str, style: Style) -> float:
        """Advance width of ``text`` in pixels (sum of glyph advances, no kerning)."""
        key = (text, style.size, style.bold)
        cached = self._widths.get(key)
        if cached is not None:
            return cached
        font = self.font(style.bold)
        flags = pygame.freetype.STYLE_STRONG if self._fake_bold(style.bold) else pygame.freetype.STYLE_DEFAULT
        total = 0.0
        for metric in font.get_metrics(text, size=style.size):
            total += metric[4] if metric is not None else style.size
        if flags != pygame.freetype.STYLE_DEFAULT:
            total += len(text) * style.size * 0.02
        if len(self._widths) > 200_000:
            self._widths.clear()
        self._widths[key] = total
        return total

    def line_height(self, style: Style) -> float:
        """Font line height (ascender - descender + gap) at the style's size."""
        return float(self.font(style.bold).get_sized_height(style.size))

    def ascender(self, style: Style) -> int:
        """Pixels from the top of the line to the baseline."""
        return int(self.font(style.bold).get_sized_ascender(style.size))

    def draw(self, surface: "pygame.Surface", x: float, y: float, text: str, style: Style,
             color: tuple[int, int, int] | None = None) -> None:
        """Draw ``text`` with the top of its line at (x, y)."""
        font = self.font(style.bold)
        flags = pygame.freetype.STYLE_STRONG if self._fake_bold(style.bold) else pygame.freetype.STYLE_DEFAULT
        baseline = round(y) + self.ascender(style)
        font.render_to(surface, (round(x), baseline), text, color or style.color,
                       style=flags, size=style.size)

    def missing(self, text: str) -> list[str]:
        """Characters the regular face cannot draw."""
        return missing_glyphs(self._regular, text)


def load_fonts(file: Path | None = None, index: int | None = None, bold_file: Path | None = None,
               bold_index: int | None = None,
               runner: Callable[[list[str]], str | None] = run_fc) -> Fonts:
    """Choose and open the fonts. Raises :class:`FontError` when there is none."""
    return Fonts(choose_fonts(file, index, bold_file, bold_index, runner))
