"""What a document file really is, and whether its zip container is safe to open.

Office files are zips (``.docx .xlsx .odt``), OLE2 compound files (``.doc .xls``, most
WPS ``.wps .et`` files, and every *password-protected* ``.docx``/``.xlsx``: Office
encrypts the whole package into an OLE2 file with an ``EncryptedPackage`` stream), RTF
or PDF. Staff rename files freely, so the bytes decide, not the extension.

:func:`check_zip` looks at the zip's central directory only (nothing is decompressed)
and refuses, before python-docx or openpyxl read a byte: a corrupt zip, members that
would unpack to more than ``limits.unzipped_bytes`` in all, a member whose
compression ratio is over ``limits.zip_ratio`` (a zip bomb: a few kilobytes of
``<w:p/>`` that unpack to gigabytes), and more than :data:`MAX_MEMBERS` members.
Pure: no I/O beyond the bytes given.
"""

from __future__ import annotations

import enum
import io
import zipfile

from player.model.limits import MIB, Limits
from player.model.problems import ContentError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_MEMBERS = 5000
#: Members smaller than this are never refused for their ratio (tiny XML compresses well).
_RATIO_FLOOR = 1 * MIB


class Kind(enum.Enum):
    """The container a document's bytes are in."""

    ZIP = "zip"
    OLE2 = "ole2"            # .doc / .xls / WPS, or an encrypted OOXML package
    ENCRYPTED = "encrypted"  # OLE2 holding an EncryptedPackage (password-protected docx/xlsx)
    RTF = "rtf"
    PDF = "pdf"
    UNKNOWN = "unknown"


def sniff(data: bytes) -> Kind:
    """The container kind from the first bytes (and, for OLE2, its stream names)."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return Kind.ZIP
    if head == OLE2_MAGIC:
        # Stream names in the directory are UTF-16LE; an encrypted OOXML package has these.
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            return Kind.ENCRYPTED
        return Kind.OLE2
    if data.lstrip()[:5] == b"{\\rtf":
        return Kind.RTF
    if b"%PDF-" in data[:1024]:
        return Kind.PDF
    return Kind.UNKNOWN


def refuse_password(what_zh: str) -> ContentError:
    """The refusal of a password-protected file (the player has no password to open it)."""
    return ContentError(
        "the file is password-protected; save a copy without a password",
        f"{what_zh}设置了密码，播放器无法打开：请另存一份不带密码的文件后再放入")


def refuse_corrupt(detail: str, what_zh: str) -> ContentError:
    """The refusal of a damaged container."""
    return ContentError(
        f"the file is damaged or incomplete ({detail}); save it again and copy it once more",
        f"{what_zh}已损坏或不完整，无法打开：请重新保存后再复制一次")


def check_zip(data: bytes, limits: Limits, what_zh: str) -> zipfile.ZipFile:
    """Open a zip container after checking every member's declared sizes.

    Args:
        data: the file's bytes.
        limits: ``unzipped_bytes`` and ``zip_ratio``.
        what_zh: the kind of file in the staff hint (Word 文档, Excel 表格).

    Returns:
        The open zip (nothing decompressed yet).

    Raises:
        ContentError: not a zip, corrupt, encrypted members, too large unpacked, or a
            zip bomb.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise refuse_corrupt(f"not a readable zip: {str(exc)[:80]}", what_zh) from None
    if len(members) > MAX_MEMBERS:
        raise refuse_corrupt(f"{len(members)} parts in the package", what_zh)
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise refuse_password(what_zh)
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > _RATIO_FLOOR and ratio > limits.zip_ratio:
            raise _bomb(f"{info.filename} unpacks {ratio:.0f} times its packed size", what_zh)
    if total > limits.unzipped_bytes:
        raise _bomb(f"the package unpacks to {total / MIB:.0f} MiB, over the "
                    f"{limits.unzipped_bytes / MIB:g} MiB limit", what_zh)
    return archive


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """One member's bytes, never more than ``limit`` (declared sizes can lie).

    Raises:
        ContentError: the member is larger than it said, or damaged.
    """
    try:
        with archive.open(name) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise refuse_corrupt(f"{name}: {str(exc)[:80]}", "文件") from None
    if len(data) > limit:
        raise _bomb(f"{name} unpacks to more than {limit / MIB:g} MiB", "文件")
    return data


def _bomb(detail: str, what_zh: str) -> ContentError:
    return ContentError(
        f"the file is a zip bomb or far too large inside ({detail}); it is refused",
        f"{what_zh}内部数据异常庞大（可能是恶意的“压缩炸弹”），已拒绝：请检查文件来源，或重新保存一份正常的文件")
