"""Shared fixtures. Tests run without a display: pygame uses the dummy video driver."""

from __future__ import annotations

import os
import subprocess
import time
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
#: Notices in the sample content (content/): seven text, table and picture notices, a
#: Word document and an Excel workbook.
SAMPLE_NOTICES = 9
SEED = ROOT.parent / "shared" / "seed" / "magong-2022-report.txt"


@pytest.fixture
def repo_root() -> Path:
    """The repository checkout."""
    return ROOT


def load_folder(root: Path, decode: bool = False):
    """Parse a content folder the way ``signage check`` does (``decode``: pictures fully
    decoded in the sandbox too; the model tests use header-only picture fixtures)."""
    from player.sources.folder import FolderScanner
    from player.sources.ingest import Ingest
    if decode:
        ingest = Ingest("drop", FolderScanner.once(root).limits)
        try:
            return FolderScanner.once(root, ingest=ingest).scan()
        finally:
            ingest.close()
    return FolderScanner.once(root, ingest=_HeaderOnly()).scan()


class _HeaderOnly:
    """An ingest that parses purely (pictures by their header: fast model tests, fixtures
    with fake pictures); documents go to the real ingestion (they need the sandbox)."""

    documents = None

    def __call__(self, file, sidecar, limits):
        from player.model.library import is_document, parse_notice
        if is_document(file.path):
            if _HeaderOnly.documents is None:
                from player.sources.ingest import Ingest
                _HeaderOnly.documents = Ingest("drop", limits)
            return _HeaderOnly.documents(file, sidecar, limits)
        return parse_notice(file, sidecar, limits)

    def finish_scan(self) -> None:
        pass


@pytest.fixture(scope="session")
def sample_library():
    """The bundled sample content, parsed."""
    return load_folder(CONTENT)


def write_config(folder: Path, drop: Path, extra: str = "", state: Path | None = None,
                 long_clock_jumps: bool = True) -> Path:
    """A minimal valid player.yaml in ``folder`` pointing at ``drop``.

    With ``long_clock_jumps`` (and no ``clock:`` section in ``extra``) the clock may be up
    to ten years past the release date without NTP confirmation: a fresh state dir has no
    trusted time yet, and a test machine whose kernel does not report NTP sync (this one)
    would otherwise see the real clock as an unconfirmed jump once it is a year past
    RELEASE_DATE. Tests of the config file itself leave it out (they check its text).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "player.yaml"
    own_clock = extra.startswith("clock:") or "\nclock:" in extra
    clock = "clock: {max_jump_days: 3650}\n" if long_clock_jumps and not own_clock else ""
    path.write_text(
        "screen: {name: 测试街道便民服务中心, tags: [lobby, public]}\n"
        f"drop: {{dir: '{drop}', poll: auto}}\n"
        f"state_dir: '{state or folder / 'state'}'\n" + extra + ("\n" if extra and not extra.endswith("\n") else "")
        + clock,  # last: line numbers of ``extra`` stay as tests expect them
        encoding="utf-8")
    return path


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_config(drop=..., extra=...)`` -> config path in tmp_path/config."""
    def make(drop: Path | None = None, extra: str = "") -> Path:
        drop = drop or (tmp_path / "drop")
        drop.mkdir(parents=True, exist_ok=True)
        return write_config(tmp_path / "config", drop, extra, long_clock_jumps=False)
    return make


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, step: float = 0.1):
    """Poll ``predicate`` until it returns something true (returned) or ``timeout`` passes
    (then its last value). For what real threads and subprocesses do in real time."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def run_signage(*args: str, env: dict | None = None, cwd: Path | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real ``signage`` command in a subprocess."""
    full_env = dict(os.environ)
    full_env.pop("SIGNAGE_CONFIG", None)
    full_env.pop("DISPLAY", None)
    full_env.pop("WAYLAND_DISPLAY", None)
    full_env.pop("SDL_VIDEODRIVER", None)  # the player picks its own driver
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "player", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or ROOT, timeout=timeout, check=False)


def play_until(config: Path, done: Callable[[], object], timeout: float = 60,
               env: dict | None = None) -> tuple[object, str]:
    """Run ``signage play --headless -c config`` until ``done()`` returns something true,
    then stop it with SIGTERM as systemd would: (that value, the player's stderr). Fails
    when the player does not exit 0 or ``done`` never holds within ``timeout`` seconds."""
    import signal
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("SIGNAGE_CONFIG", "DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    full_env.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"], cwd=ROOT,
                            env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        found = wait_until(lambda: done() or proc.poll() is not None and "exited", timeout, 0.1)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert found and found != "exited", f"the condition never held; the player said: {err[-2000:]}"
    return found, err


@pytest.fixture
def server(tmp_path: Path):
    """A static bundle server on 127.0.0.1 (tests/bundle_server.py) serving tmp_path/site."""
    from bundle_server import BundleServer
    site = tmp_path / "site"
    site.mkdir()
    srv = BundleServer(site).start()
    yield srv
    srv.stop()


@pytest.fixture
def keys(tmp_path: Path) -> dict:
    """The district's signing key, its public key file, and another key (an attacker's)."""
    from player.sources.bundle import load_private_key
    from player.sources.publish import keygen
    private, public = keygen(tmp_path / "keys" / "district")
    other, _ = keygen(tmp_path / "keys" / "other")
    return {"key": load_private_key(private), "pub": public, "other": load_private_key(other)}
