"""Where content comes from: the drop folder (scanned and watched with watchdog).

Sources run in background threads and hand the app loop complete, immutable
:class:`~player.model.notice.Library` snapshots; they never touch pygame.
"""
