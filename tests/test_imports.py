"""The import rules of docs/architecture.md, enforced on the code as it is: the core is
pure, drawing knows no loop and no files, sources never draw, nothing imports the
benchmarks, pygame is imported in one module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PLAYER = ROOT / "player"

#: part -> parts (and third-party modules) it must never import
NEVER = {
    "model": {"layout", "render", "runtime", "sources", "commands", "cli", "config", "fleet", "worker",
              "pygame", "requests", "watchdog", "PIL"},
    "layout": {"render", "runtime", "sources", "commands", "cli", "config", "fleet", "worker",
               "pygame", "requests", "watchdog", "PIL"},
    "render": {"runtime", "sources", "commands", "cli", "fleet"},
    "sources": {"render", "runtime", "commands", "cli", "pygame"},
    "runtime": {"commands", "cli"},
    "fleet": {"render", "runtime", "sources", "commands", "cli", "pygame"},
    "config": {"render", "runtime", "sources", "commands", "cli", "fleet", "pygame"},
}
#: the shared helpers import nothing of the player
SHARED = {"worker", "fsutil", "jitter", "logmask"}
PARTS = {"model", "layout", "render", "runtime", "sources", "commands", "cli", "config", "fleet", "args"} | SHARED


def _part(path: Path) -> str:
    rel = path.relative_to(PLAYER)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.suffix == ".py" else ""


def _imports(path: Path) -> set[str]:
    """Top-level names imported, ``player.x`` given as ``x`` (lazy imports inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            found.add(parts[1] if parts[0] == "player" and len(parts) > 1 else parts[0])
    return found


MODULES = sorted(p for p in PLAYER.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_what_its_part_must_not(path: Path) -> None:
    imported = _imports(path)
    assert "bench" not in imported, "the player never imports the benchmarks"
    never = PARTS if _part(path) in SHARED else NEVER.get(_part(path), set())
    forbidden = never & imported
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


def test_pygame_is_imported_in_one_module_only() -> None:
    importers = [p.relative_to(PLAYER).as_posix() for p in MODULES if "pygame" in _imports(p)]
    assert importers == ["render/pg.py"], importers


def test_the_rules_find_a_violation() -> None:
    """The scan really sees imports (a rule that finds nothing would pass for any code)."""
    assert "pygame" in _imports(PLAYER / "render" / "pg.py")
    assert {"model", "render"} <= _imports(PLAYER / "runtime" / "app.py")
