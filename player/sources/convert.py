"""Old and foreign word-processor files -> ``.docx`` with LibreOffice.

``.doc`` (Word 97-2003), ``.wps`` (WPS 文字; almost always a Word 97 file inside),
``.rtf`` and ``.odt`` are converted by ``soffice --headless --convert-to docx`` and then
read like any ``.docx``. The conversion:

- runs in its own process group with a private, throw-away profile
  (``-env:UserInstallation=file://…``), never the desktop user's, so a running
  LibreOffice, a locked profile or a first-start dialog cannot interfere;
- is killed (the whole process group) after :data:`TIMEOUT` seconds;
- **never runs macros**: the private profile is created with
  ``org.openoffice.Office.Common/Security/Scripting`` set to
  ``DisableMacrosExecution = true`` (LibreOffice then neither runs nor even offers
  document macros, whatever the security level) and ``MacroSecurityLevel = 3`` (very
  high: only trusted file locations, of which there are none), and
  ``BlockUntrustedRefererLinks = true`` (no fetching of linked content); headless mode
  also never shows a dialog that could enable them;
- is cached by the source's sha256 in ``cache_dir``: a restart, or the same file in
  two places, does not convert again. The cache is bounded in bytes
  (:data:`CACHE_BYTES`): after each conversion the least recently used results go.

The input is named by what its bytes are (OLE2 -> ``.doc``, RTF -> ``.rtf``, zip ->
``.odt``), not by its extension: LibreOffice would read a ``.wps`` name as Microsoft
Works. Without LibreOffice installed, :meth:`Converter.to_docx` refuses with the hint
to save as ``.docx`` (docs/content.md gives the one apt command that enables it).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from player.fsutil import atomic_write
from player.model.container import Kind, refuse_password, sniff
from player.model.problems import ContentError

log = logging.getLogger(__name__)

TIMEOUT = 120.0
CACHE_BYTES = 64 * 1024 * 1024
CONVERTIBLE = frozenset({".doc", ".wps", ".rtf", ".odt"})
_MAX_OUTPUT = 100 * 1024 * 1024
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """The LibreOffice program on PATH (``soffice`` or ``libreoffice``), if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


class Converter:
    """Converts word-processor files to ``.docx``, one at a time, with a cache."""

    def __init__(self, cache_dir: Path, soffice: str | None = None, timeout: float = TIMEOUT,
                 cache_bytes: int = CACHE_BYTES) -> None:
        """
        Args:
            cache_dir: where converted files and the private profile live (e.g.
                ``STATE_DIR/convert``); created when needed.
            soffice: the LibreOffice program; default: found on PATH.
            timeout: seconds before a conversion is killed.
            cache_bytes: the most converted results kept (least recently used go first).
        """
        self.cache_dir = Path(cache_dir)
        self.soffice = soffice if soffice is not None else find_soffice()
        self.timeout = timeout
        self.cache_bytes = cache_bytes
        self.conversions = 0
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """Whether LibreOffice is installed."""
        return bool(self.soffice)

    def to_docx(self, data: bytes, suffix: str) -> bytes:
        """The ``.docx`` bytes of a ``.doc``/``.wps``/``.rtf``/``.odt`` file.

        Raises:
            ContentError: LibreOffice missing, the file password-protected or not a
                document, the conversion failed or took too long.
        """
        kind = sniff(data)
        if kind is Kind.ENCRYPTED:
            raise refuse_password("文档")
        if kind is Kind.ZIP and data[30:38] == b"mimetype" and b"opendocument.text" not in data[:200]:
            raise _refuse(f"{suffix} is an OpenDocument file but not a text document")
        source = {Kind.OLE2: ".doc", Kind.RTF: ".rtf", Kind.ZIP: ".odt"}.get(kind)
        if source is None:
            raise _refuse(f"{suffix} file is not a Word, WPS, RTF or OpenDocument text file")
        if not self.available:
            raise ContentError(
                f"{suffix} files need LibreOffice, which is not installed; save the file as .docx "
                "(or install LibreOffice: see docs/content.md)",
                f"播放器未安装 LibreOffice，无法读取 {suffix} 文件：请用 Word 或 WPS 另存为 .docx 后再放入")
        digest = hashlib.sha256(data).hexdigest()
        cached = self.cache_dir / f"{digest}.docx"
        try:
            result = cached.read_bytes()
            os.utime(cached)  # recently used: pruned last
            return result
        except OSError:
            pass
        with self._lock:
            result = self._convert(data, source)
            try:
                atomic_write(cached, result)
                self._prune()
            except OSError as exc:
                log.warning("cannot cache a converted document in %s: %s", self.cache_dir, exc.strerror or exc)
        return result

    def _prune(self) -> None:
        """Remove the least recently used results until the cache fits its byte bound."""
        entries = []
        for path in self.cache_dir.glob("*.docx"):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.cache_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size

    def _profile(self) -> Path:
        profile = self.cache_dir / "profile"
        settings = profile / "user" / "registrymodifications.xcu"
        if not settings.exists():
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text(_PROFILE_SETTINGS, encoding="utf-8")
        return profile

    def _convert(self, data: bytes, source_suffix: str) -> bytes:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        profile = self._profile()
        with tempfile.TemporaryDirectory(prefix="convert-", dir=self.cache_dir) as work:
            src = Path(work) / f"source{source_suffix}"
            src.write_bytes(data)
            out_dir = Path(work) / "out"
            command = [self.soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                       "--invisible", "--nologo", "--norestore", "--nolockcheck", "--nodefault",
                       "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(src)]
            env = dict(os.environ, HOME=work, SAL_USE_VCLPLUGIN="svp")
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, env=env, cwd=work, start_new_session=True)
            try:
                output, _ = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise ContentError(
                    f"converting the document took more than {self.timeout:g} s and was stopped; "
                    "save it as .docx",
                    "文档转换超时，已停止：请用 Word 或 WPS 另存为 .docx 后再放入") from None
            finally:
                _kill_group(proc)  # a helper process left behind must not linger
            self.conversions += 1
            result = out_dir / "source.docx"
            if proc.returncode != 0 or not result.is_file():
                log.warning("LibreOffice could not convert a %s file (exit %s): %s", source_suffix,
                            proc.returncode, output.decode("utf-8", "replace")[-300:].strip())
                raise _refuse("LibreOffice could not convert the file (damaged or password-protected?)")
            if result.stat().st_size > _MAX_OUTPUT:
                raise _refuse("the converted document is too large")
            return result.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _refuse(detail: str) -> ContentError:
    return ContentError(f"{detail}; save it as .docx and copy it again",
                        "文档无法转换（可能已损坏或设置了密码）：请用 Word 或 WPS 另存为 .docx 后再放入")
