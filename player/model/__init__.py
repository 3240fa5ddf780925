"""Pure content model: notices, parsing of content files, and what plays when.

Nothing in this package does I/O, reads a clock or imports pygame.
"""

from player.model.library import SourceFile, build_library, is_ignored
from player.model.limits import Limits
from player.model.notice import (
    Closing, Heading, ImageBody, Library, ListItem, Meta, Notice, Paragraph, Priority, Span,
    TableBody, TextBody,
)
from player.model.problems import ContentError, Problem

__all__ = [
    "Closing", "ContentError", "Heading", "ImageBody", "Library", "Limits", "ListItem", "Meta",
    "Notice", "Paragraph", "Priority", "Problem", "SourceFile", "Span", "TableBody", "TextBody",
    "build_library", "is_ignored",
]
