"""Keeping secrets out of logs and status files.

``sync.headers`` values (a bearer token) and a password in ``sync.url``
(``https://user:secret@host/``) must never reach the journal, ``status.json`` or a
bug report. :class:`MaskSecrets` is installed on the log handler by ``signage``'s
logging setup and replaces each secret in every formatted message with ``***``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

_MIN_SECRET = 4  # shorter values would mask ordinary words


def mask_url(url: str | None) -> str | None:
    """``https://user:secret@host/x`` -> ``https://user:***@host/x``."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def secrets_of(headers: Iterable[tuple[str, str]], url: str | None) -> list[str]:
    """The strings to mask: header values (and their last word, the token of
    ``Bearer TOKEN``) and the URL's password."""
    found: set[str] = set()
    for _name, value in headers:
        found.add(value)
        found.update(value.split()[1:])
    if url and urlsplit(url).password:
        found.add(urlsplit(url).password)
    return sorted((s for s in found if len(s) >= _MIN_SECRET), key=len, reverse=True)


class MaskSecrets(logging.Filter):
    """Replace secrets in log records (message and arguments, formatted once)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        values = [s for s in secrets if s]
        self._pattern = re.compile("|".join(re.escape(s) for s in values)) if values else None

    def filter(self, record: logging.LogRecord) -> bool:
        if self._pattern is None:
            return True
        message = record.getMessage()
        masked = self._pattern.sub("***", message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and record.exc_text is None and record.exc_info[1] is not None:
            record.exc_text = self._pattern.sub("***", logging.Formatter().formatException(record.exc_info))
        return True
