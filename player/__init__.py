"""告示屏 signage player.

Package map (the import graph flows downwards only):

- ``model``   pure content model: notices, parsing of dropped files, rotation.
- ``layout``  pure typesetting: clreq line breaking, pages -> display lists.
- ``config``  ``player.yaml`` -> frozen dataclasses with precise errors.
- ``render``  pygame: fonts, drawing display lists, header, ticker, frames.
- ``sources`` file-system and network input: drop-folder scanning and watching.
- ``runtime`` the app loop, status.json, display setup.
- ``cli``     the ``signage`` command.
"""

__version__ = "0.1.0"

#: The day this version was released; the clock-trust floor (a later issue) uses it.
RELEASE_DATE = "2026-11-27"
