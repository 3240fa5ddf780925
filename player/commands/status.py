"""``signage status``: the running player's status.json, and whether it is running at all."""

from __future__ import annotations

import datetime as dt
import json
import logging

from player.config import Config, find_config, load_config

from player.commands.common import (Environment, ExitStatus, Fail)

log = logging.getLogger("signage")


def cmd_status(args, env: Environment) -> ExitStatus:
    """``signage status``: the running player's status.json, and whether it is running."""
    config = load_config(find_config(args.config, env.env, env.cwd), need_drop=False)
    from player.runtime.statedir import LOCK_NAME, holder
    path = config.status_path
    running = holder(config.state_dir / LOCK_NAME) is not None
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        why = "the player is not running" if not running else "the player has not written it yet"
        raise Fail(f"no status file at {path}: {why} (start it with signage play)", ExitStatus.PROBLEMS) from None
    except (OSError, ValueError) as exc:
        raise Fail(f"cannot read {path}: {exc}", ExitStatus.PROBLEMS) from None
    warnings = _status_warnings(status, running, config, env)
    if args.json:
        json.dump(status, env.stdout, ensure_ascii=False, indent=1)
        env.stdout.write("\n")
    else:
        _print_status(status, env.stdout)
    for warning in warnings:
        print(f"signage status: {warning}", file=env.stderr)
    return ExitStatus.PROBLEMS if warnings else ExitStatus.OK


def _status_warnings(status: dict, running: bool, config: Config, env: Environment) -> list[str]:
    """What makes this status untrustworthy: no player, or a status too old to be live."""
    warnings = []
    updated = status.get("updated_at")
    if not running:
        warnings.append(f"the player is not running (this status is from {updated}; start it with signage play)")
    else:
        dark = (status.get("power") or {}).get("screen") == "off"
        every = 60.0 if dark else float((status.get("player") or {}).get("status_every") or 5.0)
        try:
            age = (env.clock.now() - dt.datetime.fromisoformat(updated)).total_seconds()
        except (TypeError, ValueError):
            age = None
        if age is None or age > 3 * every:
            warnings.append(f"status is old (updated {updated}, more than {3 * every:g} s ago): the player is "
                            "not responding; check `journalctl -u signage-player`")
    if not config.drop.dir.is_dir():
        warnings.append(f"drop folder {config.drop.dir} does not exist or cannot be read (drop.dir in {config.path})")
    return warnings


def _print_status(status: dict, out) -> None:
    showing = status.get("showing") or {}
    print(f"updated:  {status.get('updated_at')}", file=out)
    print(f"showing:  {showing.get('notice') or '(nothing)'} page {showing.get('page')}/{showing.get('pages')}",
          file=out)
    render = status.get("render") or {}
    print(f"render:   {render.get('fps')} fps, frame p99 {render.get('frame_ms_p99')} ms", file=out)
    print(f"clock:    {'trusted' if (status.get('clock') or {}).get('trusted') else 'NOT trusted'}", file=out)
    power = status.get("power") or {}
    if power.get("next_change") or power.get("screen") == "off" or power.get("last_error"):
        print(f"screen:   {power.get('screen')} (power schedule), next change {power.get('next_change')}"
              + (f", command failing: {power['last_error']}" if power.get("last_error") else ""), file=out)
    storage = status.get("storage") or {}
    for error in storage.get("errors") or []:
        print(f"storage:  {error}", file=out)
    for service in status.get("services") or []:
        if service.get("restarts") or not service.get("alive", True):
            print(f"thread:   {service.get('name')} restarted {service.get('restarts')} time(s), last error: "
                  f"{service.get('last_error')}", file=out)
    bundle, sync = status.get("bundle") or {}, status.get("sync") or {}
    if sync.get("url") or bundle.get("version") is not None:
        state = "stale (expired)" if bundle.get("stale") else ("verified" if bundle.get("verified") else "UNSIGNED")
        line = f"bundle:   version {bundle.get('version')}"
        if bundle.get("version") is not None:
            line += f", {state}, active since {bundle.get('activated_at')}"
        print(line, file=out)
        if bundle.get("refused"):
            print(f"  refused: {bundle['refused']}", file=out)
        if bundle.get("missing_objects"):
            print(f"  missing objects: {bundle['missing_objects']} (fetched again on the next sync)", file=out)
        print(f"sync:     {sync.get('url')} last ok {sync.get('last_ok')}"
              + (f", last error: {sync['last_error']}" if sync.get("last_error") else ""), file=out)
    alerts = (status.get("alerts") or {}).get("active") or []
    for alert in alerts:
        print(f"alert:    [{alert.get('level')}] {alert.get('title')} until {alert.get('until')}"
              + (" (drill)" if alert.get("drill") else ""), file=out)
    notices = status.get("notices") or []
    print(f"notices:  {len(notices)}", file=out)
    for n in notices:
        print(f"  [{n.get('state')}] {n.get('id')}" + (f" (until {n['end']})" if n.get("end") else "")
              + (" (bundle)" if n.get("source") == "bundle" else ""), file=out)
    errors = (status.get("drop") or {}).get("errors") or []
    print(f"problems: {len(errors)}", file=out)
    for e in errors:
        where = f"{e.get('file')}:{e['line']}" if e.get("line") else e.get("file")
        print(f"  {where}: {e.get('error')}", file=out)
    for entry in status.get("quarantine") or []:
        print(f"  quarantined: {entry.get('file')} (crashed the player; changed files are tried again)", file=out)
