"""``signage play`` (the player) and ``signage bench`` (what it costs on this device)."""

from __future__ import annotations

import dataclasses
import json
import logging


from player.commands.common import (Environment, ExitStatus, Fail, command_config, command_fonts, screen_size,
                                    setup_logging)

log = logging.getLogger("signage")


def cmd_play(args, env: Environment) -> ExitStatus:
    """``signage play``."""
    config = command_config(args, env)
    setup_logging(config, env)
    fonts = command_fonts(config)
    from player.runtime.app import App
    from player.runtime.display import open_screen
    size = config.display.size
    fullscreen = config.display.fullscreen
    if args.windowed is not None:
        fullscreen = False
        if args.windowed:
            size = screen_size(args.windowed, config)
    from player.runtime.statedir import StateDirError, StateLock, prepare
    lock = StateLock(config.state_dir)
    try:
        prepare(config.state_dir)
        lock.acquire()
    except StateDirError as exc:
        raise config.error("state_dir", str(exc)) from None
    if args.headless:
        log.info("running headless (--headless): no display is opened")
    screen = open_screen(size, fullscreen, args.headless, renderer=config.display.renderer,
                         rotate=config.display.rotate)
    from player.runtime.host import count_start
    from player.runtime.memory import HeapKeeper
    app = App(config, screen, fonts, env.clock, starts=count_start(config.state_dir), heap=HeapKeeper())
    app.install_signals()
    log.info("signage play: config %s, content %s, font %s (face %d)", config.path, config.drop.dir,
             fonts.choice.regular.path, fonts.choice.regular.index)
    try:
        return ExitStatus(app.run(args.seconds))
    finally:
        lock.release()


def cmd_bench(args, env: Environment) -> ExitStatus:
    """``signage bench``."""
    config = command_config(args, env)
    logging.basicConfig(level=logging.WARNING, stream=env.stderr, force=True)
    size = screen_size(args.size, config)
    fonts = command_fonts(config)
    from player.runtime.bench import format_report, run_bench
    from player.runtime.display import open_screen
    if args.seconds <= 0 or args.page_seconds <= 0:
        raise Fail("--seconds and --page-seconds must be positive")
    config = dataclasses.replace(
        config, layout=args.layout or config.layout,
        display=dataclasses.replace(config.display, rotate=config.display.rotate if args.rotate is None
                                    else args.rotate))
    screen = open_screen(size, False, headless=not args.display, renderer=config.display.renderer,
                         rotate=config.display.rotate)
    screen.headless = False  # offscreen, but at the configured frame rate
    result = run_bench(config, screen, fonts, args.seconds, args.mode, args.page_seconds)
    if args.json:
        json.dump(result, env.stdout, indent=1)
        env.stdout.write("\n")
    else:
        print(format_report(result), file=env.stdout)
    return ExitStatus.OK
