"""Problems found in content: one line for logs and the CLI, one line for staff.

A :class:`Problem` says what is wrong, where (file and line) and what to do, twice:
``message`` in English for logs and ``signage check``, ``hint_zh`` in Chinese for the
staff-facing status report in the drop folder. Parsers raise :class:`ContentError`
without knowing the file's path; the caller attaches it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One refused file (or one refused part of a file)."""

    path: str
    message: str
    hint_zh: str
    line: int | None = None

    def where(self) -> str:
        """``path`` or ``path:line``."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        """The one-line English form ``path[:line]: message``."""
        return f"{self.where()}: {self.message}"

    def format_zh(self) -> str:
        """The one-line Chinese form for staff."""
        where = f"{self.path} 第{self.line}行" if self.line else self.path
        return f"{where}：{self.hint_zh}"


class ContentError(ValueError):
    """Raised by pure parsers; becomes a :class:`Problem` once the path is known."""

    def __init__(self, message: str, hint_zh: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint_zh = hint_zh
        self.line = line

    def at(self, path: str) -> Problem:
        """This error as a :class:`Problem` of ``path``."""
        return Problem(path=path, message=self.message, hint_zh=self.hint_zh, line=self.line)
