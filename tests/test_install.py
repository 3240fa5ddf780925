"""The installation for a screen: scripts/install-pi.sh, the units in systemd/ and
config/player-pi.yaml (docs/install.md).

The installer is only ever run with --dry-run here (or refused as a non-root user): a
real run would install packages and create a user on the test machine. The dry run must
print the plan for *this* machine and change nothing, which is compared before/after.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

INSTALLER = ROOT / "scripts" / "install-pi.sh"
UNIT_DIR = ROOT / "systemd"
UNIT_FILES = sorted(UNIT_DIR.glob("*.service")) + sorted(UNIT_DIR.glob("*.timer"))
PLAYER_UNIT = UNIT_DIR / "signage-player.service"
TEMPLATE = ROOT / "config" / "player-pi.yaml"
DROP = "/srv/signage/drop"

# Everything a real run creates or changes; a dry run must leave all of it as it was.
TOUCHED_PATHS = [
    "/opt/signage", "/opt/signage/venv", "/etc/signage", "/etc/signage/player.yaml",
    "/etc/signage/environment", "/srv/signage", DROP, "/var/lib/signage",
    "/usr/local/bin/signage", "/etc/systemd/system/signage-player.service.d",
    "/etc/systemd/system/multi-user.target.wants/signage-player.service",
    "/etc/systemd/system/timers.target.wants/signage-player-retry.timer",
    *(f"/etc/systemd/system/{unit.name}" for unit in UNIT_FILES),
]
HASHED_FILES = ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/var/lib/dpkg/status"]


# --- helpers --------------------------------------------------------------------------

def _describe(path: str) -> object:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    listing = sorted(os.listdir(path)) if os.path.isdir(path) and not os.path.islink(path) else None
    return (st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime_ns, listing)


def _machine_state() -> dict[str, object]:
    state: dict[str, object] = {path: _describe(path) for path in TOUCHED_PATHS}
    for path in HASHED_FILES:
        try:
            state[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except (FileNotFoundError, PermissionError):
            state[path] = None
    return state


def _installer(*args: str, tmpdir: Path, user: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installer from / with TMPDIR pointing at an empty folder we can inspect."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG": "C.UTF-8", "TMPDIR": str(tmpdir), "HOME": str(tmpdir)}
    command = ["bash", str(INSTALLER), *args]
    if user:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, cwd="/", env=env, capture_output=True, text=True, timeout=60)


def _steps(output: str) -> list[str]:
    return [line[4:] for line in output.splitlines() if line.startswith("==> ")]


def _commands(output: str) -> list[str]:
    return [line.strip()[2:] for line in output.splitlines() if line.startswith("    + ")]


def _missing_packages(script: str) -> list[str]:
    names = re.search(r"^PACKAGES=\(([^)]*)\)", script, re.M).group(1).split()
    missing = []
    for name in names:
        status = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", name],
                                capture_output=True, text=True).stdout
        if status != "ii ":
            missing.append(name)
    return missing


def _parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file as {section: [(key, value), ...]} in file order (keys may repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = line.strip("[]")
            assert current not in sections, f"{path.name}: section [{current}] twice"
            sections[current] = []
            continue
        assert current is not None and "=" in line, f"{path.name}: cannot parse {line!r}"
        key, value = line.split("=", 1)
        sections[current].append((key.strip(), value.strip()))
    return sections


def _values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [value for k, value in unit.get(section, []) if k == key]


def _one(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> str:
    values = _values(unit, section, key)
    assert len(values) == 1, f"[{section}] {key}= expected once, found {values}"
    return values[0]


def _yes(value: str) -> bool:
    return value.lower() in ("yes", "true", "on", "1")


def _seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)\s*(s|sec|min|m)?", value)
    assert match, value
    return int(match.group(1)) * (60 if match.group(2) in ("min", "m") else 1)


# --- the installer ----------------------------------------------------------------------

def test_dry_run_prints_every_step_for_this_machine_and_changes_nothing(tmp_path: Path) -> None:
    before = _machine_state()
    result = _installer("--dry-run", tmpdir=tmp_path)
    after = _machine_state()
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert after == before
    assert list(tmp_path.iterdir()) == []  # not even a temporary file

    steps, commands = _steps(result.stdout), _commands(result.stdout)
    expected = ["Dry run", "Checking the system", "apt", "System user signage", "virtual environment",
                "with pip", "/etc/signage/player.yaml", "/etc/signage/environment",
                f"Drop folder {DROP}", "font cache", "systemd units", "daemon-reload", "Enabling",
                "Restarting", "Dry run finished"]
    position = 0
    for word in expected:  # every step, in this order
        found = next((i for i in range(position, len(steps)) if word.lower() in steps[i].lower()), None)
        assert found is not None, f"no step mentioning {word!r} after step {position}: {steps}"
        position = found + 1

    # The plan matches the machine: apt only for what is missing, useradd only when needed.
    missing = _missing_packages(INSTALLER.read_text(encoding="utf-8"))
    if missing:
        assert "apt-get update -q" in commands
        assert any(c.endswith("--no-install-recommends " + " ".join(missing)) for c in commands), commands
    else:
        assert not any("apt-get" in c for c in commands) and any("apt skipped" in s for s in steps)
    try:
        pwd.getpwnam("signage")
        assert not any(c.startswith("useradd") for c in commands)
    except KeyError:
        assert any(c.startswith("useradd --system") and c.endswith(" signage") for c in commands), commands
    assert any(re.fullmatch(r"/opt/signage/venv/bin/python -m pip install --upgrade .* /opt/signage/build", c)
               for c in commands), commands
    for unit in UNIT_FILES:
        assert f"install -m 0644 -o root -g root {UNIT_DIR}/{unit.name} /etc/systemd/system/{unit.name}" in commands
    for command in ("systemctl daemon-reload", "systemctl enable signage-player.service signage-player-retry.timer",
                    "systemctl restart signage-player.service", "fc-cache -f"):
        assert command in commands
    # The drop folder is never filled with the sample (another office's notices on a real
    # lobby screen); the output says how to try it.
    assert not any("content/" in c for c in commands), commands
    if not Path(DROP).exists() or not any(Path(DROP).iterdir()):
        assert f"sudo -u signage cp -R {ROOT}/content/. {DROP}/" in result.stdout


def test_dry_run_options_no_start_and_another_drop_folder(tmp_path: Path) -> None:
    result = _installer("--dry-run", "--no-start", "--drop", "/data/告示/drop/", tmpdir=tmp_path)
    assert result.returncode == 0, result.stderr
    commands = _commands(result.stdout)
    assert not any("systemctl restart" in c for c in commands)
    assert any("--no-start" in s for s in _steps(result.stdout))
    assert "install -d -m 2775 -o signage -g signage /data/告示/drop" in commands
    assert any(s.startswith("Allowing the player to write to /data/告示/drop") for s in _steps(result.stdout))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["--bogus"], "unknown option --bogus"),
    (["--dry-run", "-x"], "unknown option -x"),
    (["--drop"], "--drop needs a folder"),
    (["--dry-run", "--drop", "relative/drop"], "--drop needs an absolute path"),
])
def test_bad_options_fail_with_exit_2_and_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    before = _machine_state()
    result = _installer(*args, tmpdir=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"install-pi.sh: {message}"), result.stderr
    assert _machine_state() == before


def _unprivileged_user() -> str:
    if os.geteuid() != 0:
        pytest.skip("running as a non-root user already: the root-only checks need root")
    if not shutil.which("runuser"):
        pytest.skip("runuser is not installed")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user on this machine")
    readable = subprocess.run(["runuser", "-u", "nobody", "--", "test", "-r", str(INSTALLER)])
    if readable.returncode != 0:
        pytest.skip(f"user nobody cannot read {INSTALLER}")
    return "nobody"


@pytest.fixture
def open_tmp():
    """A temporary folder any user may write to (tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="install-test-"))
    path.chmod(0o1777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_dry_run_works_as_a_non_root_user(open_tmp: Path) -> None:
    user = _unprivileged_user()
    before = _machine_state()
    result = _installer("--dry-run", tmpdir=open_tmp, user=user)
    assert result.returncode == 0, result.stderr
    assert "not root: fine for --dry-run" in result.stdout
    assert "systemctl daemon-reload" in _commands(result.stdout)
    assert _machine_state() == before
    assert list(open_tmp.iterdir()) == []


def test_a_real_run_as_a_non_root_user_is_refused(open_tmp: Path) -> None:
    user = _unprivileged_user()
    before = _machine_state()
    result = _installer("--no-start", tmpdir=open_tmp, user=user)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("install-pi.sh: must run as root: sudo bash")
    assert not _commands(result.stdout)  # refused before the first command
    assert _machine_state() == before


# --- the units --------------------------------------------------------------------------

def _analyze(folder: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=folder,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SYSTEMD_LOG_COLOR": "0"})


def test_systemd_analyze_verify_passes_on_every_unit(tmp_path: Path) -> None:
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed (Debian package systemd; bash scripts/setup.sh --test installs it)")
    signage = ROOT / ".venv" / "bin" / "signage"
    assert signage.exists(), "run bash scripts/setup.sh first"
    names = []
    for unit in UNIT_FILES:
        # systemd-analyze checks that ExecStart's program exists: use this checkout's.
        text = unit.read_text(encoding="utf-8").replace("/opt/signage/venv/bin/signage", str(signage))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
        names.append(unit.name)
    assert "signage-player.service" in names and "signage-player-retry.timer" in names
    result = _analyze(tmp_path, names)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    assert output == "", output  # no warnings either (unknown keys only warn)

    # The check is real: the same tool reports a bad value and a missing program.
    broken = (tmp_path / "signage-player.service").read_text(encoding="utf-8")
    broken = broken.replace("WatchdogSec=30", "WatchdogSec=thirty").replace(str(signage), "/nonexistent/signage")
    (tmp_path / "broken.service").write_text(broken, encoding="utf-8")
    result = _analyze(tmp_path, ["broken.service"])
    assert result.returncode != 0 and "thirty" in result.stderr and "/nonexistent/signage" in result.stderr


def test_the_player_unit_has_the_required_settings() -> None:
    unit = _parse_unit(PLAYER_UNIT)
    assert set(unit) == {"Unit", "Service", "Install"}
    service = "Service"
    expected = {
        "Type": "notify", "NotifyAccess": "main", "WatchdogSec": "30", "TimeoutStartSec": "120",
        "Restart": "always", "RestartSec": "3", "KillSignal": "SIGTERM", "TimeoutStopSec": "20",
        "User": "signage", "StateDirectory": "signage", "RuntimeDirectory": "signage",
        "ConfigurationDirectory": "signage", "ProtectSystem": "strict", "UMask": "0027",
        "SystemCallArchitectures": "native",
        "ExecStart": "/opt/signage/venv/bin/signage play -c /etc/signage/player.yaml",
    }
    for key, value in expected.items():
        assert _one(unit, service, key) == value, key
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "ProtectKernelTunables", "ProtectKernelModules",
                "ProtectKernelLogs", "ProtectControlGroups", "ProtectHostname", "RestrictSUIDSGID",
                "LockPersonality", "RestrictNamespaces", "RestrictRealtime"):
        assert _yes(_one(unit, service, key)), key
    # Mesa's llvmpipe JIT needs W+X memory; KMS, input, CEC and vchiq need the real /dev;
    # ProtectClock's filter refuses the read-only adjtimex() of player/runtime/trust.py.
    for key in ("MemoryDenyWriteExecute", "PrivateDevices", "ProtectClock", "DevicePolicy", "DeviceAllow",
                "SystemCallFilter", "PrivateUsers"):
        assert not _values(unit, service, key), key
    assert set(_one(unit, service, "RestrictAddressFamilies").split()) == {"AF_UNIX", "AF_INET", "AF_INET6",
                                                                         "AF_NETLINK"}
    assert set(_one(unit, service, "SupplementaryGroups").split()) >= {"video", "render", "input"}
    assert _values(unit, service, "ReadWritePaths") == [f"-{DROP}"]

    # SDL_VIDEODRIVER=kmsdrm by default, and the environment file can override it: it is
    # optional ("-") and comes after every Environment= line.
    keys = [k for k, _ in unit[service]]
    environment = dict(v.split("=", 1) for v in _values(unit, service, "Environment"))
    assert environment["SDL_VIDEODRIVER"] == "kmsdrm"
    assert _one(unit, service, "EnvironmentFile") == "-/etc/signage/environment"
    assert keys.index("EnvironmentFile") > max(i for i, k in enumerate(keys) if k == "Environment")

    # The restart limit can actually trip on a crash loop (burst restarts fit in the
    # interval), and the retry timer revives the player after it did.
    interval = _seconds(_one(unit, "Unit", "StartLimitIntervalSec"))
    burst = int(_one(unit, "Unit", "StartLimitBurst"))
    assert 0 < burst * _seconds(_one(unit, service, "RestartSec")) < interval
    assert _one(unit, "Install", "WantedBy") == "multi-user.target"


def test_the_retry_timer_restarts_only_a_failed_enabled_player() -> None:
    service = _parse_unit(UNIT_DIR / "signage-player-retry.service")
    timer = _parse_unit(UNIT_DIR / "signage-player-retry.timer")
    assert _one(service, "Service", "Type") == "oneshot"
    assert _values(service, "Service", "ExecCondition") == [
        "systemctl is-enabled --quiet signage-player.service",
        "systemctl is-failed --quiet signage-player.service"]
    assert _values(service, "Service", "ExecStart") == [
        "systemctl reset-failed signage-player.service",
        "systemctl start --no-block signage-player.service"]
    assert _seconds(_one(timer, "Timer", "OnUnitActiveSec")) == 600
    assert _seconds(_one(timer, "Timer", "OnActiveSec")) == 600
    assert _one(timer, "Install", "WantedBy") == "timers.target"


# --- the config template ----------------------------------------------------------------

def test_the_pi_config_template_loads_and_matches_the_unit(tmp_path: Path) -> None:
    from player.config import load_config

    text = TEMPLATE.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    unit = _parse_unit(PLAYER_UNIT)
    # The paths the unit provides: drop folder writable, state and runtime directories.
    assert raw["drop"]["dir"] == DROP
    assert raw["state_dir"] == "/var/lib/" + _one(unit, "Service", "StateDirectory")
    runtime = "/run/" + _one(unit, "Service", "RuntimeDirectory")
    assert Path(raw["status_file"]).parent == Path(runtime)
    assert _one(unit, "Service", "ExecStart").endswith("-c /etc/" + _one(unit, "Service", "ConfigurationDirectory")
                                                        + "/player.yaml")

    folders = {DROP: tmp_path / "drop", "/var/lib/signage": tmp_path / "state", "/run/signage": tmp_path / "run"}
    for real, fake in folders.items():
        fake.mkdir()
        text = text.replace(real, str(fake))
    config_path = tmp_path / "player.yaml"
    config_path.write_text(text, encoding="utf-8")
    config = load_config(config_path)
    assert config.drop.dir == folders[DROP] and config.drop.poll == "auto"
    assert config.state_dir == folders["/var/lib/signage"]
    assert config.status_path == folders["/run/signage"] / "status.json"
    assert config.display.size is None and config.display.fullscreen is True

    # The commented examples are valid as they stand once uncommented.
    examples = re.findall(r"^# ((?:power|playlog|screenshot): \{.*\})$", text, re.M)
    assert len(examples) == 3, examples
    config_path.write_text(text + "\n".join(examples) + "\n", encoding="utf-8")
    config = load_config(config_path)
    assert (config.power.on.hour, config.power.on.minute, config.power.off.hour) == (7, 30, 19)
    assert config.power.method == "cec" and config.power.days == frozenset(range(5))
    assert config.playlog.retention_days == 400 and config.playlog.max_gap_minutes == 15
    assert config.playlog.office_days == frozenset(range(5)) and len(config.playlog.office_hours) == 1
    assert config.screenshot.every_minutes == 0


# --- the guide --------------------------------------------------------------------------

def test_the_install_guide_covers_the_units_and_the_installer_options() -> None:
    guide = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    for unit in UNIT_FILES:
        assert unit.name in guide, unit.name
    for option in ("--dry-run", "--no-start", "--drop"):
        assert option in guide, option
    assert re.search(r"veto files = /~\$\*/\.~lock\.\*#/Thumbs\.db/\.DS_Store/\._\*/desktop\.ini/", guide)
    for mount_point in ("/var/lib/signage", "/srv/signage"):  # the persistent partitions' fstab lines
        assert re.search(rf"^\s*LABEL=\S+\s+{mount_point}\s+ext4\s+\S*noatime,commit=60", guide, re.M)
    assert "overlayroot=tmpfs:recurse=0" in guide
    for line in ("force user = signage", "delete veto files = yes", "unix charset = UTF-8", "smbpasswd -a"):
        assert line in guide, line
    assert "enable_overlayfs" in guide and "journalctl -u signage-player -f" in guide
