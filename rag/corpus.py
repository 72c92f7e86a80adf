"""Parse a corpus into essays and heading-delimited sections, with source offsets.

Two shapes are understood:
- a compilation file with a table of contents (目录) listing each essay's title, author
  role and section headings, each TOC line ending in a page number; the TOC tells us the
  titles and authors, so nothing about this particular corpus is hard-coded;
- a folder of `.txt`/`.md` files, one essay per file, first line the title.
A single file without a TOC is read as one essay.

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

from rag.schema import Corpus, Essay
from rag.sections import SENTENCE_END, heading_text, lines_of, marker_kind, split_sections, squash

TOC_MARK = "目录"
CORPUS_SUFFIXES = (".txt", ".md")
# An essay is tens of kilobytes; a file this large would take hours to embed on a CPU.
MAX_FILE_BYTES = 5 * 2**20


class CorpusError(ValueError):
    """The corpus cannot be read at all (message in Chinese, for people)."""


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
    lines = [(o, line) for o, line in lines_of(text) if line.strip()]
    if not lines:
        raise CorpusError(f"{source} 是空文件")
    title = heading_text(lines[0][1])
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
        has_toc = any(line.strip() == TOC_MARK for _, line in lines_of(text)[:50])
        essays = parse_compilation(text, name) if has_toc else [parse_single(text, name, 1)]
    return Corpus(essays, texts, fingerprint(texts), notes)
