"""``signage fleet receive``: heartbeats in, Prometheus metrics and screenshots out."""

from __future__ import annotations

import logging


from player.commands.common import (Environment, ExitStatus, Fail, setup_logging)

log = logging.getLogger("signage")


def cmd_fleet(args, env: Environment) -> ExitStatus:
    """``signage fleet receive``: runs until SIGTERM or Ctrl+C (docs/fleet.md)."""
    import signal
    import threading

    from player.config import parse_listen
    from player.fleet.receive import Receiver, read_token
    from player.fleet.screens import ScreenStore

    setup_logging(None, env)
    try:
        host, port = parse_listen(args.listen)
    except ValueError:
        raise Fail(f"--listen: expected HOST:PORT like 0.0.0.0:9106, or a port, got {args.listen!r}") from None
    try:
        token = read_token(env.cwd / args.token_file)
    except ValueError as exc:
        raise Fail(f"--token-file: {exc}") from None
    if args.max_body < 1024:
        raise Fail(f"--max-body: at least 1024 bytes, got {args.max_body}")
    folder = env.cwd / args.dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Fail(f"--dir: cannot create {folder}: {exc.strerror or exc}") from None
    store = ScreenStore(folder)
    loaded = store.load()
    try:
        receiver = Receiver((host, port), store, token, args.max_body)
    except OSError as exc:
        raise Fail(f"--listen: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    receiver.start()
    log.info("receiving heartbeats on http://%s:%d/ (%d screens loaded from %s); Prometheus: /metrics",
             *receiver.address, loaded, folder)
    while not stop.wait(1.0):
        pass
    receiver.stop()
    log.info("stopped")
    return ExitStatus.OK
