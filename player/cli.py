"""The ``signage`` command: one function per subcommand.

``program(argv, env)`` runs a command against an :class:`Environment` (streams,
environment variables, working directory, clock), so tests can run most commands
in-process; ``main()`` is the console-script entry point.
"""

from __future__ import annotations

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
from player.model.library import SourceFile, build_library, is_image
from player.model.limits import Limits
from player.model.notice import Library
from player.model.problems import ContentError, Problem
from player.model.rotation import build_cycle, slot_at
from player.model.schedule import ACTIVE, evaluate, days_remaining
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
    return int(program(sys.argv[1:] if argv is None else argv, Environment()))


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


def _setup_logging(config: Config | None, env: Environment) -> None:
    level = getattr(logging, (config.log_level if config else "info").upper())
    if env.env.get("JOURNAL_STREAM"):  # journald adds its own timestamps
        fmt = "%(levelname)s %(name)s: %(message)s"
    else:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=env.stderr, force=True)
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
    if args.headless:
        log.info("running headless (--headless): no display is opened")
    screen = open_screen(size, fullscreen, args.headless, renderer=config.display.renderer)
    from player.runtime.host import count_start
    from player.runtime.memory import HeapKeeper
    app = App(config, screen, fonts, env.clock, starts=count_start(config.state_dir), heap=HeapKeeper())
    app.install_signals()
    log.info("signage play: config %s, content %s, font %s (face %d)", config.path, config.drop.dir,
             fonts.choice.regular.path, fonts.choice.regular.index)
    return ExitStatus(app.run(args.seconds))


def cmd_render(args, env: Environment) -> ExitStatus:
    """``signage render``."""
    config = _config(args, env)
    size = _size(args.size, config)
    at = _moment(args.at, config, env)
    fonts = _fonts(config)
    from player.render.frame import Showing
    from player.render.pg import pygame
    from player.render.factory import make_renderer
    library, store = _library(config, size)
    for problem in library.problems:
        print(f"warning: {problem.format()}", file=env.stderr)
    renderer = make_renderer(config, size, fonts, pictures=store.get)
    renderer.ticker.set_messages(library.ticker)
    wall, trusted = trusted_time(at, config.tz)
    if args.notice:
        notice = library.get(args.notice)
        if notice is None:
            known = ", ".join(n.id for n in library.notices) or "none"
            raise _Fail(f"--notice: no notice {args.notice!r}; known ids: {known}")
        pages = renderer.pages(notice)
        page = (args.page or 1) - 1
        if not 0 <= page < len(pages):
            raise _Fail(f"--page: notice {args.notice!r} has {len(pages)} page(s), got {args.page}")
        showing = Showing(notice, page, days_remaining(notice, wall, config.tz))
    else:
        if args.page:
            raise _Fail("--page needs --notice")
        decisions = evaluate(library, wall, config.tz, config.screen.tags)
        active = [d.notice for d in decisions if d.state == ACTIVE]
        slots = build_cycle(active, renderer.page_times)
        local = wall.astimezone(config.tz)
        since_midnight = (local - local.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds()
        slot, _ = slot_at(slots, since_midnight)
        notice = library.get(slot.notice_id) if slot else None
        showing = Showing(notice, slot.page if slot else 0,
                          days_remaining(notice, wall, config.tz) if notice else None)
    surface = pygame.Surface(size)
    renderer.draw_frame(surface, wall.astimezone(config.tz) if trusted else None, showing, at.timestamp())
    if renderer.frame.nav is not None:  # a touch kiosk: its navigation bar, as in the rotation
        from player.layout.kiosk import nav_targets
        from player.render.kiosk import draw_nav
        from player.render.kiosk_view import active_categories
        categories = active_categories(evaluate(library, wall, config.tz, config.screen.tags))
        draw_nav(surface, renderer.frame.nav, nav_targets(renderer.frame.nav, categories), fonts, renderer.theme,
                 "", False, None, {"prev", "next"} if showing.notice else set())
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
    what = f"{showing.notice.id} page {showing.page + 1}" if showing.notice else "idle page (no notices)"
    print(f"wrote {out} ({size[0]}x{size[1]}, {what})", file=env.stdout)
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
    renderer = make_renderer(config, config.display.size or (1920, 1080), fonts)
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
    """``signage check``."""
    limits = Limits()
    config_path = find_config(args.config, env.env, env.cwd)
    if args.config or config_path.is_file():
        limits = load_config(config_path).limits
    glyphs = _glyph_checker(env)
    from player.sources.ingest import Ingest
    ingest = Ingest("drop", limits)  # pictures decoded in the sandbox, validated only
    problems = 0
    notices = 0
    for arg in args.paths:
        path = Path(arg) if Path(arg).is_absolute() else env.cwd / arg
        if path.is_dir():
            library = FolderScanner.once(path, limits, ingest).scan()
            prefix = arg.rstrip("/") + "/"
        elif path.is_file():
            library = _check_file(path, limits, ingest)
            prefix = arg[: len(arg) - len(path.name)]
        else:
            print(f"{arg}: no such file or folder", file=env.stdout)
            problems += 1
            continue
        broken = _missing_glyphs(library, glyphs)
        for problem in sorted([*library.problems, *broken], key=lambda p: (p.path, p.line or 0)):
            print(f"{prefix}{problem.format()}", file=env.stdout)
        problems += len(library.problems) + len(broken)
        notices += len(library.notices) - len({p.path for p in broken})
    if problems:
        print(f"{problems} problem(s) found", file=env.stderr)
        return ExitStatus.PROBLEMS
    print(f"ok: {notices} notice(s), no problems", file=env.stdout)
    return ExitStatus.OK


def _check_file(path: Path, limits: Limits, ingest) -> Library:
    """A single file (with its sidecar, if any) checked as if it lay in its folder."""
    candidates = [path]
    if path.suffix.lower() not in (".yaml", ".yml"):
        candidates += [path.with_suffix(".yaml"), path.with_suffix(".yml")]
    files, problems = [], []
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            limits.check_size(candidate.stat().st_size, is_image(candidate.name))
            files.append(SourceFile(candidate.name, candidate.read_bytes()))
        except ContentError as exc:
            problems.append(exc.at(candidate.name))
        except OSError as exc:
            problems.append(Problem(candidate.name, f"cannot read file: {exc.strerror or exc}",
                                    "文件无法读取：请检查文件权限"))
    return build_library(files, limits, problems, parse=ingest)


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
    """``signage status``."""
    config = _config(args, env)
    path = config.status_path
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _Fail(f"no status file at {path}; is the player running (signage play)?",
                    ExitStatus.PROBLEMS) from None
    except (OSError, ValueError) as exc:
        raise _Fail(f"cannot read {path}: {exc}", ExitStatus.PROBLEMS) from None
    if args.json:
        json.dump(status, env.stdout, ensure_ascii=False, indent=1)
        env.stdout.write("\n")
        return ExitStatus.OK
    out = env.stdout
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
    return ExitStatus.OK


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
    screen = open_screen(size, False, headless=not args.display, renderer=config.display.renderer)
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
    paths = dict(files)
    records: dict[dt.date, list[dict]] = {}

    def load(days) -> None:
        for d in days:
            if d in paths and d not in records:
                try:
                    records[d] = playlog.read_records(paths[d])
                except OSError as exc:
                    log.warning("play log: cannot read %s: %s; counted as player off", paths[d], exc)
                    records[d] = []

    load(since + dt.timedelta(days=k) for k in range((until - since).days + 1))
    # a 公示 is judged over its whole period, so read the day files it needs too
    for d in list(records):
        for record in records[d]:
            if record.get("event") == "notice" and str(record.get("kind") or "").strip() == "公示" \
                    and (args.notice is None or record.get("notice") == args.notice):
                load(proof.period_days(record.get("period"), tz, d, max(until, d)))
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
