"""Configuration loading (DESIGN.md section 2): values, relative paths, one-line errors.

Every mistake in player.yaml must become exactly one line that names the file, the line
and the key and says what is expected, both from :func:`load_config` and through the
real ``signage`` command (exit status 2).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ROOT, run_signage, write_config
from player.config import Config, ConfigError, find_config, load_config, parse_size

SAMPLE_CONFIG = ROOT / "config" / "player.yaml"
# write_config() writes three lines (screen, drop, state_dir); ``extra`` starts on line 4.
EXTRA_LINE = 4


def _error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


def _assert_one_line(error: ConfigError, path: Path, line: int | None, *fragments: str) -> str:
    text = str(error)
    assert "\n" not in text, text
    where = f"{path}:{line}: " if line else f"{path}: "
    assert text.startswith(where), text
    assert error.line == line
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return text


# --- the sample configuration --------------------------------------------------------------

def test_sample_config_loads_with_its_values() -> None:
    config = load_config(SAMPLE_CONFIG)
    assert isinstance(config, Config)
    assert config.path == SAMPLE_CONFIG.resolve()
    assert config.screen.name == "马宫街道便民服务中心"
    assert config.screen.tags == ("lobby", "public")
    assert config.display.size is None          # auto
    assert config.display.fullscreen is True
    assert config.display.fps == 60
    assert config.drop.poll == "auto"
    assert config.sync.url is None
    assert config.sync.interval == 60.0
    assert config.sync.public_key is None
    assert config.ticker.speed == 120.0
    assert config.timezone == "Asia/Shanghai"
    assert str(config.tz) == "Asia/Shanghai"


def test_sample_config_paths_are_relative_to_the_config_file(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a cwd that has nothing to do with the config
    config = load_config(SAMPLE_CONFIG)
    assert config.drop.dir == ROOT / "content"
    assert config.state_dir == ROOT / "state"
    assert config.status_path == ROOT / "state" / "status.json"


def test_relative_config_path_resolves_against_the_config_not_the_cwd(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "keys").mkdir()
    from player.sources.bundle import generate_keypair
    (site / "keys" / "pub.pub").write_bytes(generate_keypair()[1])
    cfg = site / "config" / "player.yaml"
    cfg.parent.mkdir()
    cfg.write_text(
        "screen: {name: 测试}\n"
        "drop: {dir: ../content}\n"
        "state_dir: ../state\n"
        "status_file: run/status.json\n"
        "sync: {url: 'https://example.org/signage', public_key: ../keys/pub.pub}\n",
        encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(site)
    config = load_config(Path("config/player.yaml"))  # relative to the cwd, then to itself
    monkeypatch.chdir(elsewhere)
    assert config.path == cfg.resolve()
    assert config.drop.dir == (site / "content").resolve()
    assert config.state_dir == (site / "state").resolve()
    assert config.status_path == (site / "config" / "run" / "status.json").resolve()
    assert config.sync.public_key == (site / "keys" / "pub.pub").resolve()
    assert config.sync.url == "https://example.org/signage/"


def test_minimal_config_gets_documented_defaults(make_config) -> None:
    config = load_config(make_config())
    assert config.screen.name == "测试街道便民服务中心"
    assert config.display.size is None and config.display.fullscreen and config.display.fps == 60
    assert config.timezone == "Asia/Shanghai"
    assert config.limits.text_bytes == 1024 * 1024
    assert config.limits.image_bytes == 20 * 1024 * 1024
    assert config.limits.image_pixels == 40_000_000
    assert config.limits.files == 10_000


def test_explicit_values_are_parsed(make_config) -> None:
    config = load_config(make_config(extra=(
        "display: {size: 1920x1080, fullscreen: false, fps: 30}\n"
        "ticker: {speed: 80}\n"
        "limits: {text_mib: 2, image_megapixels: 12, files: 50}\n"
        "timezone: Asia/Urumqi\n")))
    assert config.display.size == (1920, 1080)
    assert config.display.fullscreen is False
    assert config.display.fps == 30
    assert config.ticker.speed == 80.0
    assert config.limits.text_bytes == 2 * 1024 * 1024
    assert config.limits.image_pixels == 12_000_000
    assert config.limits.files == 50
    assert config.timezone == "Asia/Urumqi"


def test_parse_size_accepts_x_and_refuses_star() -> None:
    assert parse_size("1920x1080") == (1920, 1080)
    assert parse_size("1280 X 720") == (1280, 720)
    assert parse_size("1080×1920") == (1080, 1920)
    for bad in ("1920*1080", "1920", "auto", "10x10", "1920x1080x2"):
        with pytest.raises(ValueError):
            parse_size(bad)


# --- one error, one line ---------------------------------------------------------------------

@pytest.mark.parametrize(("extra", "line", "fragments"), [
    # unknown keys, top-level and nested, with the hint
    ("dispaly:\n  fps: 60\n", EXTRA_LINE,
     ("dispaly: unknown key", "did you mean 'display'?", "expected one of:")),
    ("display:\n  fullscreen: true\n  fsp: 60\n", EXTRA_LINE + 2,
     ("display.fsp: unknown key", "did you mean 'display.fps'?", "size, fullscreen, fps")),
    ("display:\n  fsp:\n    - 60\n", EXTRA_LINE + 1,
     ("display.fsp: unknown key", "did you mean 'display.fps'?")),
    ("ticker: {sped: 100}\n", EXTRA_LINE,
     ("ticker.sped: unknown key", "did you mean 'ticker.speed'?")),
    # wrong types
    ("display:\n  fps: \"sixty\"\n", EXTRA_LINE + 1,
     ("display.fps:", "expected a whole number from 1 to 240", "'sixty'")),
    ("display:\n  fps: 1000\n", EXTRA_LINE + 1, ("display.fps:", "from 1 to 240", "1000")),
    ("display:\n  fullscreen: 3\n", EXTRA_LINE + 1,
     ("display.fullscreen:", "expected true or false", "got 3")),
    ("display: sixty\n", EXTRA_LINE, ("display:", "expected a section of 'key: value' lines")),
    ("ticker: {speed: fast}\n", EXTRA_LINE, ("ticker.speed:", "expected a number", "'fast'")),
    ("drop_extra_is_not_here: 1\n", EXTRA_LINE, ("drop_extra_is_not_here: unknown key",)),
    ("log_level: loud\n", EXTRA_LINE, ("log_level:", "debug, info, warning, error", "'loud'")),
    ("sync: {url: 'ftp://example.org/'}\n", EXTRA_LINE, ("sync.url:", "http:// or https:// URL")),
    # bad size
    ("display:\n  size: 1920*1080\n", EXTRA_LINE + 1,
     ("display.size:", "expected WIDTHxHEIGHT like 1920x1080", "'1920*1080'")),
    # unknown time zone
    ("timezone: Mars/Olympus\n", EXTRA_LINE,
     ("timezone:", "unknown time zone 'Mars/Olympus'", "Asia/Shanghai")),
    ("timezone: ../../etc/passwd\n", EXTRA_LINE, ("timezone:", "unknown time zone")),
    # duplicate keys, nested and top-level
    ("display:\n  fps: 60\n  fps: 30\n", EXTRA_LINE + 2,
     ("'fps' appears twice", f"lines {EXTRA_LINE + 1} and {EXTRA_LINE + 2}", "keep one")),
    ("state_dir: /tmp/other\n", EXTRA_LINE, ("'state_dir' appears twice", "lines 3 and 4")),
    # a missing file that the config points at
    ("sync: {public_key: missing.pub}\n", EXTRA_LINE, ("sync.public_key:", "missing.pub", "does not exist")),
    ("pages: {min_seconds: 30, max_seconds: 10}\n", EXTRA_LINE,
     ("pages:", "min_seconds is larger than max_seconds")),
], ids=["unknown-top", "unknown-nested", "unknown-nested-block", "unknown-flow", "fps-text", "fps-range", "fullscreen-int",
        "section-scalar", "speed-text", "unknown-no-hint", "log-level", "url-scheme", "size-star",
        "timezone", "timezone-path", "duplicate-nested", "duplicate-top", "missing-file",
        "pages-order"])
def test_each_error_is_one_line_with_file_line_and_key(make_config, extra: str, line: int,
                                                       fragments: tuple[str, ...]) -> None:
    path = make_config(extra=extra)
    _assert_one_line(_error(path), path, line, *fragments)


def test_unknown_key_without_a_close_match_gets_no_hint(make_config) -> None:
    path = make_config(extra="zzzzzz: 1\n")
    text = _assert_one_line(_error(path), path, EXTRA_LINE, "zzzzzz: unknown key")
    assert "did you mean" not in text


def test_wrong_type_for_tags(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    path = tmp_path / "player.yaml"
    path.write_text(f"screen:\n  name: 大厅\n  tags: 5\ndrop: {{dir: '{drop}'}}\nstate_dir: st\n",
                    encoding="utf-8")
    _assert_one_line(_error(path), path, 3, "screen.tags:", "expected a list of tags", "got 5")


def test_missing_drop_dir(tmp_path: Path) -> None:
    path = tmp_path / "player.yaml"
    path.write_text("screen: {name: 大厅}\ndrop:\n  dir: ../no-such-folder\nstate_dir: st\n",
                    encoding="utf-8")
    missing = os.path.normpath(tmp_path / ".." / "no-such-folder")
    _assert_one_line(_error(path), path, 3, "drop.dir:", f"folder {missing} does not exist",
                     "create it or correct the path")


def test_drop_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "content").write_text("not a folder", encoding="utf-8")
    path = tmp_path / "player.yaml"
    path.write_text("screen: {name: 大厅}\ndrop: {dir: content}\nstate_dir: st\n", encoding="utf-8")
    _assert_one_line(_error(path), path, 2, "drop.dir:", "is not a folder")


@pytest.mark.parametrize(("text", "line", "fragments"), [
    ("drop: {dir: DROP}\nstate_dir: st\n", None, ("screen: missing", "name")),
    ("screen: {name: 大厅}\nstate_dir: st\n", None, ("drop: missing", "dir")),
    ("screen: {name: 大厅}\ndrop: {dir: DROP}\n", None, ("state_dir: missing",)),
    ("screen:\n  tags: [lobby]\ndrop: {dir: DROP}\nstate_dir: st\n", 1,
     ("screen.name: missing", "required")),
    ("screen: {name: 大厅}\ndrop: {poll: true}\nstate_dir: st\n", 2, ("drop.dir: missing", "required")),
    ("screen: {name: '  '}\ndrop: {dir: DROP}\nstate_dir: st\n", 1, ("screen.name:", "expected text")),
], ids=["no-screen", "no-drop", "no-state-dir", "no-screen-name", "no-drop-dir", "blank-name"])
def test_missing_required_keys(tmp_path: Path, text: str, line: int | None,
                               fragments: tuple[str, ...]) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    path = tmp_path / "player.yaml"
    path.write_text(text.replace("DROP", f"'{drop}'"), encoding="utf-8")
    _assert_one_line(_error(path), path, line, *fragments)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a list\n- not settings\n", "just words\n"])
def test_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "player.yaml"
    path.write_text(text, encoding="utf-8")
    error = _error(path)
    assert "\n" not in str(error)
    assert str(error).startswith(str(path))
    assert "expected 'key: value' settings" in str(error)


def test_missing_config_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    _assert_one_line(_error(path), path, None, "config file not found", "-c PATH", "SIGNAGE_CONFIG")


def test_unreadable_config_directory(tmp_path: Path) -> None:
    folder = tmp_path / "player.yaml"
    folder.mkdir()  # a directory where the file should be: read fails even as root
    _assert_one_line(_error(folder), folder, None, "cannot read config file")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read a chmod 000 file")
def test_unreadable_config_permissions(make_config) -> None:
    path = make_config()
    path.chmod(0)
    try:
        _assert_one_line(_error(path), path, None, "cannot read config file")
    finally:
        path.chmod(0o644)


def test_config_that_is_not_utf8(make_config) -> None:
    path = make_config()
    path.write_bytes(path.read_bytes() + "# 注释\n".encode("gbk"))
    _assert_one_line(_error(path), path, None, "cannot read config file")


def test_utf8_bom_is_accepted(make_config) -> None:
    path = make_config()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_config(path).screen.name == "测试街道便民服务中心"


@pytest.mark.parametrize(("extra", "line"), [
    ("display:\n  fps: 60\n   size: auto\n", EXTRA_LINE + 2),   # bad indentation
    ("ticker: {speed: 120\n", EXTRA_LINE + 1),                   # unclosed flow mapping
    ("display: [1, 2\nticker: {speed: 1}\n", EXTRA_LINE + 1),
    ("log_level: 'info\n", EXTRA_LINE + 1),                      # unclosed quote
])
def test_yaml_syntax_error_names_the_line(make_config, extra: str, line: int) -> None:
    path = make_config(extra=extra)
    _assert_one_line(_error(path), path, line, "YAML syntax error")


@pytest.mark.parametrize("form", ["sequence", "scalar", "mapping", "key"])
def test_python_tag_is_refused_and_never_executed(make_config, tmp_path: Path, form: str) -> None:
    marker = tmp_path / "pwned"
    command = f"touch {marker}"
    value = {
        "sequence": f"log_level: !!python/object/apply:os.system [\"{command}\"]\n",
        "scalar": f"log_level: !!python/object/apply:os.system \"{command}\"\n",
        "mapping": f"log_level: !!python/object/apply:os.system {{args: [\"{command}\"]}}\n",
        "key": f"!!python/object/apply:os.system \"{command}\": info\n",
    }[form]
    path = make_config(extra=value)
    text = _assert_one_line(_error(path), path, EXTRA_LINE, "python/object/apply:os.system")
    assert "tag" in text
    assert not marker.exists()


def test_python_tag_as_the_whole_document_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "player.yaml"
    path.write_text(f"!!python/object/apply:os.system [\"touch {marker}\"]\n", encoding="utf-8")
    _assert_one_line(_error(path), path, 1, "tag")
    assert not marker.exists()


def test_alias_bomb_is_refused(make_config) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    path = make_config(extra="\n".join(lines) + "\n")
    error = _error(path)
    assert "\n" not in str(error)
    assert str(error).startswith(f"{path}:")
    assert "too large" in str(error)


# --- through the real command line --------------------------------------------------------------

def _cli_error(cfg: Path, tmp_path: Path, *args: str, env: dict | None = None,
               cwd: Path | None = None) -> str:
    out = tmp_path / "out.png"
    result = run_signage("render", *args, "-o", str(out), env=env, cwd=cwd, timeout=30)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert not out.exists()
    return lines[0]


def test_cli_bad_size_is_one_line_exit_2(make_config, tmp_path: Path) -> None:
    cfg = make_config(extra="display:\n  size: 1920*1080\n")
    line = _cli_error(cfg, tmp_path, "-c", str(cfg))
    assert f"{cfg}:{EXTRA_LINE + 1}:" in line
    assert "display.size" in line and "1920x1080" in line


def test_cli_unknown_nested_key_is_one_line_exit_2(make_config, tmp_path: Path) -> None:
    cfg = make_config(extra="display:\n  fullscren: true\n")
    line = _cli_error(cfg, tmp_path, "-c", str(cfg))
    assert f"{cfg}:{EXTRA_LINE + 1}:" in line
    assert "display.fullscren" in line and "did you mean 'display.fullscreen'" in line


def test_cli_missing_drop_dir_is_one_line_exit_2(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "cfg", tmp_path / "gone")
    line = _cli_error(cfg, tmp_path, "-c", str(cfg))
    assert f"{cfg}:2:" in line and "drop.dir" in line and "does not exist" in line


def test_cli_python_tag_is_refused_and_not_run(make_config, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cfg = make_config(extra=f"timezone: !!python/object/apply:os.system [\"touch {marker}\"]\n")
    line = _cli_error(cfg, tmp_path, "-c", str(cfg))
    assert f"{cfg}:{EXTRA_LINE}:" in line and "tag" in line
    assert not marker.exists()


def test_cli_finds_config_through_env(make_config, tmp_path: Path) -> None:
    cfg = make_config(extra="timezone: Mars/Olympus\n")
    line = _cli_error(cfg, tmp_path, env={"SIGNAGE_CONFIG": str(cfg)})
    assert f"{cfg}:{EXTRA_LINE}:" in line and "timezone" in line


def test_cli_finds_config_in_a_parent_of_the_cwd(tmp_path: Path) -> None:
    site = tmp_path / "site"
    drop = site / "content"
    drop.mkdir(parents=True)
    cfg = write_config(site / "config", drop, extra="display: {fps: sixty}\n")
    deep = site / "a" / "b"
    deep.mkdir(parents=True)
    line = _cli_error(cfg, tmp_path, cwd=deep)
    assert f"config/player.yaml:{EXTRA_LINE}:" in line and "display.fps" in line
    assert str(site) in line


# --- find_config order -----------------------------------------------------------------------------

def _touch_config(folder: Path) -> Path:
    path = folder / "config" / "player.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# test\n", encoding="utf-8")
    return path


def test_find_config_explicit_beats_everything(tmp_path: Path) -> None:
    _touch_config(tmp_path)
    found = find_config("mine.yaml", {"SIGNAGE_CONFIG": "/env/player.yaml"}, tmp_path)
    assert found == Path("mine.yaml")


def test_find_config_env_beats_cwd(tmp_path: Path) -> None:
    _touch_config(tmp_path)
    found = find_config(None, {"SIGNAGE_CONFIG": "/env/player.yaml"}, tmp_path)
    assert found == Path("/env/player.yaml")


def test_find_config_empty_env_is_ignored(tmp_path: Path) -> None:
    local = _touch_config(tmp_path)
    assert find_config(None, {"SIGNAGE_CONFIG": ""}, tmp_path) == local


def test_find_config_in_cwd(tmp_path: Path) -> None:
    local = _touch_config(tmp_path)
    assert find_config(None, {}, tmp_path) == local


def test_find_config_in_a_parent(tmp_path: Path) -> None:
    local = _touch_config(tmp_path)
    deep = tmp_path / "x" / "y" / "z"
    deep.mkdir(parents=True)
    assert find_config(None, {}, deep) == local


def test_find_config_nearest_folder_wins(tmp_path: Path) -> None:
    _touch_config(tmp_path)
    inner = _touch_config(tmp_path / "inner")
    deep = tmp_path / "inner" / "sub"
    deep.mkdir()
    assert find_config(None, {}, deep) == inner


def test_find_config_ignores_a_folder_named_player_yaml(tmp_path: Path) -> None:
    outer = _touch_config(tmp_path)
    (tmp_path / "inner" / "config" / "player.yaml").mkdir(parents=True)
    assert find_config(None, {}, tmp_path / "inner") == outer


def test_find_config_falls_back_to_etc(tmp_path: Path) -> None:
    empty = tmp_path / "empty" / "deeper"
    empty.mkdir(parents=True)
    if any((p / "config" / "player.yaml").is_file() for p in (empty, *empty.parents)):
        pytest.skip("a parent of the temporary folder has config/player.yaml")
    assert find_config(None, {}, empty) == Path("/etc/signage/player.yaml")


def test_theme_sizes_and_colours_are_configurable(make_config) -> None:
    from player.config import load_config
    config = load_config(make_config(extra='theme:\n  body: 0.05\n  accent: "#0044AA"\n'))
    assert config.theme.body == 0.05 and config.theme.accent == (0x00, 0x44, 0xAA)
    assert config.theme.title == 0.048  # untouched keys keep their defaults


@pytest.mark.parametrize("theme, needle", [
    ("  accent: red\n", 'theme.accent: expected a colour like "#C8102E"'),
    ("  bdy: 0.04\n", "theme.bdy: unknown key; did you mean 'theme.body'?"),
    ("  body: 2\n", "theme.body: expected a number from 0.002 to 0.5"),
    ("  table: 0.02\n  table_min: 0.03\n", "theme: table_min is larger than table"),
])
def test_theme_mistakes_name_the_key(make_config, theme: str, needle: str) -> None:
    from player.config import ConfigError, load_config
    with pytest.raises(ConfigError) as info:
        load_config(make_config(extra="theme:\n" + theme))
    assert needle in str(info.value)


def test_screen_shape_keys(make_config) -> None:
    config = load_config(make_config(extra="layout: portrait\ndisplay: {rotate: 270, diagonal_inches: 55, "
                                            "viewing_distance_m: 5}"))
    assert config.layout == "portrait" and config.display.rotate == 270
    assert config.display.logical((1920, 1080)) == (1080, 1920)
    assert config.display.panel.min_body_px(1920, 1080) > load_config(make_config()).display.panel.min_body_px(
        1920, 1080)   # farther away: larger text
    defaults = load_config(make_config())
    assert (defaults.layout, defaults.display.rotate, defaults.display.diagonal_inches,
            defaults.display.viewing_distance_m) == ("auto", 0, 43.0, 3.0)
    for extra, needle in (("layout: sideways", "layout: expected one of auto, standard"),
                          ("display: {rotate: 45}", "display.rotate: expected 0, 90, 180 or 270"),
                          ("display: {diagonal_inches: 2}", "display.diagonal_inches")):
        with pytest.raises(ConfigError, match=needle):
            load_config(make_config(extra=extra))
