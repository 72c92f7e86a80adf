"""Parse a corpus into essays and heading-delimited sections, with source offsets.

Two shapes are understood:
- a compilation file with a table of contents (目录) listing each essay's title, author
  role and section headings, each TOC line ending in a page number; the TOC tells us the
  titles and authors, so nothing about this particular corpus is hard-coded;
- a folder of `.txt`/`.md` files, one essay per file, first line the title.
A single file without a TOC is read as one essay.

Headings are recognised by their markers: `一、…` (a line, or the first sentence of a
paragraph), `(一)…` lines, short `一是…` lines, and enumerations inside a paragraph
(`一是…。`, `1.…。`), which last only to the end of that paragraph. Markdown `#` lines
count as headings in any file.

Every offset indexes the decoded text of its source file, so `text[start:end]` is exact.
Leaves out: chunking (chunk.py) and any rewriting of the text — quirks such as ASCII
commas or a blank where a word was removed are kept as they are.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from rag.text import ORDINALS
from rag.text import SENTENCE_END as TEXT_SENTENCE_END

NUMERALS = ORDINALS
SENTENCE_END = TEXT_SENTENCE_END + "…"
# Marker kinds, used as stack keys when nesting headings.
MARKER_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("dun", re.compile(rf"^[{NUMERALS}]+、")),
    ("paren", re.compile(rf"^[(（][{NUMERALS}]+[)）]")),
    ("shi", re.compile(rf"^[{NUMERALS}]+是")),
    ("digit", re.compile(r"^\d{1,2}[.．、](?!\d)")),
)
MAX_HEADING_LINE = 60  # a standalone heading line is short and has no full stop inside
MAX_OPENING_HEADING = 40  # a paragraph-opening heading sentence is at most this long
TOC_MARK = "目录"
CORPUS_SUFFIXES = (".txt", ".md")
# An essay is tens of kilobytes; a file this large would take hours to embed on a CPU.
MAX_FILE_BYTES = 5 * 2**20


class CorpusError(ValueError):
    """The corpus cannot be read at all (message in Chinese, for people)."""


@dataclass(frozen=True)
class Section:
    heading_path: tuple[str, ...]  # below the essay title; empty for the opening text
    start: int
    end: int


@dataclass
class Essay:
    number: int
    title: str
    author: str
    source: str  # file name the offsets refer to
    start: int  # first character of the body (after title and author lines)
    end: int
    sections: list[Section] = field(default_factory=list)


@dataclass
class Corpus:
    essays: list[Essay]
    texts: dict[str, str]  # source name → decoded text
    sha256: str
    warnings: list[str] = field(default_factory=list)

    def text_of(self, essay: Essay) -> str:
        return self.texts[essay.source]


def marker_kind(text: str) -> str | None:
    """The heading marker `text` starts with, if any.

    >>> marker_kind("(二)着力提升养老服务水平"), marker_kind("五月")
    ('paren', None)
    """
    for kind, pattern in MARKER_PATTERNS:
        if pattern.match(text):
            return kind
    return None


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line without its newline) for every line."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((pos, raw.rstrip("\r\n")))
        pos += len(raw)
    return out


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _first_sentence_end(text: str, begin: int = 0) -> int:
    """Index just past the first sentence-ending mark at or after `begin`, or -1."""
    for i in range(begin, len(text)):
        if text[i] in SENTENCE_END:
            return i + 1
    return -1


def _is_heading_line(line: str, toc_headings: set[str]) -> str | None:
    stripped = line.strip()
    if not stripped:
        return None
    if _squash(stripped) in toc_headings:
        return marker_kind(stripped) or "toc"
    if stripped.startswith("#"):
        return "md" + str(len(stripped) - len(stripped.lstrip("#")))
    kind = marker_kind(stripped)
    if kind is None or kind == "digit" or len(stripped) > MAX_HEADING_LINE:
        return None
    body = stripped.rstrip(SENTENCE_END)
    if any(ch in SENTENCE_END for ch in body):
        return None
    return kind


def _heading_text(text: str) -> str:
    return text.strip().lstrip("#").strip().rstrip(SENTENCE_END + "：:")


def _inline_headings(paragraph: str) -> list[tuple[int, str, str]]:
    """(offset in paragraph, marker kind, heading text) of enumerations inside a paragraph.

    An enumeration is a sentence that starts with `一是`/`1.` right after a sentence end,
    a colon or the paragraph start. Its heading is the sentence, or its first clause when
    the sentence is long.

    >>> _inline_headings("总述。一是规划先行。内容。二是产业融合,提供支撑。")[1][2]
    '二是产业融合,提供支撑'
    """
    found = []
    starts = [0] + [m.end() for m in re.finditer(rf"[{SENTENCE_END}：:][”’」』)）]*", paragraph)]
    for s in starts:
        rest = paragraph[s:]
        kind = marker_kind(rest)
        if kind not in ("shi", "digit"):
            continue
        end = _first_sentence_end(rest)
        sentence = rest[: end if end > 0 else len(rest)]
        if len(sentence) > MAX_OPENING_HEADING:
            sentence = re.split(r"[,，]", sentence, maxsplit=1)[0]
        found.append((s, kind, _heading_text(sentence)))
    return found


class _HeadingStack:
    """The current heading path; a marker kind already on the stack replaces that level."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[str, bool], str]] = []

    def push(self, kind: str, inline: bool, text: str) -> None:
        key = (kind, inline)
        for i, (k, _) in enumerate(self.items):
            if k == key:
                del self.items[i:]
                break
        self.items.append((key, text))

    def end_paragraph(self) -> bool:
        """Drop the headings that lived inside the last paragraph; True if any did."""
        kept = [item for item in self.items if not item[0][1]]
        changed = len(kept) != len(self.items)
        self.items = kept
        return changed

    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.items)


def split_sections(text: str, start: int, end: int, toc_headings: set[str] = frozenset()) -> list[Section]:
    """Sections of `text[start:end]`, each from one heading to the next.

    A section holding nothing but its heading is merged into the section after it, so
    every section has content.
    """
    stack = _HeadingStack()
    cuts: list[tuple[int, tuple[str, ...]]] = [(start, ())]

    def cut(at: int) -> None:
        if cuts[-1][0] == at:
            cuts[-1] = (at, stack.path())
        else:
            cuts.append((at, stack.path()))

    for offset, line in _lines(text[start:end]):
        pos = start + offset
        if not line.strip():
            continue
        kind = _is_heading_line(line, toc_headings)
        if kind is not None:
            stack.end_paragraph()
            stack.push(kind, False, _heading_text(line))
            cut(pos)
            continue
        if stack.end_paragraph():
            cut(pos)
        inline = _inline_headings(line)
        opening = marker_kind(line)
        if opening == "dun":
            # `一、规划先行,奠定发展基础。乡村振兴,…`: the heading is the first sentence
            # and, having no line of its own, it lasts to the end of the paragraph.
            sentence_end = _first_sentence_end(line)
            if 0 < sentence_end <= MAX_OPENING_HEADING + 1:
                stack.push("dun", True, _heading_text(line[:sentence_end]))
                cut(pos)
        for rel, ikind, heading in inline:
            stack.push(ikind, True, heading)
            cut(pos + rel)
    sections = []
    bounds = cuts + [(end, ())]
    for (s, path), (e, _) in zip(bounds, bounds[1:], strict=False):
        if text[s:e].strip():
            sections.append(Section(path, s, e))
    return _merge_heading_only(text, sections)


def _merge_heading_only(text: str, sections: list[Section]) -> list[Section]:
    merged: list[Section] = []
    carry: int | None = None
    for sec in sections:
        start = sec.start if carry is None else carry
        carry = None
        body = text[sec.start : sec.end].strip()
        heading = sec.heading_path[-1] if sec.heading_path else ""
        if heading and _squash(body).rstrip(SENTENCE_END) == _squash(heading) and sec is not sections[-1]:
            carry = start
            continue
        merged.append(Section(sec.heading_path, start, sec.end))
    return merged


# ---------------------------------------------------------------- compilation file


@dataclass(frozen=True)
class TocEntry:
    title: str
    author: str
    headings: tuple[str, ...]


def _strip_page(line: str) -> str:
    return re.sub(r"\d+\s*$", "", line.strip())


def parse_toc(lines: list[str]) -> list[TocEntry]:
    """Essays listed in a table of contents; the line after a title is its author role.

    >>> parse_toc(["标题甲1", "局长2", "一、总体感受3", "标题乙4", "书记4"])[1]
    TocEntry(title='标题乙', author='书记', headings=())
    """
    entries: list[TocEntry] = []
    title: str | None = None
    for raw in lines:
        line = _strip_page(raw)
        if not line:
            continue
        if marker_kind(line) is not None and entries:
            last = entries[-1]
            entries[-1] = TocEntry(last.title, last.author, last.headings + (line,))
        elif title is None:
            title = line
        else:
            entries.append(TocEntry(title, line, ()))
            title = None
    return entries


def parse_compilation(text: str, source: str) -> list[Essay]:
    lines = _lines(text)
    toc_at = next((i for i, (_, line) in enumerate(lines) if line.strip() == TOC_MARK), None)
    if toc_at is None:
        raise CorpusError(f"{source} 中没有找到目录")
    i = toc_at + 1
    toc_lines = []
    while i < len(lines) and re.search(r"\d\s*$", lines[i][1]):
        toc_lines.append(lines[i][1])
        i += 1
    entries = parse_toc(toc_lines)
    if not entries:
        raise CorpusError(f"{source} 的目录中没有找到文章标题")
    # Find each title line in the body, in order, followed by its author line.
    found: list[tuple[TocEntry, int, int]] = []  # entry, title line index, body start
    for entry in entries:
        while i < len(lines):
            if _squash(lines[i][1]) == _squash(entry.title):
                j = i + 1
                while j < len(lines) and not lines[j][1].strip():
                    j += 1
                if j < len(lines) and _squash(lines[j][1]) == _squash(entry.author):
                    body = lines[j + 1][0] if j + 1 < len(lines) else len(text)
                    found.append((entry, i, body))
                    i = j + 1
                    break
            i += 1
        else:
            raise CorpusError(f"{source} 中找不到目录所列的文章《{entry.title}》（{entry.author}）")
    essays = []
    for n, (entry, _title_line, body) in enumerate(found, start=1):
        end = lines[found[n][1]][0] if n < len(found) else len(text)
        headings = {_squash(h) for h in entry.headings}
        essays.append(
            Essay(n, entry.title, entry.author, source, body, end, split_sections(text, body, end, headings))
        )
    return essays


# ---------------------------------------------------------------- single essays / folders


def _looks_like_author(line: str) -> bool:
    s = line.strip()
    return (0 < len(s) <= 24 and marker_kind(s) is None and not s.startswith("#")
            and not any(c in SENTENCE_END + ",，:：" for c in s))


def parse_single(text: str, source: str, number: int) -> Essay:
    """One essay: first non-empty line the title, then an author role if the next line is one."""
    lines = [(o, line) for o, line in _lines(text) if line.strip()]
    if not lines:
        raise CorpusError(f"{source} 是空文件")
    title = _heading_text(lines[0][1])
    author, body_line = "", 1
    if len(lines) > 1 and _looks_like_author(lines[1][1]):
        author, body_line = lines[1][1].strip(), 2
    start = lines[body_line][0] if body_line < len(lines) else len(text)
    return Essay(number, title, author, source, start, len(text), split_sections(text, start, len(text)))


def read_text_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Decode a corpus file as UTF-8, refusing binary, empty and over-large files with a Chinese message.

    The size is checked before reading, so a huge file costs no memory.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise CorpusError(f"{path.name} 有 {size / 2**20:.1f} MB，"
                          f"超过单个文件 {max_bytes / 2**20:.0f} MB 的上限，已跳过")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise CorpusError(f"{path.name} 看起来是二进制文件，已跳过")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path.name} 不是 UTF-8 编码（第 {exc.start} 字节），已跳过") from None
    if not text.strip():
        raise CorpusError(f"{path.name} 是空文件，已跳过")
    return text


def corpus_files(folder: Path) -> list[Path]:
    """Corpus files directly in `folder`, sorted; symlinks leading outside it are not followed."""
    root = folder.resolve()
    files = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in CORPUS_SUFFIXES or not path.is_file():
            continue
        if path.is_symlink() and root not in path.resolve().parents:
            warnings.warn(f"{path.name} 是指向文件夹外的链接，已跳过", stacklevel=2)
            continue
        files.append(path)
    return files


def read_sources(path: Path) -> tuple[dict[str, str], list[str]]:
    """Decoded texts of the corpus files (name → text) and warnings about skipped files."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"语料路径不存在：{path}")
    if not path.is_dir():
        return {path.name: read_text_file(path)}, []
    texts: dict[str, str] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = corpus_files(path)
    notes = [str(w.message) for w in caught]
    for file in files:
        try:
            texts[file.name] = read_text_file(file)
        except CorpusError as exc:
            notes.append(str(exc))
    if not texts:
        raise CorpusError(f"文件夹 {path} 中没有可用的 .txt/.md 文章")
    return texts, notes


def fingerprint(texts: dict[str, str]) -> str:
    """SHA-256 over the decoded sources, independent of where the corpus lives."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    return digest.hexdigest()


def load_corpus(path: Path) -> Corpus:
    """Read a compilation file, a single-essay file or a folder of essays."""
    texts, notes = read_sources(path)
    if Path(path).is_dir():
        essays = []
        for name, text in list(texts.items()):
            try:
                essays.append(parse_single(text, name, len(essays) + 1))
            except CorpusError as exc:
                notes.append(str(exc))
                del texts[name]
    else:
        (name, text), = texts.items()
        has_toc = any(line.strip() == TOC_MARK for _, line in _lines(text)[:50])
        essays = parse_compilation(text, name) if has_toc else [parse_single(text, name, 1)]
    return Corpus(essays, texts, fingerprint(texts), notes)
