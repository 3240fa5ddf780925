"""``signage playlog``: the proof-of-play report and the hash chain's verification."""

from __future__ import annotations

import datetime as dt
import json
import logging


from player.commands.common import (Environment, ExitStatus, Fail, command_config)

log = logging.getLogger("signage")


def cmd_playlog(args, env: Environment) -> ExitStatus:
    """``signage playlog``: the proof-of-play report, or ``--verify`` of the hash chain."""
    import re

    from player.model import proof, proofformat
    from player.runtime import playlogread

    config = command_config(args, env)
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
            raise Fail(f"{option}: expected a date like 2026-11-27, got {text!r}") from None

    files = playlogread.day_files(folder)
    if args.alerts and not args.verify:
        from player.commands.alerts import alert_report
        return alert_report(args, env, config, files, day("--since", args.since), day("--until", args.until))
    if args.verify:
        if not files:
            raise Fail(f"no play log in {folder}: nothing to verify (the player writes it while "
                        "playing, every playlog.flush_minutes)", ExitStatus.PROBLEMS)
        problems, count = playlogread.verify_folder(folder)
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
        raise Fail(f"--since {since} is after --until {until}")
    if not files:
        if args.json:
            print(json.dumps({"notices": [], "note": f"no play log yet in {folder}"}, ensure_ascii=False),
                  file=env.stdout)
        else:
            print(f"no play log yet in {folder} (the player writes it while playing)", file=env.stdout)
        return ExitStatus.OK
    records = playlogread.records_for_report(files, since, until, tz, args.notice)
    settings = proof.Settings(config.playlog.office_hours, config.playlog.office_days,
                              config.playlog.max_gap_minutes)
    report = proof.build_report(records, since=since, until=until, now=now, tz=tz,
                                settings=settings, notice=args.notice)
    if args.json:
        json.dump(proofformat.report_json(report), env.stdout, ensure_ascii=False, indent=1)
        env.stdout.write("\n")
    else:
        env.stdout.write(proofformat.report_text(report))
        if args.notice and not report.notices:
            print(f"（{args.notice} 在此范围内没有播放记录）", file=env.stdout)
    return ExitStatus.OK if report.ok else ExitStatus.PROBLEMS
