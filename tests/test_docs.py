"""The examples in docs/content.md are valid content (docs stay true)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, load_folder
from player.model.notice import Closing, Heading, ListItem, TableBody

DOC = (ROOT / "docs" / "content.md").read_text(encoding="utf-8")


def _block(pattern: str) -> str:
    match = re.search(pattern, DOC, re.S)
    assert match, pattern
    return match.group(1)


def test_every_example_in_the_content_guide_parses(tmp_path: Path) -> None:
    files = {
        "公示公告/关于临时停水的通知.txt": _block(r"`公示公告/关于临时停水的通知.txt`\):\n\n```\n(.*?)```"),
        "办事指南/居住证办理指南.md": _block(r"```markdown\n(.*?)```"),
        "财务公开/2026年10月村务收支.csv": _block(r"```\n(序号.*?)```"),
        "财务公开/2026年10月村务收支.yaml": "title: 马宫村2026年10月村务收支公开\nend: 2026-12-31\n",
        "民生实事/口袋公园.yaml": _block(r"```yaml\n(title: 马宫路口袋公园.*?)```"),
        "ticker.txt": _block(r"separated by ◆:\n\n```\n(.*?)```"),
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    picture = ROOT / "content" / "民生实事" / "2026年民生实事项目进度.png"
    (tmp_path / "民生实事" / "口袋公园.jpg").write_bytes(picture.read_bytes())  # a PNG named .jpg decodes too
    library = load_folder(tmp_path)
    assert library.problems == ()
    assert len(library.notices) == 4 and len(library.ticker) == 2
    water = library.get("公示公告/关于临时停水的通知")
    assert water.meta.priority.label == "high" and water.body.blocks[-1] == Closing("2026年11月30日")
    guide = library.get("办事指南/居住证办理指南")
    assert guide.meta.days == frozenset(range(5)) and len(guide.meta.hours) == 2
    assert [type(b) for b in guide.body.blocks].count(ListItem) == 5
    assert any(isinstance(b, Heading) for b in guide.body.blocks)
    table = library.get("财务公开/2026年10月村务收支").body
    assert isinstance(table, TableBody) and table.rows[0][2] == "12,000.00"
    assert library.get("民生实事/口袋公园").title == "马宫路口袋公园建成开放"


def test_the_player_config_in_the_publishing_guide_loads(tmp_path: Path) -> None:
    from player.config import load_config
    from player.sources.publish import keygen
    guide = (ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    snippet = re.search(r"```yaml\n(sync:.*?)```", guide, re.S).group(1)
    _, public = keygen(tmp_path / "district")
    (tmp_path / "drop").mkdir()
    config = tmp_path / "player.yaml"
    config.write_text("screen: {name: 测试}\ndrop: {dir: drop}\nstate_dir: state\n"
                      + snippet.replace("/etc/signage/district.pub", str(public)), encoding="utf-8")
    loaded = load_config(config)
    assert loaded.sync.url.startswith("https://") and loaded.sync.public_key == public
    assert loaded.sync.interval == 60


def test_every_command_in_the_readme_table_exists() -> None:
    from player.args import build_parser
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"^\| `signage (\w+)", readme, re.M))
    assert {"play", "keygen", "bundle", "sync"} <= commands
    choices = next(a for a in build_parser()._subparsers._group_actions).choices  # noqa: SLF001
    assert commands <= set(choices)
