"""The ``signage`` command: parse, dispatch to one function per subcommand.

``program(argv, env)`` runs a command against an :class:`Environment` (streams,
environment variables, working directory, clock), so tests can run most commands
in-process; ``main()`` is the console-script entry point. The subcommands live in
:mod:`player.commands` (a module per group); what they share in
:mod:`player.commands.common`.
"""

from __future__ import annotations

import os
import sys

from player.args import build_parser
from player.commands.alerts import cmd_alert
from player.commands.common import Environment, ExitStatus, Fail
from player.commands.content import cmd_check, cmd_render, cmd_schedule
from player.commands.fleet import cmd_fleet
from player.commands.logs import cmd_playlog
from player.commands.play import cmd_bench, cmd_play
from player.commands.publish import cmd_bundle, cmd_keygen, cmd_sync
from player.commands.status import cmd_status
from player.config import ConfigError

__all__ = ["Environment", "ExitStatus", "Fail", "main", "program"]

HANDLERS = {"play": cmd_play, "render": cmd_render, "schedule": cmd_schedule, "check": cmd_check,
            "status": cmd_status, "bench": cmd_bench, "keygen": cmd_keygen, "bundle": cmd_bundle,
            "sync": cmd_sync, "playlog": cmd_playlog, "alert": cmd_alert, "fleet": cmd_fleet}


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    try:
        return int(program(sys.argv[1:] if argv is None else argv, Environment()))
    except BrokenPipeError:
        # `signage status --json | head`: the reader went away; end quietly, like cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitStatus.OK)



def program(argv: list[str], env: Environment) -> ExitStatus:
    """Parse ``argv`` and run the command."""
    args = build_parser().parse_args(argv)
    try:
        return HANDLERS[args.command](args, env)
    except Fail as fail:
        print(f"signage {args.command}: {fail}", file=env.stderr)
        return fail.status
    except ConfigError as exc:
        print(f"signage {args.command}: config error: {exc}", file=env.stderr)
        return ExitStatus.ERROR
