"""Size limits for content (configurable under ``limits:`` in player.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from player.model.problems import ContentError

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upper bounds that protect the player from files it cannot show well."""

    text_bytes: int = 1 * MIB
    image_bytes: int = 20 * MIB
    image_pixels: int = 40_000_000
    files: int = 10_000
    #: Address space of the sandbox worker that decodes pictures and documents.
    worker_bytes: int = 768 * MIB
    #: Documents (.docx .pdf .xlsx …): the file itself, pages of a PDF, what a zip
    #: container (docx/xlsx) may unpack to in all and the largest ratio of one member.
    document_bytes: int = 50 * MIB
    pdf_pages: int = 500
    unzipped_bytes: int = 200 * MIB
    zip_ratio: int = 200
    #: Cells read from one sheet of a workbook (rows x used columns).
    sheet_cells: int = 1_000_000

    def check_size(self, size: int, is_image: bool) -> None:
        """Refuse a file that is too big, before it is read.

        Raises:
            ContentError: over the limit for its kind.
        """
        limit = self.image_bytes if is_image else self.text_bytes
        if size > limit:
            what, what_zh = ("picture", "图片") if is_image else ("text file", "文字文件")
            raise ContentError(
                f"{what} is {size / MIB:.1f} MiB, over the {limit / MIB:g} MiB limit; "
                + ("save it smaller (e.g. 1920 px wide, JPEG)" if is_image else "split it into several notices"),
                f"{what_zh}大小为 {size / MIB:.1f} MB，超过 {limit / MIB:g} MB 的上限：" +
                ("请缩小图片（如宽 1920 像素的 JPG）后再放入" if is_image else "请拆分成几个公告文件"))

    def check_document(self, size: int) -> None:
        """Refuse a document (Word, PDF, Excel) that is too big, before it is read.

        Raises:
            ContentError: over ``document_bytes``.
        """
        if size > self.document_bytes:
            raise ContentError(
                f"document is {size / MIB:.1f} MiB, over the {self.document_bytes / MIB:g} MiB limit; "
                "split it or save it without embedded pictures",
                f"文档大小为 {size / MIB:.1f} MB，超过 {self.document_bytes / MIB:g} MB 的上限："
                "请拆分成几个文件，或压缩其中的图片后再放入")

    def check_pixels(self, width: int, height: int) -> None:
        """Refuse a picture whose decoded size would be too large.

        Raises:
            ContentError: over the pixel limit.
        """
        if width * height > self.image_pixels:
            raise ContentError(
                f"picture is {width}x{height} ({width * height / 1e6:.1f} megapixels), over the "
                f"{self.image_pixels / 1e6:g} megapixel limit; resize it (e.g. to 1920 px wide)",
                f"图片尺寸为 {width}×{height}，超过 {self.image_pixels / 1e6:g} 百万像素的上限："
                "请缩小图片（如宽 1920 像素）后再放入")
