"""Word ``.docx`` -> a :class:`~player.model.draft.Draft` (runs in the sandbox).

python-docx opens the package (after :func:`~player.model.container.check_zip` checked
it, so nothing is decompressed beyond the limits); the body is read from its XML in
document order:

- **paragraphs** keep their bold runs; Heading styles (and outline levels) give heading
  levels 1-4; the ladder 一、（一）1.（1）in the text gives levels as in ``.txt``
  (:func:`~player.model.textdoc.ladder_block`); numbered and bulleted paragraphs become
  list items with Word's marker;
- **title**: the Title style, else the first centred paragraph near the top that is
  larger or bold (preferring one that reads like a 公文 title, 关于……的通知); centred
  lines above it (the red letterhead, 文号) are left out with a note; else the
  core-properties title; else None (the caller uses the file name);
- **落款 and date**: right-aligned paragraphs at the end, and a trailing date line
  with its signature, become :class:`~player.model.notice.Closing` lines;
- **tables** keep merged cells; a first row merged across the whole table is its
  caption; **inline pictures** come back as bytes with an :class:`ImageRef`;
- **tracked changes** are shown as accepted (``w:ins`` kept, ``w:del`` dropped);
  page breaks, headers, footers, comments, footnotes, field instructions, hidden text
  and text boxes are ignored.
"""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass, field

from player.model.container import Kind, check_zip, refuse_corrupt, refuse_password, sniff
from player.model.docxstyle import W, Numbering, StyleBook, on, wval
from player.model.docxtable import table_from_xml
from player.model.draft import Draft, ImageRef
from player.model.limits import Limits
from player.model.notice import Block, Closing, Heading, ListItem, Note, Paragraph, Span, TableBlock
from player.model.problems import ContentError
from player.model.textdoc import closing_blocks, ladder_block

_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
#: Elements whose content is not shown: deletions, moved-away text, properties.
_SKIP = {W + n for n in ("del", "moveFrom", "pPr", "rPr", "customXmlDelRangeStart")}
_TITLE_WORDS = ("通知", "公告", "通告", "决定", "意见", "办法", "方案", "报告", "公示", "指南", "须知",
                "规定", "细则", "决议", "纪要", "函", "批复", "通报", "倡议书", "告知书", "标准", "清单")
MAX_IMAGES = 50
MAX_IMAGE_BYTES = 20 * 1024 * 1024


@dataclass
class _Para:
    spans: list[Span]
    align: str | None
    size: float
    heading: int | None = None
    title_style: bool = False
    marker: str | None = None
    images: list[int] = field(default_factory=list)
    caption_style: bool = False

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans).strip()


def parse_docx(data: bytes, limits: Limits) -> Draft:
    """Parse a Word document (the sandbox job for ``.docx``/``.docm``; macros are data).

    Raises:
        ContentError: password-protected, damaged, a zip bomb, or no text at all.
    """
    kind = sniff(data)
    if kind is Kind.ENCRYPTED:
        raise refuse_password("Word 文档")
    if kind is not Kind.ZIP:
        raise refuse_corrupt("not a Word 2007+ package", "Word 文档")
    check_zip(data, limits, "Word 文档")
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise refuse_corrupt(str(exc)[:80] or type(exc).__name__, "Word 文档") from None
    except Exception as exc:  # noqa: BLE001 - lxml and python-docx raise many kinds on bad XML
        raise refuse_corrupt(f"{type(exc).__name__}: {str(exc)[:80]}", "Word 文档") from None
    return _Reader(document).draft()


class _Reader:
    def __init__(self, document) -> None:
        self.document = document
        part = document.part
        self.styles = StyleBook(_root(lambda: part.styles.element))
        self.numbering = Numbering(_root(lambda: part.numbering_part.element))
        self.related = part.related_parts
        self.images: list[bytes] = []
        self.notes: list[Note] = []

    def draft(self) -> Draft:
        items = list(self._body_items(self.document.element.body))
        title, items = self._title(items)
        blocks = self._blocks(items)
        if not blocks and not title:
            raise ContentError("the document has no text; write the notice or remove the file",
                               "Word 文档里没有文字：请写入公告内容，或删除该文件")
        return Draft(title, tuple(blocks), images=tuple(self.images), notes=tuple(self.notes))

    # -- reading the XML -----------------------------------------------------------------

    def _body_items(self, container):
        for child in container:
            if child.tag == W + "p":
                yield self._paragraph(child)
            elif child.tag == W + "tbl":
                table = table_from_xml(child, self._cell_text)
                if table is not None:
                    yield table
                else:  # a one-column or one-row layout table: its paragraphs as text
                    for p in child.iter(W + "p"):
                        yield self._paragraph(p)
            elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "moveTo"):
                yield from self._body_items(child)

    def _cell_text(self, tc) -> str:
        return " ".join(t for t in (self._paragraph(p, images=False).text for p in tc.iter(W + "p")) if t)

    def _paragraph(self, p, images: bool = True) -> _Para:
        ppr = p.find(W + "pPr")
        style_el = ppr.find(W + "pStyle") if ppr is not None else None
        info = self.styles.info(style_el.get(W + "val") if style_el is not None else None)
        para = _Para([], wval(ppr, "jc") or info.align, info.size_pt or self.styles.default_size,
                     heading=self.styles.heading_level(info), title_style=StyleBook.is_title(info),
                     caption_style=info.name.strip().lower() in ("caption", "题注"))
        outline = wval(ppr, "outlineLvl")
        if outline and outline.isdigit() and int(outline) < 9:
            para.heading = max(1, min(4, int(outline) + 1))
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        num_id, level = info.numbering or (None, 0)
        if numpr is not None:
            ilvl = wval(numpr, "ilvl")
            num_id = wval(numpr, "numId") or num_id
            level = int(ilvl) if ilvl and ilvl.isdigit() else level
        if num_id and num_id != "0" and para.heading is None and images:
            para.marker = self.numbering.marker(num_id, level)
        sizes: list[float] = []
        self._walk(p, para, info.bold, sizes, images)
        if sizes:
            para.size = max(sizes)
        para.spans = _merge(para.spans)
        return para

    def _walk(self, element, para: _Para, style_bold: bool | None, sizes: list[float], images: bool) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == W + "r":
                self._run(child, para, style_bold, sizes, images)
            elif tag == _MC + "AlternateContent":
                choice = child.find(_MC + "Choice")
                self._walk(choice if choice is not None else child, para, style_bold, sizes, images)
            elif isinstance(tag, str):
                self._walk(child, para, style_bold, sizes, images)

    def _run(self, r, para: _Para, style_bold: bool | None, sizes: list[float], images: bool) -> None:
        rpr = r.find(W + "rPr")
        if on(wval(rpr, "vanish")):
            return
        bold = on(wval(rpr, "b"))
        if bold is None:
            cstyle = rpr.find(W + "rStyle") if rpr is not None else None
            bold = self.styles.char_bold(cstyle.get(W + "val")) if cstyle is not None else None
        if bold is None:
            bold = bool(style_bold)
        size = wval(rpr, "sz")
        text: list[str] = []
        for child in r:
            tag = child.tag
            if tag == W + "t":
                text.append(child.text or "")
            elif tag in (W + "tab", W + "cr") or (tag == W + "br" and child.get(W + "type") not in
                                                   ("page", "column")):
                text.append(" ")
            elif tag == W + "noBreakHyphen":
                text.append("-")
            elif images and tag in (W + "drawing", W + "pict", W + "object", _MC + "AlternateContent"):
                self._pictures(child, para)
        joined = "".join(text)
        if joined:
            para.spans.append(Span(joined, bold))
            if size and size.isdigit() and joined.strip():
                sizes.append(int(size) / 2)

    def _pictures(self, element, para: _Para) -> None:
        if element.tag == _MC + "AlternateContent":
            choice = element.find(_MC + "Choice")
            element = choice if choice is not None else element
        refs = [b.get(_R + "embed") for b in element.iter(_A_BLIP)]
        refs += [v.get(_R + "id") for v in element.iter(_V_IMAGEDATA)]
        for ref in dict.fromkeys(r for r in refs if r):
            part = self.related.get(ref)
            blob = getattr(part, "blob", None)
            if not blob or len(self.images) >= MAX_IMAGES or len(blob) > MAX_IMAGE_BYTES:
                continue
            para.images.append(len(self.images))
            self.images.append(blob)

    # -- deciding what the paragraphs are --------------------------------------------------

    def _title(self, items: list) -> tuple[str | None, list]:
        paras = [(i, it) for i, it in enumerate(items) if isinstance(it, _Para) and it.text]
        for i, para in paras:
            if para.title_style:
                return para.text, items[:i] + items[i + 1:]
        body_size = statistics.median([p.size for _, p in paras]) if paras else 0
        leading = []
        for i, para in paras[:6]:
            if para.align != "center" or para.heading is not None and para.heading > 1:
                break
            leading.append((i, para))
        candidates = [(i, p) for i, p in leading if p.size > body_size + 0.5 or all(s.bold for s in p.spans
                                                                                   if s.text.strip())]
        if candidates:
            worded = [(i, p) for i, p in candidates if p.text.startswith("关于") or p.text.endswith(_TITLE_WORDS)]
            index, para = (worded or [max(candidates, key=lambda c: c[1].size)])[0]
            # Consecutive centred lines of the same size are one title broken by hand.
            parts = [para.text]
            taken = {index}
            for i, p in leading:
                if i == max(taken) + 1 and abs(p.size - para.size) < 0.5:
                    parts.append(p.text)
                    taken.add(i)
            dropped = [i for i, _p in leading if i < index]
            if dropped:
                self.notes.append(Note(
                    f"{len(dropped)} centred line(s) above the title (letterhead, 文号) are not shown",
                    "标题上方居中的文头（发文机关标志、文号）未在屏幕上显示"))
            skip = taken | set(dropped)
            return "".join(parts), [it for i, it in enumerate(items) if i not in skip]
        core = (self.document.core_properties.title or "").strip()
        return core or None, items

    def _blocks(self, items: list) -> list[Block | ImageRef]:
        blocks: list[Block | ImageRef] = []
        last_text = max((i for i, it in enumerate(items) if not isinstance(it, _Para) or it.text or it.images),
                        default=-1)
        closing_from = last_text + 1
        while closing_from - 1 >= 0 and last_text - closing_from < 2:
            it = items[closing_from - 1]
            if isinstance(it, _Para) and it.text and it.align in ("right", "end") and not it.images:
                closing_from -= 1
            else:
                break
        captions: set[int] = set()
        for index, item in enumerate(items):
            if not isinstance(item, _Para):
                blocks.append(TableBlock(item))
                continue
            if index in captions:
                continue
            if index >= closing_from and item.text:
                blocks.append(Closing(item.text))
                continue
            if item.images:
                caption = self._caption(items, index)
                if caption is not None and caption != item.text:
                    captions.add(index + 1)
                if item.text and caption is None:
                    blocks.append(self._text_block(item))
                blocks.extend(ImageRef(n, caption) for n in item.images)
                continue
            if not item.text:
                continue
            block = self._text_block(item)
            if (not blocks and isinstance(block, Paragraph) and item.text.endswith(("：", ":"))
                    and len(item.text) <= 40):
                block = Paragraph(block.spans, indent=False)  # 主送机关 (各社区居委会：) is flush left
            blocks.append(block)
        tail = [b for b in blocks if isinstance(b, (Heading, Paragraph, ListItem, Closing))]
        if tail and not isinstance(blocks[-1], Closing) and isinstance(blocks[-1], Paragraph):
            start = len(blocks) - 1
            while start > 0 and isinstance(blocks[start - 1], Paragraph):
                start -= 1
            blocks[start:] = closing_blocks(blocks[start:])
        return blocks

    @staticmethod
    def _caption(items: list, index: int) -> str | None:
        own = items[index]
        if own.text and own.align == "center" and len(own.text) <= 40:
            return own.text
        after = items[index + 1] if index + 1 < len(items) else None
        if isinstance(after, _Para) and after.text and not after.images and (
                after.caption_style or (after.align == "center" and len(after.text) <= 40
                                        and after.text.startswith(("图", "附图", "照片")))):
            return after.text
        return None

    @staticmethod
    def _text_block(para: _Para) -> Block:
        spans = tuple(Span(s.text.strip("\u3000 ") if i == 0 else s.text, s.bold)
                      for i, s in enumerate(para.spans))
        spans = tuple(s for s in spans if s.text)
        if para.heading is not None:
            return Heading(spans, para.heading)
        if para.marker is not None:
            return ListItem(spans, para.marker)
        return ladder_block(spans, indent=para.align not in ("center", "right", "end"))


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if out and out[-1].bold == span.bold:
            out[-1] = Span(out[-1].text + span.text, span.bold)
        elif span.text:
            out.append(span)
    return out


def _root(get):
    try:
        return get()
    except (KeyError, NotImplementedError, AttributeError):
        return None
