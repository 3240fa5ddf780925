"""The ``signage`` command: one function per subcommand.

``program(argv, env)`` runs a command against an :class:`Environment` (streams,
environment variables, working directory, clock), so tests can run most commands
in-process; ``main()`` is the console-script entry point.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import io
import json
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from player.args import build_parser
from player.config import Config, ConfigError, find_config, load_config, parse_size
from player.model.limits import Limits
from player.model.notice import Library
from player.model.problems import Problem
from player.model.schedule import ACTIVE, evaluate
from player.runtime.clock import Clock, SystemClock, trusted_time
from player.sources.folder import FolderScanner

log = logging.getLogger("signage")


class ExitStatus(enum.IntEnum):
    """Exit codes (DESIGN.md section 1)."""

    OK = 0
    PROBLEMS = 1
    ERROR = 2


@dataclass
class Environment:
    """What a command may touch besides its arguments."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    cwd: Path = field(default_factory=Path.cwd)
    clock: Clock = field(default_factory=SystemClock)


class _Fail(Exception):
    """Stop a command with a one-line message and an exit status."""

    def __init__(self, message: str, status: ExitStatus = ExitStatus.ERROR) -> None:
        super().__init__(message)
        self.status = status


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
    handler = {"play": cmd_play, "render": cmd_render, "schedule": cmd_schedule,
               "check": cmd_check, "status": cmd_status, "bench": cmd_bench, "keygen": cmd_keygen,
               "bundle": cmd_bundle, "sync": cmd_sync, "playlog": cmd_playlog, "alert": cmd_alert,
               "fleet": cmd_fleet}[args.command]
    try:
        return handler(args, env)
    except _Fail as fail:
        print(f"signage {args.command}: {fail}", file=env.stderr)
        return fail.status
    except ConfigError as exc:
        print(f"signage {args.command}: config error: {exc}", file=env.stderr)
        return ExitStatus.ERROR


# --- shared steps ---------------------------------------------------------------------

def _config(args, env: Environment) -> Config:
    return load_config(find_config(args.config, env.env, env.cwd))


class _Formatter(logging.Formatter):
    """Log times in the configured time zone, with its offset (2026-11-29T20:05:11+0800)."""

    def __init__(self, fmt: str, tz) -> None:
        super().__init__(fmt)
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = dt.datetime.fromtimestamp(record.created, self.tz)
        return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def _setup_logging(config: Config | None, env: Environment) -> None:
    level = getattr(logging, (config.log_level if config else "info").upper())
    if env.env.get("JOURNAL_STREAM"):  # journald adds its own timestamps
        fmt = "%(levelname)s %(name)s: %(message)s"
    else:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=env.stderr, force=True)
    tz = config.tz if config is not None else None
    for handler in logging.getLogger().handlers:
        handler.setFormatter(_Formatter(fmt, tz))
    if config is not None:
        from player.logmask import MaskSecrets, secrets_of
        mask = MaskSecrets(secrets_of(config.sync.headers, config.sync.url)
                           + secrets_of(config.report.headers, config.report.url))
        for handler in logging.getLogger().handlers:
            handler.addFilter(mask)


def _fonts(config: Config):
    from player.render.fonts import FontError, load_fonts
    try:
        return load_fonts(config.fonts.file, config.fonts.index, config.fonts.bold_file,
                          config.fonts.bold_index)
    except FontError as exc:
        raise _Fail(str(exc)) from None


def _size(text: str | None, config: Config) -> tuple[int, int]:
    if text:
        try:
            return parse_size(text)
        except ValueError:
            raise _Fail(f"--size: expected WIDTHxHEIGHT like 1920x1080, got {text!r}") from None
    return config.display.size or (1920, 1080)


def _moment(text: str | None, config: Config, env: Environment) -> dt.datetime:
    if not text:
        return env.clock.now()
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise _Fail(f"--at: expected a date and time like 2026-11-27T10:30, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=config.tz)


def _library(config: Config, box: tuple[int, int] | None = None):
    """The drop folder as the screen would show it, with its pictures normalized into a
    store in memory: (library, store)."""
    from player.sources.ingest import Ingest
    from player.sources.store import MemoryStore
    store = MemoryStore()
    ingest = Ingest("drop", config.limits, store=store, box=box or (1920, 1080))
    try:
        return FolderScanner.once(config.drop.dir, config.limits, ingest).scan(), store
    finally:
        ingest.close()


# --- commands -------------------------------------------------------------------------

def cmd_play(args, env: Environment) -> ExitStatus:
    """``signage play``."""
    config = _config(args, env)
    _setup_logging(config, env)
    fonts = _fonts(config)
    from player.runtime.app import App
    from player.runtime.display import open_screen
    size = config.display.size
    fullscreen = config.display.fullscreen
    if args.windowed is not None:
        fullscreen = False
        if args.windowed:
            size = _size(args.windowed, config)
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
    app = App(config, screen, fonts, env.clock, starts=count_start(config.state_dir))
    app.install_signals()
    log.info("signage play: config %s, content %s, font %s (face %d)", config.path, config.drop.dir,
             fonts.choice.regular.path, fonts.choice.regular.index)
    try:
        return ExitStatus(app.run(args.seconds))
    finally:
        lock.release()


def cmd_render(args, env: Environment) -> ExitStatus:
    """``signage render``: the frame the screen shows (runtime/still.py)."""
    config = _config(args, env)
    size = _size(args.size, config) if args.size else config.display.logical(_size(None, config))
    at = _moment(args.at, config, env)
    fonts = _fonts(config)
    from player.render.pg import pygame
    from player.runtime.still import StillError, live_showing, render_still
    library, store = _library(config, size)
    for problem in library.problems:
        print(f"warning: {problem.format()}", file=env.stderr)
    wall, trusted = trusted_time(at, config.tz)
    live = live_showing(config.status_path, env.clock.now()) if not (args.at or args.notice) else None
    try:
        surface, choice, layout = render_still(config, size, fonts, library, store.get, wall, trusted,
                                               args.notice, args.page, live)
    except StillError as exc:
        raise _Fail(str(exc)) from None
    out = Path(args.output)
    if not out.is_absolute():
        out = env.cwd / out
    buffer = io.BytesIO()
    pygame.image.save(surface, buffer, "png")
    try:
        from player.fsutil import atomic_write
        atomic_write(out, buffer.getvalue())
    except OSError as exc:
        raise _Fail(f"cannot write {out}: {exc.strerror or exc}") from None
    what = f"{choice.notice.id} page {choice.page + 1}" if choice.notice else "idle page (no notices)"
    print(f"wrote {out} ({size[0]}x{size[1]} {layout}, {what}; {choice.source})", file=env.stdout)
    return ExitStatus.OK


def cmd_schedule(args, env: Environment) -> ExitStatus:
    """``signage schedule``."""
    config = _config(args, env)
    at = _moment(args.at, config, env)
    fonts = _fonts(config)
    from player.model.rotation import build_cycle
    from player.model.schedule import next_change
    from player.render.factory import make_renderer
    library, _store = _library(config)
    renderer = make_renderer(config, config.display.logical(config.display.size or (1920, 1080)), fonts)
    wall, trusted = trusted_time(at, config.tz)
    decisions = evaluate(library, wall, config.tz, config.screen.tags)
    rows = []
    for d in decisions:
        times = renderer.page_times(d.notice) if d.state == ACTIVE else []
        rows.append({"id": d.notice.id, "title": d.notice.title, "state": d.state, "reason": d.reason,
                     "priority": d.notice.meta.priority.label, "pages": len(times),
                     "seconds": [round(t, 1) for t in times],
                     "start": d.start.isoformat() if d.start else None,
                     "end": d.end.isoformat() if d.end else None})
    cycle = build_cycle([d.notice for d in decisions if d.state == ACTIVE], renderer.page_times)
    order = [s.notice_id for s in cycle if s.page == 0 and not s.urgent]
    change = next_change(library, wall, config.tz, config.screen.tags)
    if args.json:
        json.dump({"at": wall.isoformat(), "clock_trusted": trusted, "rotation": rows, "cycle": order,
                   "cycle_seconds": round(sum(s.seconds for s in cycle if not s.urgent), 1),
                   "urgent_every": config.schedule.urgent_every,
                   "next_change": change.isoformat() if change else None},
                  env.stdout, ensure_ascii=False, indent=1)
        env.stdout.write("\n")
        return ExitStatus.OK
    out = env.stdout
    local = wall.astimezone(config.tz)
    print(f"rotation at {local:%Y-%m-%d %H:%M:%S %Z}" + ("" if trusted else " (clock not trusted)"), file=out)
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        if row["state"] == ACTIVE and row["priority"] == "urgent":
            print(f"  urgent, every {config.schedule.urgent_every:g} s: {row['id']}: {row['pages']} page(s), "
                  f"{sum(row['seconds']):.0f} s", file=out)
    for number, nid in enumerate(order, 1):
        row = by_id[nid]
        print(f"  {number:2d}. {nid}: {row['pages']} page(s), {sum(row['seconds']):.0f} s "
              f"({', '.join(f'{s:g}' for s in row['seconds'])})" + ("  [high]" if row["priority"] == "high" else ""),
              file=out)
    print(f"  one cycle: {sum(s.seconds for s in cycle if not s.urgent):.0f} s", file=out)
    others = [r for r in rows if r["state"] != ACTIVE]
    if others:
        print("not shown:", file=out)
        for row in others:
            print(f"  {row['id']}: {row['reason']}", file=out)
    if change:
        print(f"next change: {change.astimezone(config.tz):%Y-%m-%d %H:%M:%S}", file=out)
    return ExitStatus.OK


def cmd_check(args, env: Environment) -> ExitStatus:
    """``signage check``: the very rules of the drop folder's scanner, file by file.

    A path that is not found from the current folder is looked up in the drop folder
    (``signage check 公示公告/`` from the repository root). Each problem is one line:
    ``path[:line]: message — 提示：the Chinese hint of _状态.txt``.
    """
    config = None
    config_path = find_config(args.config, env.env, env.cwd)
    if args.config or config_path.is_file():
        config = load_config(config_path, need_drop=False)
    limits = config.limits if config else Limits()
    glyphs = _glyph_checker(env)
    ingest = _one_off_ingest(limits)
    problems = 0
    notices = 0
    try:
        for arg in args.paths:
            path = Path(arg) if Path(arg).is_absolute() else env.cwd / arg
            if not path.exists() and config is not None and not Path(arg).is_absolute():
                path = config.drop.dir / arg  # from the repository root: the drop folder's 公示公告/
            if path.is_dir():
                library = FolderScanner.once(path, limits, ingest).scan()
                prefix = arg.rstrip("/") + "/"
            elif path.exists():
                library = FolderScanner.once(path.parent, limits, ingest,
                                             only=_with_sidecars(path.name)).scan()
                prefix = arg[: len(arg) - len(path.name)]
            else:
                print(f"{arg}: no such file or folder (looked here and in the drop folder)", file=env.stdout)
                problems += 1
                continue
            broken = _missing_glyphs(library, glyphs)
            for problem in sorted([*library.problems, *broken], key=lambda p: (p.path, p.line or 0)):
                print(f"{prefix}{problem.format()} — 提示：{problem.hint_zh}", file=env.stdout)
            for notice in library.notices:
                for note in notice.notes:
                    print(f"note: {prefix}{notice.path}: {note.message} — {note.hint_zh}", file=env.stdout)
            problems += len(library.problems) + len(broken)
            notices += len(library.notices) - len({p.path for p in broken})
    finally:
        ingest.close()
    if problems:
        print(f"{problems} problem(s) found", file=env.stderr)
        return ExitStatus.PROBLEMS
    print(f"ok: {notices} notice(s), no problems", file=env.stdout)
    return ExitStatus.OK


def _with_sidecars(name: str) -> set[str]:
    """A file and the sidecars that may belong to it."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return {name, f"{stem}.yaml", f"{stem}.yml", f"{stem}.YAML", f"{stem}.YML"}


def _one_off_ingest(limits: Limits):
    """How a one-off command reads files: pictures and documents checked in the sandbox,
    old Word/WPS files converted with LibreOffice when it is installed (cached per user)."""
    import tempfile

    from player.sources.convert import Converter
    from player.sources.ingest import Ingest
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "signage" / "convert"
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = Path(tempfile.gettempdir()) / f"signage-convert-{os.getuid()}"
    return Ingest("drop", limits, converter=Converter(cache))


def _glyph_checker(env: Environment):
    """The screen's fonts, to find characters no font can draw (None without fonts)."""
    from player.render.fonts import FontError, load_fonts
    try:
        return load_fonts()
    except FontError as exc:
        print(f"note: characters not checked against fonts: {exc}", file=env.stderr)
        return None


def _missing_glyphs(library: Library, fonts) -> list[Problem]:
    if fonts is None:
        return []
    found = []
    for notice in library.notices:
        missing = fonts.missing(notice.all_text())
        if missing:
            shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:5])
            found.append(Problem(
                notice.path, f"characters in no installed font, they would show as boxes: {shown}; "
                "use common characters or install a font that has them (e.g. fonts-hanazono)",
                f"有屏幕字体无法显示的字：{''.join(missing[:5])}，会显示成方框：请改用常用字，或请管理员安装扩展字库"))
    missing = fonts.missing("".join(library.ticker))
    if missing:
        found.append(Problem("ticker.txt", "characters in no installed font, they would show as boxes: "
                             + " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:5]),
                             f"有屏幕字体无法显示的字：{''.join(missing[:5])}"))
    return found


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
        raise _Fail(f"no status file at {path}: {why} (start it with signage play)", ExitStatus.PROBLEMS) from None
    except (OSError, ValueError) as exc:
        raise _Fail(f"cannot read {path}: {exc}", ExitStatus.PROBLEMS) from None
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


def cmd_bench(args, env: Environment) -> ExitStatus:
    """``signage bench``."""
    config = _config(args, env)
    logging.basicConfig(level=logging.WARNING, stream=env.stderr, force=True)
    size = _size(args.size, config)
    fonts = _fonts(config)
    from player.runtime.bench import format_report, run_bench
    from player.runtime.display import open_screen
    if args.seconds <= 0 or args.page_seconds <= 0:
        raise _Fail("--seconds and --page-seconds must be positive")
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


def cmd_keygen(args, env: Environment) -> ExitStatus:
    """``signage keygen``."""
    from player.sources.publish import PublishError, keygen
    prefix = Path(args.prefix) if Path(args.prefix).is_absolute() else env.cwd / args.prefix
    try:
        private, public = keygen(prefix)
    except PublishError as exc:
        raise _Fail(str(exc)) from None
    except OSError as exc:
        raise _Fail(f"cannot write the key pair: {exc.strerror or exc}") from None
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
        raise _Fail(f"{args.src}: no such folder")
    key = None
    if args.key:
        try:
            key = load_private_key(Path(args.key) if Path(args.key).is_absolute() else env.cwd / args.key)
        except (OSError, KeyFileError) as exc:
            raise _Fail(f"--key: {exc}") from None
    try:
        built = build_bundle(src, out, key, args.version, args.expires, limits)
    except PublishError as exc:
        for problem in exc.problems:
            print(f"{args.src.rstrip('/')}/{problem.format()}", file=env.stdout)
        raise _Fail(str(exc), ExitStatus.PROBLEMS if exc.problems else ExitStatus.ERROR) from None
    except OSError as exc:
        raise _Fail(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"bundle version {built.version}: {built.files} files, {built.new_objects} new objects, "
          f"{'signed' if built.signed else 'UNSIGNED'} -> {out}", file=env.stdout)
    if not built.signed:
        print("warning: the bundle is not signed; players accept it only with sync.allow_unsigned", file=env.stderr)
    return ExitStatus.OK


def cmd_sync(args, env: Environment) -> ExitStatus:
    """``signage sync --once``."""
    config = _config(args, env)
    _setup_logging(config, env)
    if not config.sync.url:
        raise _Fail("sync.url is not set in the config; nothing to sync from")
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


def cmd_alert(args, env: Environment) -> ExitStatus:
    """``signage alert send|cancel|clear|import|list`` (player/alertcli.py)."""
    from player.alertcli import run_alert
    return run_alert(args, env)


def cmd_playlog(args, env: Environment) -> ExitStatus:
    """``signage playlog``: the proof-of-play report, or ``--verify`` of the hash chain."""
    import re

    from player.model import proof
    from player.runtime import playlog

    config = _config(args, env)
    folder = config.state_dir / "playlog"
    tz = config.tz
    now = env.clock.now().astimezone(tz)

    def day(option: str, text: str | None) -> dt.date | None:
        if text is None:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
                raise ValueError(text)
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise _Fail(f"{option}: expected a date like 2026-11-27, got {text!r}") from None

    files = playlog.day_files(folder)
    if args.alerts and not args.verify:
        from player.alertcli import alert_report
        return alert_report(args, env, config, files, day("--since", args.since), day("--until", args.until))
    if args.verify:
        if not files:
            raise _Fail(f"no play log in {folder}: nothing to verify (the player writes it while "
                        "playing, every playlog.flush_minutes)", ExitStatus.PROBLEMS)
        problems, count = playlog.verify_folder(folder)
        for problem in problems:
            print(problem, file=env.stdout)
        if problems:
            return ExitStatus.PROBLEMS
        print(f"play log intact: {count} lines in {len(files)} days "
              f"({files[0][0].isoformat()} … {files[-1][0].isoformat()})", file=env.stdout)
        return ExitStatus.OK

    until = day("--until", args.until) or now.date()
    since = day("--since", args.since) or until - dt.timedelta(days=30)
    if since > until:
        raise _Fail(f"--since {since} is after --until {until}")
    if not files:
        if args.json:
            print(json.dumps({"notices": [], "note": f"no play log yet in {folder}"}, ensure_ascii=False),
                  file=env.stdout)
        else:
            print(f"no play log yet in {folder} (the player writes it while playing)", file=env.stdout)
        return ExitStatus.OK
    records = playlog.records_for_report(files, since, until, tz, args.notice)
    settings = proof.Settings(config.playlog.office_hours, config.playlog.office_days,
                              config.playlog.max_gap_minutes)
    report = proof.build_report(records, since=since, until=until, now=now, tz=tz,
                                settings=settings, notice=args.notice)
    if args.json:
        json.dump(proof.report_json(report), env.stdout, ensure_ascii=False, indent=1)
        env.stdout.write("\n")
    else:
        env.stdout.write(proof.report_text(report))
        if args.notice and not report.notices:
            print(f"（{args.notice} 在此范围内没有播放记录）", file=env.stdout)
    return ExitStatus.OK if report.ok else ExitStatus.PROBLEMS


def cmd_fleet(args, env: Environment) -> ExitStatus:
    """``signage fleet receive``: runs until SIGTERM or Ctrl+C (docs/fleet.md)."""
    import signal
    import threading

    from player.config import parse_listen
    from player.fleet.receive import Receiver, read_token
    from player.fleet.screens import ScreenStore

    _setup_logging(None, env)
    try:
        host, port = parse_listen(args.listen)
    except ValueError:
        raise _Fail(f"--listen: expected HOST:PORT like 0.0.0.0:9106, or a port, got {args.listen!r}") from None
    try:
        token = read_token(env.cwd / args.token_file)
    except ValueError as exc:
        raise _Fail(f"--token-file: {exc}") from None
    if args.max_body < 1024:
        raise _Fail(f"--max-body: at least 1024 bytes, got {args.max_body}")
    folder = env.cwd / args.dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _Fail(f"--dir: cannot create {folder}: {exc.strerror or exc}") from None
    store = ScreenStore(folder)
    loaded = store.load()
    try:
        receiver = Receiver((host, port), store, token, args.max_body)
    except OSError as exc:
        raise _Fail(f"--listen: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
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
