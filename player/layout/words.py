"""Word boundaries for titles and headings, so that they break between words.

Body text breaks between any two Han characters (clreq); a title or heading broken inside
a word (收费标/准, 财/务收支) reads wrong, so their lines may break inside a run of Han
characters only between words. The words come from a :class:`Segmenter`; the default is
jieba's dictionary and algorithm through ``rjieba`` (the Rust port jieba-rs: the same
segmentation, ~100 ms to load instead of ~1 s, ~33 MB instead of ~80 MB, a few µs a
title; figures in docs/performance.md).

The segmenter is optional at every step: ``rjieba`` is imported on first use (layout asks
only for a text that needs more than one line, so a landscape screen whose titles fit
may never load it; the runtime can :meth:`JiebaSegmenter.load` it ahead, in a background
thread, to keep the ~100 ms import out of a first layout), and when it
is missing, fails, or returns words that do not spell the text, :func:`inside_words`
answers ``frozenset()`` and titles break between characters under the ordinary clreq
rules. Layout stays deterministic: the same text and segmenter give the same positions.

Only runs of single Han characters (as :func:`~player.layout.linebreak.tokenize` cuts
them) are segmented, each on its own: a number with its unit (2026年) is already one
token, and segmenting around it keeps jieba from gluing 年老 in 2026年老旧小区.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from player.layout.linebreak import tokenize

log = logging.getLogger(__name__)


class Segmenter(Protocol):
    """Cuts Chinese text into words."""

    def cut(self, text: str) -> Sequence[str] | None:
        """The words of ``text`` in order (joined they give ``text``), or None when unavailable."""


class JiebaSegmenter:
    """jieba's segmentation through ``rjieba``, imported on the first :meth:`cut`.

    A failed import is remembered (``error``) and logged once; :meth:`cut` then returns
    None. Python's import lock makes a first use from two threads safe.
    """

    def __init__(self, module: str = "rjieba") -> None:
        self.module = module
        self._cut: Callable[[str], list[str]] | None = None
        self.error: str | None = None

    def load(self) -> bool:
        """Import the segmenter now (e.g. in a background thread at start). True when usable."""
        if self._cut is None and self.error is None:
            try:
                self._cut = importlib.import_module(self.module).cut
            except Exception as exc:  # ImportError, or a broken binary wheel
                self.error = f"{type(exc).__name__}: {exc}"
                log.warning("word segmenter %s unavailable (%s): titles and headings break "
                            "between characters", self.module, self.error)
        return self._cut is not None

    def cut(self, text: str) -> list[str] | None:
        """The words of ``text``, or None when the segmenter cannot be used."""
        if not self.load():
            return None
        assert self._cut is not None
        try:
            return self._cut(text)
        except Exception:  # a segmenter bug must not stop a notice from being shown
            return None


@functools.cache
def default_segmenter() -> JiebaSegmenter:
    """The process-wide segmenter (one dictionary in memory, loaded on first use)."""
    return JiebaSegmenter()


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def han_runs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every run of two or more adjacent single-Han-character tokens."""
    runs: list[tuple[int, int]] = []
    start = end = -1
    for tok in tokenize(text):
        single = tok.end - tok.start == 1 and _is_han(text[tok.start])
        if single and tok.start == end:  # adjacent (a space in between ends the run)
            end = tok.end
            continue
        if end - start >= 2:
            runs.append((start, end))
        start, end = (tok.start, tok.end) if single else (-1, -1)
    if end - start >= 2:
        runs.append((start, end))
    return runs


def inside_words(text: str, segmenter: Segmenter | None) -> frozenset[int]:
    """Positions of ``text`` that fall inside a word (no line break there, if avoidable).

    Args:
        text: a title or heading (with its indent, if any).
        segmenter: the word segmenter; None means none (no position is inside a word).

    Returns:
        Indices ``p`` such that ``text[p - 1]`` and ``text[p]`` belong to one word.
    """
    if segmenter is None:
        return frozenset()
    inside: set[int] = set()
    for start, end in han_runs(text):
        words = segmenter.cut(text[start:end])
        if words is None or "".join(words) != text[start:end]:
            return frozenset()  # unavailable or inconsistent: break between characters
        pos = start
        for word in words:
            inside.update(range(pos + 1, pos + len(word)))
            pos += len(word)
    return frozenset(inside)
