"""Argument definitions of the ``signage`` command (behaviour lives in :mod:`player.cli`)."""

from __future__ import annotations

import argparse

from player import __version__

DESCRIPTION = """\
告示屏 signage player for street-office lobby screens and community kiosks.
Shows notices dropped into a folder (.txt, .md, .csv, .jpg, .png) with a header,
page rotation and a scrolling ticker. See README.md and docs/ for details."""

EPILOG = """\
exit status: 0 ok, 1 content problems found, 2 usage or configuration error.
config: -c PATH, else $SIGNAGE_CONFIG, else config/player.yaml in the current folder
or a parent, else /etc/signage/player.yaml."""


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", metavar="CFG",
                        help="configuration file (default: $SIGNAGE_CONFIG, ./config/player.yaml, "
                             "/etc/signage/player.yaml)")


def _positive_days(text: str) -> float:
    """A number of days above zero (an already-expired bundle is never published)."""
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days like 30, got {text!r}") from None
    if not days > 0 or days > 36500:
        raise argparse.ArgumentTypeError(f"must be more than 0 (and at most 36500) days, got {text!r}")
    return days


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = argparse.ArgumentParser(prog="signage", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    play = sub.add_parser("play", help="run the player (fullscreen)",
                          description="Run the player: fullscreen on the display, or headless when "
                                      "there is none (said in one log line). Esc or q quits a "
                                      "window; SIGTERM quits cleanly; SIGUSR1 saves the frame to "
                                      "STATE_DIR/screen.png. Under systemd (Type=notify) it reports "
                                      "READY, WATCHDOG and STATUS. Touch kiosks, screen power and "
                                      "the play log are set in the config (docs/kiosk.md, "
                                      "docs/operations.md, docs/playlog.md).")
    _config_arg(play)
    play.add_argument("--windowed", nargs="?", const="", metavar="WxH",
                      help="run in a window (optionally of this size, e.g. 1280x720)")
    play.add_argument("--headless", action="store_true",
                      help="do not open a display; content, schedule and status still run")
    play.add_argument("--for", dest="seconds", type=float, metavar="SECONDS",
                      help="stop cleanly after this many seconds")

    render = sub.add_parser("render", help="render one frame to a PNG file",
                            description="Render exactly the frame the screen shows into a PNG, offscreen: "
                                        "the configured layout template (layout: auto picks it from --size), "
                                        "the real compositor, header, page, footer, ticker. Which page: "
                                        "--notice/--page if given; otherwise, without --at, when a player "
                                        "runs on this config (its status.json is under 15 s old), the "
                                        "notice and page that screen shows now; otherwise the rotation's "
                                        "position at the moment (--at, default now). The last line says "
                                        "which. Emergency alerts and dark hours are not drawn.")
    _config_arg(render)
    render.add_argument("-o", "--output", required=True, metavar="OUT.png", help="PNG file to write")
    render.add_argument("--at", metavar="ISO-8601",
                        help="the moment to show, e.g. 2026-11-27T10:30 (local time of the config's "
                             "timezone unless an offset is given; default: now)")
    render.add_argument("--size", metavar="WxH", help="frame size, logical (after display.rotate; default: "
                                                      "display.size turned by display.rotate, or 1920x1080)")
    render.add_argument("--notice", metavar="ID", help="show this notice (id = path without extension)")
    render.add_argument("--page", type=int, metavar="N", help="page number of the notice (from 1)")

    schedule = sub.add_parser("schedule", help="print the rotation at a moment",
                              description="Print the rotation: each notice in order with its pages "
                                          "and seconds, and why each other notice is not shown.")
    _config_arg(schedule)
    schedule.add_argument("--at", metavar="ISO-8601", help="the moment (default: now)")
    schedule.add_argument("--json", action="store_true", help="machine-readable output")

    check = sub.add_parser("check", help="validate content files or folders",
                           description="Check content the way the player reads it; prints one line "
                                       "per problem as path[:line]: message. Exit 1 if any.")
    _config_arg(check)
    check.add_argument("paths", nargs="+", metavar="PATH", help="content folder or file")

    status = sub.add_parser("status", help="show the running player's status",
                            description="Print status.json of the player for humans, or raw.")
    _config_arg(status)
    status.add_argument("--json", action="store_true", help="print the raw JSON")
    playlog = sub.add_parser("playlog", help="proof-of-play report from the play log, or --verify it",
                             description="Report from STATE_DIR/playlog (in Chinese, for inspectors): "
                                         "minutes each notice was shown per day and, for every 公示, "
                                         "whether the office hours of each office day of its period were "
                                         "covered (playlog.office_hours / office_days / max_gap_minutes), "
                                         "with the cause of every gap. Exit 1 if a 公示 has an uncovered "
                                         "day. --verify checks the hash chain of the whole log instead: "
                                         "one line per problem (file:line) and exit 1, or 'play log "
                                         "intact'. See docs/playlog.md.")
    _config_arg(playlog)
    playlog.add_argument("--since", metavar="DATE",
                         help="first day listed, YYYY-MM-DD (default: 30 days before --until)")
    playlog.add_argument("--until", metavar="DATE", help="last day listed, YYYY-MM-DD (default: today)")
    playlog.add_argument("--notice", metavar="ID", help="only this notice (id = path without extension)")
    playlog.add_argument("--verify", action="store_true",
                         help="verify the hash chain of the whole log (ignores --since/--until/--notice)")
    playlog.add_argument("--json", action="store_true", help="print the report as JSON")
    playlog.add_argument("--alerts", action="store_true",
                         help="report emergency alerts instead: per screen, when each was shown, for how long, "
                              "and when and why it ended (docs/alerts.md)")

    keygen = sub.add_parser("keygen", help="write an Ed25519 key pair for signing bundles",
                            description="Write PREFIX.key (private, mode 0600: keep it offline) and "
                                        "PREFIX.pub (give it to every player as sync.public_key).")
    keygen.add_argument("prefix", metavar="PREFIX", help="path and name without extension, e.g. keys/district")

    bundle = sub.add_parser("bundle", help="publish content as a signed bundle",
                            description="Bundles are static folders (manifest + objects) for any "
                                        "HTTP server or CDN; see docs/publishing.md.")
    bundle_sub = bundle.add_subparsers(dest="bundle_command", metavar="ACTION")
    bundle_sub.required = True
    build = bundle_sub.add_parser("build", help="turn a content folder into a bundle",
                                  description="Validate SRC with the player's rules (nothing is published "
                                              "if anything is wrong), write new objects, then manifest.json "
                                              "and its signature, each atomically.")
    _config_arg(build)
    build.add_argument("src", metavar="SRC", help="content folder (like a drop folder)")
    build.add_argument("out", metavar="OUT", help="bundle folder served over HTTP")
    build.add_argument("--key", metavar="PREFIX.key", help="private key to sign with (unsigned without it)")
    build.add_argument("--version", type=int, metavar="N", help="version (default: one above OUT's current)")
    build.add_argument("--expires", type=_positive_days, metavar="DAYS",
                       help="players refuse the manifest after this many days, more than 0 (default: never)")

    _alert_parser(sub)

    sync = sub.add_parser("sync", help="fetch the central bundle once",
                          description="One sync cycle against sync.url: exit 0 when the active bundle is "
                                      "afterwards the source's current version, 1 when the source's bundle "
                                      "was refused or could not be fetched (the previous one stays active).")
    _config_arg(sync)
    sync.add_argument("--once", action="store_true", required=True, help="one cycle, then exit")

    fleet = sub.add_parser("fleet", help="watch a fleet of screens: the central heartbeat receiver",
                           description="Fleet health on Prometheus (docs/fleet.md).")
    fleet_sub = fleet.add_subparsers(dest="fleet_command", metavar="ACTION")
    fleet_sub.required = True
    receive = fleet_sub.add_parser(
        "receive", help="receive heartbeats; serve Prometheus /metrics and screenshots",
        description="Receive the players' heartbeats (report.url) on POST / with a bearer token, keep "
                    "the latest report of every screen in DIR (it survives a restart), and serve them "
                    "as Prometheus metrics with a screen label on GET /metrics, and each screen's last "
                    "screenshot on GET /screens/<name>/screen.png (token required). SIGTERM or Ctrl+C "
                    "stops it. See docs/fleet.md.")
    receive.add_argument("--listen", default="127.0.0.1:9106", metavar="ADDR",
                         help="HOST:PORT or PORT to listen on (default 127.0.0.1:9106; "
                              "0.0.0.0:9106 for the whole intranet)")
    receive.add_argument("--dir", required=True, metavar="DIR", help="folder for the latest report of every screen")
    receive.add_argument("--token-file", required=True, metavar="F",
                         help="file holding the bearer token the players send (report.headers)")
    receive.add_argument("--max-body", type=int, default=16 * 1024 * 1024, metavar="BYTES",
                         help="largest heartbeat accepted, screenshot included (default 16 MiB)")

    bench = sub.add_parser("bench", help="measure CPU, frame rate and memory on this device",
                           description="Run the player's frame loop on the configured content "
                                       "(offscreen unless --display) and print per-frame CPU "
                                       "(mean, p50, p99), achieved fps, frame-interval p99, CPU %% of "
                                       "one core and peak RSS / PSS. Pages change every "
                                       "--page-seconds so page changes are included.")
    _config_arg(bench)
    bench.add_argument("--size", metavar="WxH", help="output size (default: display.size or 1920x1080)")
    bench.add_argument("--layout", choices=("auto", "standard", "portrait", "split", "page-only", "ticker-only"),
                       help="layout template (default: the config's layout)")
    bench.add_argument("--rotate", type=int, choices=(0, 90, 180, 270),
                       help="turn the frames onto the output by this many degrees (default: display.rotate)")
    bench.add_argument("--seconds", type=float, default=20.0, metavar="S", help="how long to run (default 20)")
    bench.add_argument("--json", action="store_true", help="machine-readable output")
    bench.add_argument("--naive", dest="mode", action="store_const", const="naive", default="player",
                       help="run a naive loop that redraws and re-renders all text every frame, for comparison")
    bench.add_argument("--minimal", dest="mode", action="store_const", const="minimal",
                       help="run a minimal loop that only blits a pre-rendered ticker band: the floor "
                            "any pygame player pays on this machine")
    bench.add_argument("--display", action="store_true",
                       help="draw on the real display (X11/Wayland/KMS) instead of offscreen")
    bench.add_argument("--page-seconds", type=float, default=4.0, metavar="S",
                       help="seconds per page during the run (default 4)")
    return parser


def _alert_parser(sub) -> None:
    """``signage alert send|cancel|clear|import|list`` (docs/alerts.md)."""
    alert = sub.add_parser("alert", help="publish emergency alerts (alerts.json) beside the bundle",
                           description="Write the signed alert document (alerts.json and alerts.json.sig) "
                                       "into the site folder beside manifest.json; players poll it every "
                                       "alerts.interval seconds. Each command drops expired alerts and "
                                       "raises the sequence by one. See docs/alerts.md.")
    actions = alert.add_subparsers(dest="alert_command", metavar="ACTION")
    actions.required = True

    def common(parser: argparse.ArgumentParser, key: bool = True) -> None:
        _config_arg(parser)
        if key:
            parser.add_argument("--key", required=True, metavar="PREFIX.key",
                                help="private key to sign with (the bundle key, or a dedicated alert key)")
        parser.add_argument("site", metavar="SITE", help="the site folder served over HTTP (holds manifest.json)")

    def targets(parser: argparse.ArgumentParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--screens", metavar="TAGS",
                           help="comma-separated screen tags (as screen.tags / a notice's screens), e.g. lobby,public")
        where.add_argument("--all-screens", action="store_true", help="every screen")

    send = actions.add_parser("send", help="publish a new alert (or update one: same --id)",
                              description="Publish an alert. Red and orange take the whole screen and wake "
                                          "a screen the power schedule has switched off; yellow and blue are a "
                                          "band above the ticker.")
    send.add_argument("--level", required=True, metavar="LEVEL", help="红, 橙, 黄 or 蓝 (also red, I … IV)")
    send.add_argument("--title", required=True, help="the headline, e.g. 台风红色预警")
    send.add_argument("--text", default="", help="what is happening")
    send.add_argument("--instruction", default="", help="what residents should do (防御指南)")
    send.add_argument("--issuer", default="", help="who issues it, e.g. 马宫街道办事处")
    send.add_argument("--area", default="", help="where it applies, e.g. 马宫街道全域")
    targets(send)
    send.add_argument("--until", required=True, metavar="TIME",
                      help="when it leaves the screens: 2026-07-01T18:00, 18:00 (today) or +2h / 90m / 1d")
    send.add_argument("--id", metavar="ID", help="alert id (default: the time, e.g. 20260701-100012); "
                                                 "the id of a live alert updates it")
    send.add_argument("--status", choices=("actual", "exercise", "test"), default="actual",
                      help="exercise/test are drills: only on screens tagged 'drill', marked 演练")
    send.add_argument("--drill", dest="status", action="store_const", const="exercise",
                      help="same as --status exercise")
    common(send)

    cancel = actions.add_parser("cancel", help="take a live alert off every screen at once",
                                description="Replace the alert by a cancel: it leaves the screens at the "
                                            "next poll (within alerts.interval + 2 s).")
    cancel.add_argument("id", metavar="ID", help="the alert's id (signage alert list SITE)")
    common(cancel)

    clear = actions.add_parser("clear", help="all-clear (解除): replace a live alert by its all-clear",
                               description="Replace the alert by its all-clear (解除), shown as a band for "
                                           "10 minutes.")
    clear.add_argument("id", metavar="ID", help="the alert's id")
    clear.add_argument("--text", help="the all-clear text (default: 红色预警已于…解除。)")
    clear.add_argument("--issuer", help="who issues the all-clear (default: the alert's issuer)")
    common(clear)

    imp = actions.add_parser("import", help="publish an OASIS CAP 1.2 message (Alert, Update or Cancel)",
                             description="Map a CAP 1.2 XML message to an alert (docs/alerts.md has the "
                                         "table) and publish it; exit 1 when the message is refused.")
    imp.add_argument("file", metavar="FILE.xml", help="the CAP message")
    targets(imp)
    common(imp)

    show = actions.add_parser("list", help="print the alerts in the site's alerts.json",
                              description="Print the site's alert document: sequence and every message.")
    common(show, key=False)
