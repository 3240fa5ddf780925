"""Pure typesetting: clreq line breaking, paragraphs, tables, pages -> display lists.

Nothing here imports pygame or does I/O; text is measured through the
:class:`~player.layout.display.Metrics` protocol that the renderer (or a test) provides.
"""

from player.layout.linebreak import break_lines

__all__ = ["break_lines"]
