"""``signage alert …`` and ``signage playlog --alerts``: the command-line side of alerts.

Dispatched by :mod:`player.cli` (``alert``; ``playlog --alerts`` from commands/logs.py), with its
:class:`~player.commands.common.Environment` and exit codes: 0 done, 1 refused content (a CAP
message we do not show, an unknown alert id, an expired message), 2 usage or
configuration (a bad level or time, a missing key or site folder).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from player.commands.common import Environment, ExitStatus, Fail
from player.config import Config, find_config, load_config
from player.model.alerts import MAX_LIFETIME, Alert, AlertError, Level, MsgType, Status, parse_alert, parse_until

DEFAULT_TZ = "Asia/Shanghai"


def _path(text: str, env: Environment) -> Path:
    return Path(text) if Path(text).is_absolute() else env.cwd / text


def _tz(args, env: Environment) -> ZoneInfo:
    """The config's time zone when there is a config (``-c`` or found), else Asia/Shanghai."""
    path = find_config(args.config, env.env, env.cwd)
    return load_config(path).tz if (args.config or path.is_file()) else ZoneInfo(DEFAULT_TZ)


def _screens(args) -> tuple[str, ...]:
    if args.all_screens:
        return ()
    tags = tuple(t.strip() for t in args.screens.replace("，", ",").split(",") if t.strip())
    if not tags:
        raise Fail("--screens: give at least one tag, e.g. --screens lobby,public (or --all-screens)")
    return tags


def run_alert(args, env: Environment) -> ExitStatus:
    """Dispatch ``signage alert ACTION``."""
    from player.sources.alertpublish import AlertPublishError, current
    site = _path(args.site, env)
    if args.alert_command == "list":
        try:
            document = current(site)
        except AlertPublishError as exc:
            raise Fail(str(exc), ExitStatus.PROBLEMS) from None
        _print_list(document, env)
        return ExitStatus.OK
    key = _key(args, env)
    now = env.clock.now().astimezone(_tz(args, env))
    try:
        published = _act(args, env, site, key, now)
    except AlertPublishError as exc:
        raise Fail(str(exc), ExitStatus.ERROR if exc.usage else ExitStatus.PROBLEMS) from None
    except AlertError as exc:
        usage = args.alert_command != "import"
        raise Fail(str(exc), ExitStatus.ERROR if usage else ExitStatus.PROBLEMS) from None
    except OSError as exc:
        raise Fail(f"cannot write {site}: {exc.strerror or exc}") from None
    live = [a for a in published.alerts if a.type is not MsgType.CANCEL]
    print(f"alerts.json sequence {published.sequence}: {len(live)} live message(s), "
          f"{len(published.alerts) - len(live)} cancel(s)"
          + (f", {published.dropped} expired dropped" if published.dropped else "") + f" -> {site}",
          file=env.stdout)
    return ExitStatus.OK


def _key(args, env: Environment):
    from player.sources.bundle import KeyFileError, load_private_key
    try:
        return load_private_key(_path(args.key, env))
    except (OSError, KeyFileError) as exc:
        raise Fail(f"--key: {getattr(exc, 'strerror', None) or exc}") from None


def _act(args, env: Environment, site: Path, key, now: dt.datetime):
    from player.sources import alertpublish
    if args.alert_command == "send":
        tz = now.tzinfo
        level = Level.parse(args.level)
        if level is None:
            raise Fail(f"--level: expected 红, 橙, 黄 or 蓝 (or red … blue, I … IV), got {args.level!r}")
        until = parse_until(args.until, now, tz)
        sent = now.replace(microsecond=0)
        alert_id = args.id or sent.astimezone(tz).strftime("%Y%m%d-%H%M%S")
        alert = Alert(id=alert_id, level=level, title=args.title.strip(), sent=sent.astimezone(tz),
                      expires=until.astimezone(tz).replace(microsecond=0), status=Status(args.status),
                      text=args.text.strip(), instruction=args.instruction.strip(), issuer=args.issuer.strip(),
                      area=args.area.strip(), screens=_screens(args))
        parse_alert(alert.to_json())  # lengths and fields, with the players' own messages
        published = alertpublish.send(site, key, alert, now)
        word = "updated" if published.alerts[-1].type is MsgType.UPDATE else "sent"
        where = ", ".join(alert.screens) if alert.screens else "all screens"
        drill = " (DRILL: drill-tagged screens only)" if alert.drill else ""
        print(f"{word} {level.label} {alert_id!r} to {where} until {alert.expires.isoformat()}{drill}",
              file=env.stdout)
        return published
    if args.alert_command == "cancel":
        published = alertpublish.cancel(site, key, args.id, now)
        print(f"cancelled {args.id!r}: it leaves the screens at their next poll", file=env.stdout)
        return published
    if args.alert_command == "clear":
        published = alertpublish.clear(site, key, args.id, now, args.text, args.issuer)
        print(f"all-clear for {args.id!r}: shown for 10 minutes", file=env.stdout)
        return published
    if args.alert_command == "import":
        from player.model.cap import parse_cap
        path = _path(args.file, env)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Fail(f"{args.file}: {exc.strerror or exc}") from None
        try:
            message = parse_cap(data, _screens(args))
        except AlertError as exc:
            raise Fail(f"{args.file}: {exc}", ExitStatus.PROBLEMS) from None
        published = alertpublish.import_cap(site, key, message, now)
        if message.alert is not None:
            a = message.alert
            print(f"imported CAP {message.identifier!r} as {a.type.value} {a.level.label} {a.id!r} "
                  f"({a.status.value}) until {a.expires.isoformat()}", file=env.stdout)
        else:
            print(f"imported CAP cancel {message.identifier!r}: cancelled {', '.join(message.cancels)}",
                  file=env.stdout)
        return published
    raise Fail(f"unknown action {args.alert_command!r}")


def _print_list(document, env: Environment) -> None:
    if document is None:
        print("no alerts.json in this site yet", file=env.stdout)
        return
    print(f"alerts.json sequence {document.sequence}, issued {document.issued.isoformat()}", file=env.stdout)
    now = env.clock.now()
    for a in document.alerts:
        state = "expired" if a.expires <= now else "live"
        where = ", ".join(a.screens) if a.screens else "all screens"
        drill = " DRILL" if a.drill else ""
        print(f"  {a.id}: {a.type.value} {a.level.label}{drill} 《{a.title}》 to {where} until "
              f"{a.expires.isoformat()} ({state})", file=env.stdout)


def alert_report(args, env: Environment, config: Config, files, since: dt.date | None,
                 until: dt.date | None) -> ExitStatus:
    """``signage playlog --alerts [--since] [--until] [--json]``."""
    from player.model.alertproof import alert_report_json, alert_report_text, build_alert_report
    from player.runtime import playlogread
    tz = config.tz
    until = until or env.clock.now().astimezone(tz).date()
    since = since or until - dt.timedelta(days=30)
    if since > until:
        raise Fail(f"--since {since} is after --until {until}")
    records = {}
    for day, path in files:
        if day > until or day < since - dt.timedelta(days=MAX_LIFETIME.days + 1):
            continue
        try:
            records[day] = playlogread.read_records(path)  # earlier days too: an alert may have started then
        except OSError as exc:
            print(f"warning: cannot read {path}: {exc}", file=env.stderr)
    report = build_alert_report(records, since=since, until=until, tz=tz)
    if args.json:
        json.dump(alert_report_json(report), env.stdout, ensure_ascii=False, indent=1)
        env.stdout.write("\n")
    else:
        env.stdout.write(alert_report_text(report))
    return ExitStatus.OK


def cmd_alert(args, env: Environment) -> ExitStatus:
    """``signage alert send|cancel|clear|import|list``."""
    return run_alert(args, env)
