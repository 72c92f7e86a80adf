"""The index on disk: its files, writing them, loading and checking them, and recovering from
a build that died half-way.

Files (no pickle anywhere):
  manifest.json         format version, package version, model, chunker settings, corpus
                        SHA-256, build time, counts, and the SHA-256 of every other file
  chunks.jsonl          one Chunk per line
  sentences.jsonl       sentence spans (source, start, end), for extractive answers
  dense.faiss           inner-product FAISS index over normalised chunk vectors (flat, or
                        HNSW for large corpora)
  sentence_vectors.npy  normalised sentence vectors, row i ↔ sentences.jsonl line i
  centroid.npy          the mean of every chunk and sentence vector (retrieval centres on it)
  bm25/                 bm25s index over jieba tokens (.npy + .json)
  bm25_terms.npy,       the BM25 vocabulary ids of each chunk (CSR: chunk i holds
  bm25_offsets.npy      terms[offsets[i]:offsets[i + 1]]), for document frequencies
  terms.txt             the user dictionary the BM25 tokens were made with (`word [tag]`)
  sources.json          the corpus texts, so a loaded index never depends on files that
                        may change while it serves
  essays.json           essays with their body spans and sections
  names.json            the gazetteer: places, people and programmes found in the text, with
                        how each was found and where (rag/names.py)
  adapted_model/        only with RAG_ADAPT=1: the embedding model adapted to the corpus

A build (rag/build.py) writes into a temporary sibling folder and renames it into place; a
build killed at any moment leaves the previous index loadable.
Leaves out: making the contents (build.py) and retrieval (retrieve.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.names import Gazetteer
from rag.schema import Chunk, Essay, Section, Sentence

# 4: the BM25 postings of each chunk; 5: collections, each file's SHA-256; 6: a list item after a colon
# starts a sentence; 7: a section up to 1.25 times the chunk limit stays one chunk; 8: BM25 tokens
# regroup 什么样|本 as 什么|样本; 9: the vectors' centroid; 10: the table of contents' page numbers.
FORMAT_VERSION = 10
MANIFEST = "manifest.json"


class IndexUnavailable(RuntimeError):
    """The index is missing, stale or damaged; the message (Chinese) says which and why."""


class StoreUnreachable(IndexUnavailable):
    """The store holding the index cannot be reached (a Milvus server down, a Milvus Lite file
    another process has open): rebuilding the index would not help."""


class VectorIndex(Protocol):
    """The dense backend seam: what retrieval needs from a vector index. FAISS flat and HNSW
    provide it; rag/milvus_store.py wraps a Milvus collection in the same two methods."""

    ntotal: int

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n_queries, k), inner product, best first; id -1 pads."""

    def reconstruct_batch(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of `ids`, (len(ids), dim)."""


@dataclass
class Index:
    """A loaded index. Every field has a default, so a partial one (a baseline, a synthetic
    benchmark) is built with keywords: `Index(chunks=…, dense=…, bm25=…)`."""

    manifest: dict = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    sentence_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), dtype=np.float32))
    dense: VectorIndex | None = None
    bm25: object = None  # bm25s.BM25
    bm25_terms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bm25_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    terms: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    essays: list[Essay] = field(default_factory=list)
    names: Gazetteer = field(default_factory=lambda: Gazetteer([]))
    centroid: np.ndarray | None = None  # saved by a build; see `vector_centre`

    def essay(self, number: int) -> Essay:
        """Essay `number` (1-based, as chunks and citations number them)."""
        return self.essays[number - 1]

    @cached_property
    def essay_texts(self) -> list[str]:
        """Each essay's text, in essay order."""
        return [self.sources[e.source][e.start : e.end] for e in self.essays]

    def essays_using(self, spellings: set[str] | frozenset[str]) -> int:
        """How many essays use one of `spellings`."""
        return len(self.essays_mentioning(spellings))

    def essays_mentioning(self, spellings: set[str] | frozenset[str]) -> set[int]:
        """The numbers of the essays whose text uses one of `spellings`."""
        return {e.number for e, text in zip(self.essays, self.essay_texts, strict=True)
                if any(s in text for s in spellings)}

    def widespread(self, spellings: set[str] | frozenset[str]) -> bool:
        """Whether more than half of the essays use one of `spellings`: what the corpus is about
        (“千万工程”, 浙江省), not the name of one thing in it."""
        return self.essays_using(spellings) * 2 > len(self.essays)

    @cached_property
    def membership(self) -> tuple[np.ndarray, np.ndarray]:
        """Parallel arrays (chunk row, sentence row) for every sentence lying wholly inside a
        chunk, chunks in row order and each chunk's sentences in text order."""
        by_source: dict[str, list[int]] = {}
        for row, s in enumerate(self.sentences):
            by_source.setdefault(s.source, []).append(row)
        chunk_rows, sentence_rows = [], []
        for c_row, c in enumerate(self.chunks):
            rows = by_source.get(c.source, [])
            starts = [self.sentences[r].start for r in rows]
            for r in rows[int(np.searchsorted(starts, c.start)):]:
                s = self.sentences[r]
                if s.start >= c.end:
                    break
                if s.end <= c.end:
                    chunk_rows.append(c_row)
                    sentence_rows.append(r)
        return np.asarray(chunk_rows, dtype=np.int64), np.asarray(sentence_rows, dtype=np.int64)

    def sentence_rows(self, chunk_row: int) -> list[int]:
        """Rows of the sentences lying wholly inside chunk `chunk_row`, in text order."""
        chunk_of, sentence_of = self.membership
        lo, hi = np.searchsorted(chunk_of, chunk_row, "left"), np.searchsorted(chunk_of, chunk_row, "right")
        return sentence_of[lo:hi].tolist()

    @cached_property
    def vector_centre(self) -> np.ndarray:
        """The mean of every chunk and sentence vector: the direction all texts of the corpus share
        (rag/retrieve.py centres on it). Saved by a build; an index made in memory (a baseline, a
        synthetic benchmark) has it computed from its vectors."""
        if self.centroid is not None:
            return self.centroid
        chunks = (self.dense.reconstruct_batch(np.arange(start, min(start + BATCH, self.dense.ntotal)))
                  for start in range(0, self.dense.ntotal, BATCH))
        sentences = (self.sentence_vectors[np.arange(start, min(start + BATCH, len(self.sentences)))]
                     for start in range(0, len(self.sentences), BATCH))
        return mean_vector(chunks, sentences)

    @cached_property
    def lexical(self):
        """The BM25 side as retrieval asks of it (rag/bm25.py); a store keeping it elsewhere
        (rag/milvus_store.py) sets its own."""
        from rag.bm25 import LocalBM25

        return LocalBM25(self.bm25, self.bm25_terms, self.bm25_offsets)


BATCH = 65_536  # vectors read at a time when averaging them


def mean_vector(*batches) -> np.ndarray:
    """The mean of the vectors in every batch of every iterable given (float32).

    >>> [round(float(v), 3) for v in mean_vector([np.array([[1.0, 0.0]])], [np.array([[0.0, 1.0], [0.0, 1.0]])])]
    [0.333, 0.667]
    """
    total, count = None, 0
    for batch in (b for group in batches for b in group):
        if len(batch):
            total = batch.sum(axis=0, dtype=np.float64) + (0 if total is None else total)
            count += len(batch)
    return (total / count).astype(np.float32) if count else np.zeros(0, dtype=np.float32)


def save(folder: Path, index: Index, manifest: dict) -> dict:
    """Write `index` into the empty folder `folder` (files the caller already put there, such as
    an adapted model, are kept and checksummed); return `manifest` completed with every file's
    SHA-256, as written to manifest.json."""
    import faiss

    folder = Path(folder)
    faiss.write_index(index.dense, str(folder / "dense.faiss"))
    np.save(folder / "sentence_vectors.npy", index.sentence_vectors, allow_pickle=False)
    np.save(folder / "centroid.npy", index.vector_centre, allow_pickle=False)
    index.bm25.save(str(folder / "bm25"), show_progress=False)
    np.save(folder / "bm25_terms.npy", index.bm25_terms, allow_pickle=False)
    np.save(folder / "bm25_offsets.npy", index.bm25_offsets, allow_pickle=False)
    write_jsonl(folder / "chunks.jsonl", (c.to_dict() for c in index.chunks))
    write_jsonl(folder / "sentences.jsonl", (asdict(s) for s in index.sentences))
    (folder / "terms.txt").write_text("\n".join(index.terms) + "\n", encoding="utf-8")
    index.names.save(folder / "names.json")
    (folder / "sources.json").write_text(json.dumps(index.sources, ensure_ascii=False), encoding="utf-8")
    essays = json.dumps([asdict(e) for e in index.essays], ensure_ascii=False)
    (folder / "essays.json").write_text(essays, encoding="utf-8")
    manifest = {**manifest, "files": {str(p.relative_to(folder)): _sha256(p) for p in _files(folder)}}
    _write_json_synced(folder / MANIFEST, manifest)
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write_json_synced(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())


def swap_into_place(tmp: Path, target: Path) -> None:
    """Replace `target` by `tmp`: two renames, the old copy kept until the new one is in place."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(target: Path) -> None:
    """Finish or undo what a killed build left behind (caller holds the lock)."""
    recover_previous(target)
    for leftover in target.parent.glob(f"{target.name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in target.parent.glob(f"{target.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def recover_previous(target: Path) -> bool:
    """If a build died between its two renames, put the previous index back. True if it did."""
    if target.exists():
        return False
    for old in sorted(target.parent.glob(f"{target.name}.old-*")):
        if (old / MANIFEST).is_file():
            os.rename(old, target)
            return True
    return False


def read_manifest(folder: Path) -> dict | None:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexUnavailable(f"索引文件损坏：{path}") from None


def verify_files(folder: Path, manifest: dict) -> None:
    """Raise if a file listed in the manifest is missing or differs from what was written."""
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            raise IndexUnavailable(f"索引文件缺失：{path}")
        if _sha256(path) != digest:
            raise IndexUnavailable(f"索引文件损坏：{path}")


def essay_from_dict(data: dict) -> Essay:
    sections = [Section(tuple(s["heading_path"]), s["start"], s["end"]) for s in data.pop("sections")]
    return Essay(**data, sections=sections)


def load(folder: Path) -> Index:
    """Load a built index, checking every file against the manifest first."""
    import bm25s
    import faiss

    folder = Path(folder)
    recover_previous(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise IndexUnavailable(f"索引不存在：{folder}")
    verify_files(folder, manifest)
    try:
        chunks = [Chunk(**row) for row in read_jsonl(folder / "chunks.jsonl")]
        sentences = [Sentence(**row) for row in read_jsonl(folder / "sentences.jsonl")]
        index = Index(
            manifest=manifest,
            chunks=chunks,
            sentences=sentences,
            sentence_vectors=np.load(folder / "sentence_vectors.npy", allow_pickle=False),
            dense=faiss.read_index(str(folder / "dense.faiss")),
            bm25=bm25s.BM25.load(str(folder / "bm25"), load_corpus=False),
            bm25_terms=np.load(folder / "bm25_terms.npy", allow_pickle=False),
            bm25_offsets=np.load(folder / "bm25_offsets.npy", allow_pickle=False),
            terms=[t for t in (folder / "terms.txt").read_text(encoding="utf-8").splitlines() if t.strip()],
            sources=json.loads((folder / "sources.json").read_text(encoding="utf-8")),
            essays=[essay_from_dict(d) for d in json.loads((folder / "essays.json").read_text("utf-8"))],
            names=Gazetteer.load(folder / "names.json"),
            centroid=np.load(folder / "centroid.npy", allow_pickle=False),
        )
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise IndexUnavailable(f"索引无法读取（{folder}）：{exc}") from None
    if (index.dense.ntotal != len(chunks) or len(index.sentence_vectors) != len(sentences)
            or len(index.bm25_offsets) != len(chunks) + 1):
        raise IndexUnavailable(f"索引文件彼此不一致：{folder}")
    return index
