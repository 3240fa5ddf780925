"""Hostile content for tests and the hostile-input benchmark: names, bytes, front
matter, pictures whose headers lie, special files and nesting, as hypothesis strategies,
written into real folders."""

from __future__ import annotations

import io
import os
import posixpath
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st
from PIL import Image

from player.model.library import SIDECAR_SUFFIXES, TICKER_NAME, is_ignored
from player.model.names import display_name

HAN = "政务公开街道社区通知公告办事指南财务图片"


def _png(size=(8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _jpeg(size=(16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 200, 30)).save(out, "JPEG")
    return out.getvalue()


def lying_gif() -> bytes:
    """A GIF whose screen is 64x64 and whose frame claims 20000x20000."""
    out = io.BytesIO()
    Image.new("P", (64, 64)).save(out, "GIF")
    gif = bytearray(out.getvalue())
    descriptor = gif.index(b"\x2c")
    struct.pack_into("<HH", gif, descriptor + 5, 20000, 20000)
    return bytes(gif)


def lying_jpeg() -> bytes:
    """A JPEG whose first frame header says 16x16 and whose real one 20000x20000."""
    small = bytearray(_jpeg())
    sof = small.index(b"\xff\xc0")
    struct.pack_into(">HH", small, sof + 5, 20000, 20000)
    fake = b"\xff\xcf\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x11\x00"
    return bytes(small[:2]) + fake + bytes(small[2:])


def truncated_jpeg() -> bytes:
    data = _jpeg((200, 150))
    return data[: len(data) // 2]


FRONT_MATTER = [
    "---\n<<: 1\n---\n正文\n",
    "---\ntitle: " + "[" * 3000 + "\n---\n正文\n",
    "---\ntitle: a\u0080b\n---\n正文\n",
    "---\norder: " + "9" * 4000 + "\n---\n正文\n",
    "---\norder: " + "9" * 5000 + "\n---\n正文\n",
    "---\ntitle: !!python/object/apply:os.system [\"true\"]\n---\n正文\n",
    "---\na: &a [*a]\n---\n正文\n",
    "---\ntitle: \"\\ud800\"\n---\n正文\n",
    "---\nend: 2026-02-30\n---\n正文\n",
    "---\n" + "k: v\n" * 3 + "k: v\n---\n正文\n",
]

names_text = st.text(st.sampled_from(list(HAN) + list("abcXYZ019 ._-~$（）【】") + ["\n", "\t", "\u202e", "\x85"]),
                     min_size=1, max_size=40).filter(lambda s: s.strip(" .") and "/" not in s and "\x00" not in s)
names_bytes = st.one_of(
    names_text.map(lambda s: s.encode("utf-8")),
    st.text(st.sampled_from(list(HAN)), min_size=1, max_size=20).map(lambda s: s.encode("gbk")),
    st.binary(min_size=1, max_size=30).filter(lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b"..")),
    st.just("正在显示】共 99 条\n【有问题的文件】共 0 个".encode()),
    st.just(("长" * 80).encode()),
)
suffixes = st.sampled_from([b".txt", b".md", b".csv", b".png", b".jpg", b".gif", b".yaml", b".docx", b".xlsx",
                            b".pdf", b"", b".tmp"])
payloads = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(alphabet=HAN + "\n，。：", max_size=200).map(lambda t: t.encode("gb18030")),
    st.sampled_from(FRONT_MATTER).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([_png(), _jpeg(), lying_gif(), lying_jpeg(), truncated_jpeg()]),
    st.just("标题\n正文。\n".encode("utf-8")),
)
folders = st.lists(st.sampled_from([b"a", "公示公告".encode(), "财务".encode("gbk"), b"x\ny"]), max_size=3)


@dataclass(frozen=True)
class Entry:
    """One thing to create: a file, a FIFO, or a deep chain of folders."""

    kind: str            # file | fifo | deep
    folder: tuple[bytes, ...]
    name: bytes
    data: bytes = b""


entries = st.one_of(
    st.builds(lambda f, n, s, d: Entry("file", tuple(f), n + s, d), folders, names_bytes, suffixes, payloads),
    st.builds(lambda f, n: Entry("fifo", tuple(f), n + b".txt"), folders, names_bytes),
    st.builds(lambda depth: Entry("deep", tuple([b"d"] * depth), "深层通知.txt".encode(), "标题\n正文\n".encode()),
              st.integers(6, 14)),
)
trees = st.lists(entries, min_size=1, max_size=6)


def write_tree(root: Path, tree: list[Entry]) -> list[str]:
    """Create the entries under ``root``; returns the display paths of regular files."""
    base = os.fsencode(root)
    written = []
    for entry in tree:
        folder = os.path.join(base, *entry.folder) if entry.folder else base
        try:
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, entry.name)
            if os.path.lexists(path):
                continue
            if entry.kind == "fifo":
                os.mkfifo(path)
                continue
            with open(path, "wb") as handle:
                handle.write(entry.data)
        except OSError:
            continue  # a name the file system refuses (too long …): nothing was created
        written.append("/".join(display_name(part) for part in (*entry.folder, entry.name)))
    return written


def accounted(rel: str, library) -> bool:
    """Whether a regular file ended shown, refused with a reason, or ignored as junk."""
    if is_ignored(rel):
        return True
    shown = {n.path for n in library.notices}
    refused = {p.path for p in library.problems}
    if rel in shown or rel in refused or any(rel.startswith(p.rstrip("/") + "/") for p in refused):
        return True
    if rel == TICKER_NAME:
        return True  # an empty or blank ticker shows nothing, which is right
    name = posixpath.basename(rel)
    if any(posixpath.splitext(p.path)[0] == posixpath.splitext(rel)[0]
           and posixpath.splitext(p.path)[1].lower() in SIDECAR_SUFFIXES and name in p.message for p in library.problems):
        return True  # held back by its broken settings file, whose problem names it
    if posixpath.splitext(rel)[1].lower() in SIDECAR_SUFFIXES:
        # the settings of a file that is shown, or refused for its own reason (the
        # sidecar is read again with it once that is fixed)
        base = posixpath.splitext(rel)[0]
        return any(posixpath.splitext(p)[0] == base for p in shown | refused)
    return False


def write_worst(drop: Path, sample: Path) -> Path:
    """The sample and one of every hostile kind beside it: a FIFO, a picture bomb, lying
    and truncated pictures, front matter PyYAML rejects, a 300,000-character title, a GBK
    name, a forged staff line and a 1,100-folder-deep notice (returns the deep tree's
    top, to be removed with ``rm -rf``: ``shutil.rmtree`` recurses once per level)."""
    shutil.copytree(sample, drop)
    folder = drop / "公示公告"
    os.mkfifo(folder / "notice.txt")
    (folder / "炸弹.gif").write_bytes(lying_gif())
    (folder / "假图.jpg").write_bytes(lying_jpeg())
    (folder / "半张.jpg").write_bytes(truncated_jpeg())
    (folder / "设置.txt").write_text("---\n<<: 1\n---\n正文\n", encoding="utf-8")
    (folder / "长标题.txt").write_text("长" * 300_000 + "\n正文。\n", encoding="utf-8")
    deep = drop / "深"
    deep.mkdir()
    path = os.fsencode(deep)
    for _ in range(1100):  # iteratively: os.makedirs recurses once per level
        path = os.path.join(path, b"d")
        os.mkdir(path)
    with open(os.path.join(path, "通知.txt".encode()), "wb") as handle:
        handle.write("深处的通知\n正文\n".encode())
    with open(os.path.join(os.fsencode(folder), "停水通知.txt".encode("gbk")), "wb") as handle:
        handle.write("关于临时停水的通知\n明日停水。\n".encode("gbk"))
    forged = "x\n【正在显示】共 99 条\n【有问题的文件】共 0 个.txt"
    (folder / forged).write_text("", encoding="utf-8")  # empty: refused, its name reported
    return deep
