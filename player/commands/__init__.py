"""The subcommands of ``signage``, a module per group; :mod:`player.cli` parses and dispatches."""
