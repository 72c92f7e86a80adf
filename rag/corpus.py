"""Parse a corpus into essays and heading-delimited sections, with source offsets.

Two shapes are understood, in every format rag/formats.py reads (.txt, .md, .docx, .pdf):
- a compilation file with a table of contents (目录) listing each essay's title, author
  role and section headings, each TOC line ending in a page number; the TOC tells us the
  titles and authors, so nothing about this particular corpus is hard-coded;
- a file without a TOC: one essay, first line the title.
A folder holds such files; its subfolders (one level) are collections, e.g. one per cohort,
and a file's source name is its path below the folder ("2024春/张三.docx").

Headings are found by rag/sections.py.

Every offset indexes the decoded text of its source file, so `text[start:end]` is exact.
Leaves out: chunking (chunk.py) and any rewriting of the text — quirks such as ASCII
commas or a blank where a word was removed are kept as they are.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from rag.formats import SUFFIXES, CorpusError, Document, read_document
from rag.schema import Corpus, Essay
from rag.sections import SENTENCE_END, heading_text, lines_of, marker_kind, split_sections, squash

TOC_MARK = "目录"

@dataclass(frozen=True)
class TocEntry:
    title: str
    author: str
    headings: tuple[str, ...]
    pages: tuple[tuple[str, int], ...] = ()  # ("" for the title, or a heading; its page)


_PAGE = re.compile(r"(\d+)\s*$")


def _strip_page(line: str) -> tuple[str, int | None]:
    """(the line without its page number, the page number or None)."""
    m = _PAGE.search(line.strip())
    return (line.strip()[: m.start()], int(m.group(1))) if m else (line.strip(), None)


def parse_toc(lines: list[str]) -> list[TocEntry]:
    """Essays listed in a table of contents; the line after a title is its author role; each
    line's page number is kept for the title and the headings.

    >>> entries = parse_toc(["标题甲1", "局长2", "一、总体感受3", "标题乙4", "书记4"])
    >>> entries[1]
    TocEntry(title='标题乙', author='书记', headings=(), pages=(('', 4),))
    >>> entries[0].pages
    (('', 1), ('一、总体感受', 3))
    """
    entries: list[TocEntry] = []
    title: tuple[str, int | None] | None = None
    for raw in lines:
        line, page = _strip_page(raw)
        if not line:
            continue
        if marker_kind(line) is not None and entries:
            last = entries[-1]
            pages = last.pages + (((line, page),) if page is not None else ())
            entries[-1] = TocEntry(last.title, last.author, last.headings + (line,), pages)
        elif title is None:
            title = (line, page)
        else:
            entries.append(TocEntry(title[0], line, (), (("", title[1]),) if title[1] is not None else ()))
            title = None
    return entries


def parse_compilation(text: str, source: str, first: int = 1, collection: str = "") -> list[Essay]:
    lines = lines_of(text)
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
            if squash(lines[i][1]) == squash(entry.title):
                j = i + 1
                while j < len(lines) and not lines[j][1].strip():
                    j += 1
                if j < len(lines) and squash(lines[j][1]) == squash(entry.author):
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
        headings = {squash(h) for h in entry.headings}
        essays.append(Essay(first + n - 1, entry.title, entry.author, source, body, end,
                            split_sections(text, body, end, headings), collection, dict(entry.pages)))
    return essays


# ---------------------------------------------------------------- single essays / folders


def _looks_like_author(line: str) -> bool:
    s = line.strip()
    return (0 < len(s) <= 24 and marker_kind(s) is None and not s.startswith("#")
            and not any(c in SENTENCE_END + ",，:：" for c in s))


def parse_single(text: str, source: str, number: int, headings: frozenset[str] = frozenset(),
                 collection: str = "") -> Essay:
    """One essay: first non-empty line the title, then an author role if the next line is one;
    `headings` are lines the file marks as headings (a Word heading style)."""
    lines = [(o, line) for o, line in lines_of(text) if line.strip()]
    if not lines:
        raise CorpusError(f"{source} 是空文件")
    title = heading_text(lines[0][1])
    author, body_line = "", 1
    if len(lines) > 1 and _looks_like_author(lines[1][1]) and squash(lines[1][1]) not in headings:
        author, body_line = lines[1][1].strip(), 2
    start = lines[body_line][0] if body_line < len(lines) else len(text)
    return Essay(number, title, author, source, start, len(text),
                 split_sections(text, start, len(text), set(headings)), collection)


def corpus_files(folder: Path) -> list[tuple[str, Path]]:
    """(source name, path) of the corpus files in `folder` and in its subfolders (collections),
    sorted; hidden files, Word's lock files (~$…) and links leading outside the folder are skipped."""
    root = folder.resolve()
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if len(relative.parts) > 2 or any(p.startswith((".", "~$")) for p in relative.parts):
            continue
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        if root not in path.resolve().parents:
            warnings.warn(f"{relative.as_posix()} 是指向文件夹外的链接，已跳过", stacklevel=2)
            continue
        found.append((relative.as_posix(), path))
    return found


def read_documents(path: Path) -> tuple[dict[str, Document], list[str]]:
    """The corpus's files read (source name → Document) and warnings about the files skipped."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"语料路径不存在：{path}")
    if not path.is_dir():
        return {path.name: read_document(path)}, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = corpus_files(path)
    notes = [str(w.message) for w in caught]
    documents: dict[str, Document] = {}
    for name, file in files:
        try:
            documents[name] = read_document(file, name)
        except CorpusError as exc:
            notes.append(str(exc))
    if not documents:
        raise CorpusError(f"文件夹 {path} 中没有可用的文章（{'、'.join(SUFFIXES)}）")
    return documents, notes


def read_sources(path: Path) -> tuple[dict[str, str], list[str]]:
    """Decoded texts of the corpus files (name → text) and warnings about skipped files."""
    documents, notes = read_documents(path)
    return {name: d.text for name, d in documents.items()}, notes


def source_files(path: Path) -> list[tuple[str, Path]]:
    """(source name, path) of a corpus: a folder's files (corpus_files), or the one file."""
    path = Path(path)
    return corpus_files(path) if path.is_dir() else [(path.name, path)]


def file_digests(path: Path) -> dict[str, str]:
    """SHA-256 of each corpus file's bytes, by source name: what changed, without reading any
    file as an essay (cheap, even for Word and PDF)."""
    return {name: hashlib.sha256(file.read_bytes()).hexdigest() for name, file in source_files(path)}


def fingerprint(texts: dict[str, str]) -> str:
    """SHA-256 over the decoded sources, independent of where the corpus lives."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    return digest.hexdigest()


def collection_of(source: str) -> str:
    """The collection a source belongs to: its subfolder, or "" at the top of the corpus folder."""
    return source.split("/", 1)[0] if "/" in source else ""


def essays_of(document: Document, source: str, first: int) -> list[Essay]:
    """The essays of one file, numbered from `first`: all those its 目录 lists, or the file as one."""
    text = document.text
    has_toc = any(line.strip() == TOC_MARK for _, line in lines_of(text)[:50])
    if has_toc:
        return parse_compilation(text, source, first, collection_of(source))
    return [parse_single(text, source, first, document.headings, collection_of(source))]


def load_corpus(path: Path) -> Corpus:
    """Read a compilation file, a single-essay file or a folder of essays (with collections)."""
    documents, notes = read_documents(path)
    essays: list[Essay] = []
    for name, document in list(documents.items()):
        try:
            essays += essays_of(document, name, len(essays) + 1)
        except CorpusError as exc:
            if not Path(path).is_dir():
                raise
            notes.append(str(exc))
            del documents[name]
    if not essays:
        raise CorpusError(f"{path} 中没有可用的文章")
    texts = {name: d.text for name, d in documents.items()}
    return Corpus(essays, texts, fingerprint(texts), notes, {name: d.sha256 for name, d in documents.items()})
