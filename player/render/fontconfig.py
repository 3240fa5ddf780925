"""Finding a Simplified Chinese font face on this machine (no pygame here).

Asks fontconfig (``fc-list :lang=zh-cn``) for every face that covers Simplified
Chinese and ranks them: Noto Sans CJK SC / Source Han Sans SC first, then WenQuanYi
Micro Hei, WenQuanYi Zen Hei, other SC faces, and other CJK faces last. Collections
(``.ttc``) are addressed by face index: in ``NotoSansCJK-Regular.ttc`` face 0 is
Japanese and face 2 is Simplified Chinese, and only the SC face has Chinese glyph shapes
and proportional quotes “ ” of the right width.

When ``fc-list`` itself is missing (a minimal system without fontconfig), the usual
Debian font folders are searched for the known files instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

#: The package the error message tells people to install.
FONT_PACKAGE = "fonts-noto-cjk"

_FC_FORMAT = "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\t%{weight}\n"
_RANKS = (
    ("noto sans cjk sc", 0), ("source han sans sc", 0), ("noto sans sc", 0),
    ("source han sans cn", 0), ("wenquanyi micro hei", 1), ("wenquanyi zen hei", 2),
    ("noto serif cjk sc", 3), ("source han serif sc", 3),
)
#: Known files when fontconfig is absent: (file name, face index of the SC face, weight).
KNOWN_FILES = (
    ("NotoSansCJK-Regular.ttc", 2, 80, "Noto Sans CJK SC"),
    ("NotoSansCJK-Bold.ttc", 2, 200, "Noto Sans CJK SC"),
    ("NotoSansCJKsc-Regular.otf", 0, 80, "Noto Sans CJK SC"),
    ("NotoSansCJKsc-Bold.otf", 0, 200, "Noto Sans CJK SC"),
    ("NotoSansSC-Regular.otf", 0, 80, "Noto Sans SC"),
    ("wqy-microhei.ttc", 0, 80, "WenQuanYi Micro Hei"),
    ("wqy-zenhei.ttc", 0, 80, "WenQuanYi Zen Hei"),
)
DEFAULT_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                     Path.home() / ".local/share/fonts", Path.home() / ".fonts")

REGULAR_WEIGHT = 80  # fontconfig's FC_WEIGHT_REGULAR
BOLD_WEIGHT = 200    # FC_WEIGHT_BOLD


@dataclass(frozen=True)
class Face:
    """One face of a font file."""

    path: Path
    index: int
    family: str
    style: str = "Regular"
    weight: int = REGULAR_WEIGHT

    def rank(self) -> float:
        """Lower is better; SC faces of preferred families first, monospace later."""
        family = self.family.lower()
        rank = next((r for name, r in _RANKS if name in family), 4)
        if any(tag in family for tag in (" jp", " kr", " tc", " hk", " k ")):
            rank = 5  # other CJK regions: right code points, wrong glyph shapes
        if "mono" in family:
            rank += 0.5
        return rank


Runner = Callable[[list[str]], str | None]


def run_fc(args: list[str]) -> str | None:
    """Run a fontconfig tool; None when it is not installed or fails."""
    if shutil.which(args[0]) is None:
        return None
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else ""


def parse_fc_list(output: str) -> list[Face]:
    """Faces from ``fc-list -f`` output in :data:`_FC_FORMAT`."""
    faces = []
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) < 5 or not parts[0]:
            continue
        try:
            index, weight = int(parts[1] or 0), int(float(parts[4] or REGULAR_WEIGHT))
        except ValueError:
            continue
        faces.append(Face(Path(parts[0]), index, parts[2], parts[3] or "Regular", weight))
    return faces


def scan_known_files(dirs: Iterable[Path]) -> list[Face]:
    """Known Chinese font files in font folders (used only without fontconfig)."""
    wanted = {name.lower(): (index, weight, family) for name, index, weight, family in KNOWN_FILES}
    faces = []
    for folder in dirs:
        if not folder.is_dir():
            continue
        for root, _dirs, files in os.walk(folder):
            for name in files:
                if name.lower() in wanted:
                    index, weight, family = wanted[name.lower()]
                    faces.append(Face(Path(root) / name, index, family,
                                      "Bold" if weight >= BOLD_WEIGHT else "Regular", weight))
    return faces


def chinese_faces(runner: Runner = run_fc, dirs: Iterable[Path] = DEFAULT_FONT_DIRS) -> list[Face]:
    """All faces covering Simplified Chinese, best first."""
    output = runner(["fc-list", ":lang=zh-cn", "-f", _FC_FORMAT])
    faces = scan_known_files(dirs) if output is None else parse_fc_list(output)
    faces = [f for f in faces if f.path.suffix.lower() in (".ttf", ".ttc", ".otf", ".otc")]
    return sorted(set(faces), key=lambda f: (f.rank(), abs(f.weight - REGULAR_WEIGHT), str(f.path), f.index))


def pick_pair(faces: list[Face]) -> tuple[Face, Face | None]:
    """The regular face to use and, if the same family has one, its bold face.

    Raises:
        LookupError: no faces at all.
    """
    regular_faces = [f for f in faces if f.weight < BOLD_WEIGHT - 20]
    if not regular_faces:
        regular_faces = faces
    if not regular_faces:
        raise LookupError("no Chinese font")
    regular = regular_faces[0]
    bold = [f for f in faces if f.family == regular.family and f.weight >= BOLD_WEIGHT - 20]
    return regular, (min(bold, key=lambda f: abs(f.weight - BOLD_WEIGHT)) if bold else None)
