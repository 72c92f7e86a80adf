"""The essays as files in the corpus folder, managed from the UI's 资料管理 tab: what is there,
adding an uploaded file, removing one.

A file is added only after it has been read as an essay (the same reading `rag index` does), under
a name cleaned of anything that could lead outside the folder, and written whole or not at all.
Nothing is deleted: a removed or replaced file is moved to the hidden `.已移除/` folder (which
the corpus reader skips), from where it can be put back by hand.
Leaves out: reading the files (formats.py, corpus.py) and indexing them (build.py).
"""

from __future__ import annotations

import os
import re
import shutil
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rag.corpus import CorpusError, corpus_files, essays_of
from rag.formats import SUFFIXES, read_document

COLUMNS = ["#", "标题", "作者", "文集", "文件", "段落数"]  # of essay_rows
REMOVED = ".已移除"  # removed and replaced files, by time of removal (hidden: the reader skips it)
MAX_NAME_CHARS = 100
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')  # control characters and what Windows forbids in names


@dataclass(frozen=True)
class Added:
    source: str  # the file's name in the corpus, "collection/name" in a collection
    essays: int  # how many essays it holds
    replaced: bool  # a file of that name was there (and is now in REMOVED)


def clean_name(name: str, what: str = "文件名") -> str:
    """`name` as a single file or folder name: Unicode-normalised, unsafe characters dropped;
    a name with a path in it (/, \\, ..) or hidden (starting with . or ~$) is refused.

    >>> clean_name("  心得 体会?.docx ")
    '心得 体会.docx'
    >>> clean_name("../etc/passwd.txt")
    Traceback (most recent call last):
    ...
    rag.formats.CorpusError: 文件名“../etc/passwd.txt”含有路径，只能是单个名称，未加入语料
    """
    cleaned = _UNSAFE.sub("", unicodedata.normalize("NFC", name)).strip()
    if not cleaned:
        raise CorpusError(f"{what}“{name}”为空或只有不可用的字符，未加入语料")
    if "/" in cleaned or "\\" in cleaned or cleaned in (".", ".."):
        raise CorpusError(f"{what}“{name}”含有路径，只能是单个名称，未加入语料")
    if cleaned.startswith((".", "~$")):
        raise CorpusError(f"{what}“{name}”以 . 或 ~$ 开头（隐藏文件或 Word 临时文件），未加入语料")
    stem, suffix = os.path.splitext(cleaned)
    return stem[: MAX_NAME_CHARS - len(suffix)].strip() + suffix


def add_file(folder: Path, upload: Path, name: str, collection: str = "") -> Added:
    """Put the uploaded file `upload` into the corpus `folder` (in the subfolder `collection` if
    given) as `name`, once it reads as an essay; raise CorpusError naming the file if it does not."""
    folder = _corpus_folder(folder)
    name = clean_name(name)
    if os.path.splitext(name)[1].lower() not in SUFFIXES:
        raise CorpusError(f"{name} 的格式不受支持（可用 {'、'.join(SUFFIXES)}），未加入语料")
    subfolder = clean_name(collection, "文集名") if collection.strip() else ""
    source = f"{subfolder}/{name}" if subfolder else name
    try:
        essays = essays_of(read_document(Path(upload), name), source, 1)
    except CorpusError as exc:
        raise CorpusError(str(exc).removesuffix("，已跳过") + "，未加入语料") from None
    target = folder / source
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(f".upload-{os.getpid()}-{name}")  # hidden: the reader skips it
    try:
        shutil.copyfile(upload, partial)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CorpusError(f"{name} 无法写入语料文件夹（{exc.strerror}），未加入语料") from None
    replaced = target.exists()
    if replaced:
        _put_aside(folder, source)
    os.replace(partial, target)  # whole or not at all
    return Added(source, len(essays), replaced)


def remove_file(folder: Path, source: str) -> Path:
    """Take the corpus file `source` out of the corpus; return where it was put aside."""
    folder = _corpus_folder(folder)
    if source not in dict(corpus_files(folder)):
        raise CorpusError(f"语料中没有文件“{source}”")
    return _put_aside(folder, source)


def _put_aside(folder: Path, source: str) -> Path:
    aside = folder / REMOVED / time.strftime("%Y%m%d-%H%M%S") / source
    aside.parent.mkdir(parents=True, exist_ok=True)
    os.replace(folder / source, aside)
    return aside


def _corpus_folder(folder: Path) -> Path:
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"语料是单个文件（{folder.name}），不能在界面中增删文章；请把 RAG_CORPUS 设为一个文件夹")
    return folder


def collections(folder: Path) -> list[str]:
    """The corpus folder's collections (its subfolders holding essays), by name."""
    return sorted({source.split("/", 1)[0] for source, _ in corpus_files(folder) if "/" in source})


def essay_rows(index) -> list[list]:
    """One row per indexed essay: number, title, author line, collection, file, passages (COLUMNS)."""
    passages = Counter(c.essay for c in index.chunks)
    return [[e.number, e.title, e.author, e.collection or "（顶层）", e.source, passages[e.number]]
            for e in index.essays]
