"""``signage check``, ``signage render`` and ``signage schedule``: content as the screen takes it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from player.config import find_config, load_config
from player.model.limits import Limits
from player.model.notice import Library
from player.model.problems import Problem
from player.model.schedule import ACTIVE, evaluate
from player.runtime.clock import trusted_time
from player.sources.folder import FolderScanner

from player.commands.common import (Environment, ExitStatus, Fail, command_config, command_fonts, drop_library,
                                    moment, one_off_ingest, screen_size)

log = logging.getLogger("signage")


def cmd_render(args, env: Environment) -> ExitStatus:
    """``signage render``: the frame the screen shows (runtime/still.py)."""
    config = command_config(args, env)
    size = screen_size(args.size, config) if args.size else config.display.logical(screen_size(None, config))
    at = moment(args.at, config, env)
    fonts = command_fonts(config)
    from player.runtime.still import StillError, live_showing, render_still
    library, store = drop_library(config, size)
    for problem in library.problems:
        print(f"warning: {problem.format()}", file=env.stderr)
    wall, trusted = trusted_time(at, config.tz)
    live = live_showing(config.status_path, env.clock.now()) if not (args.at or args.notice) else None
    try:
        surface, choice, layout = render_still(config, size, fonts, library, store.get, wall, trusted,
                                               args.notice, args.page, live)
    except StillError as exc:
        raise Fail(str(exc)) from None
    out = Path(args.output)
    if not out.is_absolute():
        out = env.cwd / out
    from player.render.png import png_bytes
    data = png_bytes(surface)
    try:
        from player.fsutil import atomic_write
        atomic_write(out, data)
    except OSError as exc:
        raise Fail(f"cannot write {out}: {exc.strerror or exc}") from None
    what = f"{choice.notice.id} page {choice.page + 1}" if choice.notice else "idle page (no notices)"
    print(f"wrote {out} ({size[0]}x{size[1]} {layout}, {what}; {choice.source})", file=env.stdout)
    return ExitStatus.OK


def cmd_schedule(args, env: Environment) -> ExitStatus:
    """``signage schedule``."""
    config = command_config(args, env)
    at = moment(args.at, config, env)
    fonts = command_fonts(config)
    from player.model.rotation import build_cycle
    from player.model.schedule import next_change
    from player.render.factory import make_renderer
    library, _store = drop_library(config)
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
    ingest = one_off_ingest(limits)
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
