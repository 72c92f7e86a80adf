"""One essay file as text: `.txt` and `.md` decoded, `.docx` (python-docx) and `.pdf` (pypdf)
extracted. The extracted text is what the index keeps and every offset points into, so
citations and context work alike for every format.

- `.docx`: paragraphs and tables (a row per line, cells joined by " | ") in document order; a
  paragraph in a heading style (Heading 1-3, 标题 1-3) is a section heading; the title is the
  document's title property, else its first line.
- `.pdf`: pages in order; page numbers and the running header or footer repeated on most pages
  dropped; a line that fills the page's width and does not end a sentence is joined to the next
  (the line was broken by the layout, not by the writer). A PDF with no text (a scan) is refused.

Every file that cannot be read raises CorpusError with a Chinese message naming it.
Leaves out: where essays begin and end inside a text (corpus.py).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".md")
DOCUMENT_SUFFIXES = (".docx", ".pdf")
SUFFIXES = TEXT_SUFFIXES + DOCUMENT_SUFFIXES
# An essay is tens of kilobytes; a text this large would take hours to embed on a CPU.
MAX_TEXT_BYTES = 5 * 2**20
MAX_DOCUMENT_BYTES = 20 * 2**20  # Word and PDF files carry images and fonts too
_HEADING_STYLE = re.compile(r"^(heading|标题)\s*[1-3]$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^\s*(第\s*\d+\s*页(\s*/?\s*共\s*\d+\s*页)?|[-—–]?\s*\d+\s*[-—–]?|\d+\s*/\s*\d+)\s*$")
_LINE_ENDS_SENTENCE = re.compile(r"[。！？；：…”」』)）!?;:]\s*$")
FULL_LINE = 0.8  # a line at least this share of the page's longest line was wrapped by the layout


class CorpusError(ValueError):
    """A corpus file, or the whole corpus, cannot be read (message in Chinese, for people)."""


@dataclass
class Document:
    text: str
    headings: frozenset[str] = field(default_factory=frozenset)  # heading lines the file's styles mark
    sha256: str = ""  # of the file's bytes


def read_document(path: Path, name: str | None = None) -> Document:
    """The text of one corpus file, by its suffix; `name` is how messages call it."""
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(f"{name} 的格式不受支持（可用 {'、'.join(SUFFIXES)}），已跳过")
    limit = MAX_TEXT_BYTES if suffix in TEXT_SUFFIXES else MAX_DOCUMENT_BYTES
    size = path.stat().st_size
    if size > limit:
        raise CorpusError(f"{name} 有 {size / 2**20:.1f} MB，超过单个文件 {limit / 2**20:.0f} MB 的上限，已跳过")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".docx":
        document = _docx(data, name)
    elif suffix == ".pdf":
        document = Document(_pdf(data, name))
    else:
        document = Document(decode_text(data, name))
    if not document.text.strip():
        raise CorpusError(f"{name} 是空文件，已跳过")
    document.sha256 = digest
    return document


def decode_text(data: bytes, name: str) -> str:
    """A text file's bytes as UTF-8 (a BOM allowed); binary or other encodings refused."""
    if b"\x00" in data[:8192]:
        raise CorpusError(f"{name} 看起来是二进制文件，已跳过")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{name} 不是 UTF-8 编码（第 {exc.start} 字节），已跳过") from None


def _docx(data: bytes, name: str) -> Document:
    from docx import Document as open_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = open_docx(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx raises zip, XML and package errors alike
        raise CorpusError(f"{name} 无法打开，不是有效的 Word 文档（.docx），已跳过") from None
    lines: list[str] = []
    headings: set[str] = set()
    for element in doc.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, doc)
            text = paragraph.text.replace("\n", " ").rstrip()
            style = paragraph.style.name if paragraph.style is not None else ""
            if text.strip() and _HEADING_STYLE.match(style.strip()):
                headings.add(re.sub(r"\s+", "", text))
            lines.append(text)
        elif tag == "tbl":
            for row in Table(element, doc).rows:
                cells = [c.text.replace("\n", " ").strip() for c in row.cells]
                lines.append(" | ".join(dict.fromkeys(c for c in cells if c)))  # merged cells repeat
    title = (doc.core_properties.title or "").strip()
    first = next((line.strip() for line in lines if line.strip()), "")
    if title and re.sub(r"\s+", "", title) != re.sub(r"\s+", "", first):
        lines.insert(0, title)
    return Document("\n".join(lines), frozenset(headings))


def _pdf(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(f"{name} 已加密，无法读取，已跳过")
        pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
    except CorpusError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        message = "已加密，无法读取" if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower() \
            else "无法解析（文件损坏或不是 PDF）"
        raise CorpusError(f"{name} {message}，已跳过") from None
    text = pdf_text(pages)
    if not text.strip():  # not even a line beyond page numbers
        raise CorpusError(f"{name} 未能提取文字，可能是扫描件，已跳过")
    return text


def pdf_text(pages: list[list[str]]) -> str:
    """The text of a PDF's pages (each a list of lines): page numbers and running headers and
    footers dropped, lines broken by the layout joined.

    >>> pdf_text([["会议纪要", "村里修了一条长长的路,", "方便出行。", "1"],
    ...           ["会议纪要", "第二段。", "2"]])
    '村里修了一条长长的路,方便出行。\\n第二段。'
    """
    pages = [[line.strip() for line in page if line.strip()] for page in pages]
    pages = [[line for line in page if not _PAGE_NUMBER.match(line)] for page in pages]
    if len(pages) >= 2:
        # A first or last line repeated (numbers aside) on most pages is a running header or footer.
        def key(line: str) -> str:
            return re.sub(r"\d+", "#", line)

        edges = Counter(key(line) for page in pages for line in {page[0], page[-1]} if page)
        running = {k for k, n in edges.items() if n >= max(2, 0.6 * len(pages))}
        pages = [[line for i, line in enumerate(page) if not ((i == 0 or i == len(page) - 1) and key(line) in running)]
                 for page in pages]
    out: list[str] = []
    joining = False
    for page in pages:
        width = max((len(line) for line in page), default=0)
        for line in page:
            if joining and out:
                out[-1] += line
            else:
                out.append(line)
            joining = len(line) >= FULL_LINE * width and not _LINE_ENDS_SENTENCE.search(line)
    return "\n".join(out)
