"""Pure typesetting: clreq line breaking, paragraphs, tables, pages -> display lists.

Nothing here imports pygame or does I/O; text is measured through the
:class:`~player.layout.display.Metrics` protocol that the renderer (or a test) provides.
The one import made late is the word segmenter's (``rjieba``, :mod:`player.layout.words`),
on the first title or heading that needs two lines; it reads no file after that.
"""

from player.layout.linebreak import break_lines

__all__ = ["break_lines"]
