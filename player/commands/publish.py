"""``signage keygen``, ``signage bundle build`` and ``signage sync --once``: central publishing."""

from __future__ import annotations

import logging
from pathlib import Path

from player.config import find_config, load_config
from player.model.limits import Limits

from player.commands.common import (Environment, ExitStatus, Fail, command_config, one_off_ingest,
                                    setup_logging)

log = logging.getLogger("signage")


def cmd_keygen(args, env: Environment) -> ExitStatus:
    """``signage keygen``."""
    from player.sources.publish import PublishError, keygen
    prefix = Path(args.prefix) if Path(args.prefix).is_absolute() else env.cwd / args.prefix
    try:
        private, public = keygen(prefix)
    except PublishError as exc:
        raise Fail(str(exc)) from None
    except OSError as exc:
        raise Fail(f"cannot write the key pair: {exc.strerror or exc}") from None
    print(f"wrote {private} (private: keep it offline, mode 0600) and {public} (for sync.public_key)",
          file=env.stdout)
    return ExitStatus.OK


def cmd_bundle(args, env: Environment) -> ExitStatus:
    """``signage bundle build``."""
    from player.sources.bundle import KeyFileError, load_private_key
    from player.sources.publish import PublishError, build_bundle
    config_path = find_config(args.config, env.env, env.cwd)
    limits = load_config(config_path).limits if (args.config or config_path.is_file()) else Limits()
    src = Path(args.src) if Path(args.src).is_absolute() else env.cwd / args.src
    out = Path(args.out) if Path(args.out).is_absolute() else env.cwd / args.out
    if not src.is_dir():
        raise Fail(f"{args.src}: no such folder")
    key = None
    if args.key:
        try:
            key = load_private_key(Path(args.key) if Path(args.key).is_absolute() else env.cwd / args.key)
        except (OSError, KeyFileError) as exc:
            raise Fail(f"--key: {exc}") from None
    try:
        built = build_bundle(src, out, key, args.version, args.expires, limits,
                             ingest=one_off_ingest(limits, "bundle"))
    except PublishError as exc:
        for problem in exc.problems:
            print(f"{args.src.rstrip('/')}/{problem.format()}", file=env.stdout)
        raise Fail(str(exc), ExitStatus.PROBLEMS if exc.problems else ExitStatus.ERROR) from None
    except OSError as exc:
        raise Fail(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"bundle version {built.version}: {built.files} files, {built.new_objects} new objects, "
          f"{'signed' if built.signed else 'UNSIGNED'} -> {out}", file=env.stdout)
    if not built.signed:
        print("warning: the bundle is not signed; players accept it only with sync.allow_unsigned", file=env.stderr)
    return ExitStatus.OK


def cmd_sync(args, env: Environment) -> ExitStatus:
    """``signage sync --once``."""
    config = command_config(args, env)
    setup_logging(config, env)
    if not config.sync.url:
        raise Fail("sync.url is not set in the config; nothing to sync from")
    from player.runtime.syncing import make_sync, update_status_file
    from player.sources.sync import SyncResult
    sync = make_sync(config, env.clock.now)
    try:
        outcome = sync.run_once()
    finally:
        sync.fetcher.close()
    update_status_file(config, sync)
    current = sync.active.version if sync.active else None
    print(f"sync {outcome.result}: {outcome.message or ''} active version {current}".replace("  ", " "),
          file=env.stdout)
    return ExitStatus.OK if outcome.result in (SyncResult.UNCHANGED, SyncResult.UPDATED) else ExitStatus.PROBLEMS
