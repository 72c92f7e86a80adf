"""Build, save, load and check the index in `index/`.

Files (no pickle anywhere):
  manifest.json         format version, package version, model, chunker settings, corpus
                        SHA-256, build time, counts, and the SHA-256 of every other file
  chunks.jsonl          one Chunk per line
  sentences.jsonl       sentence spans (source, start, end), for extractive answers
  dense.faiss           inner-product FAISS index over normalised chunk vectors (flat, or
                        HNSW for large corpora)
  sentence_vectors.npy  normalised sentence vectors, row i ↔ sentences.jsonl line i
  bm25/                 bm25s index over jieba tokens (.npy + .json)
  terms.txt             the user dictionary the BM25 tokens were made with (`word [tag]`)
  sources.json          the corpus texts, so a loaded index never depends on files that
                        may change while it serves
  essays.json           essays with their body spans and sections
  names.json            the gazetteer: places, people and programmes found in the text, with
                        how each was found and where (rag/names.py)

A build writes into a temporary sibling folder and renames it into place under a file
lock; a build killed at any moment leaves the previous index loadable.
Leaves out: retrieval (retrieve.py) and deciding when to rebuild (assistant.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from rag import __version__
from rag.chunk import chunk_corpus, split_sentences
from rag.config import VECTOR_INDEXES, Settings, check_choice
from rag.corpus import Corpus, Essay, Section, fingerprint, load_corpus, read_sources
from rag.embed import Encoder, ModelRef, resolve_model
from rag.names import Gazetteer, build_gazetteer
from rag.schema import Chunk, Sentence
from rag.text import USER_DICT, Tokenizer, corpus_terms, read_user_dict

FORMAT_VERSION = 3  # 3: names.json, the gazetteer derived from the text
HNSW_FROM = 50_000  # chunks; below this exact search takes a few milliseconds
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 200
MANIFEST = "manifest.json"


class IndexUnavailable(RuntimeError):
    """The index is missing, stale or damaged; the message (Chinese) says which and why."""


class VectorIndex(Protocol):
    """The dense backend seam: what retrieval needs from a vector index. FAISS flat and HNSW
    provide it; a distributed engine (Milvus, OpenSearch kNN) would be a new module wrapping
    its client in these two methods (see docs/SCALING.md)."""

    ntotal: int

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n_queries, k), inner product, best first; id -1 pads."""

    def reconstruct_batch(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of `ids`, (len(ids), dim)."""


@dataclass
class Index:
    manifest: dict
    chunks: list[Chunk]
    sentences: list[Sentence]
    sentence_vectors: np.ndarray
    dense: VectorIndex
    bm25: object  # bm25s.BM25
    terms: list[str]
    sources: dict[str, str]
    essays: list[Essay]
    names: Gazetteer = field(default_factory=lambda: Gazetteer([]))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def embedding_text(chunk: Chunk) -> str:
    """What the dense model sees: the heading path gives a passage its topic."""
    return f"{chunk.heading}\n{chunk.text}"


def bm25_text(chunk: Chunk) -> str:
    return f"{chunk.heading} {chunk.author}\n{chunk.text}"


def corpus_sentences(corpus: Corpus) -> list[Sentence]:
    out = []
    for essay in corpus.essays:
        text = corpus.text_of(essay)
        for s, e in split_sentences(text, essay.start, essay.end):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(Sentence(essay.source, s, e))
    return out


def expected_settings(settings: Settings) -> dict:
    """The settings an index is built for; any difference makes it stale."""
    user_dict = hashlib.sha256(USER_DICT.read_bytes()).hexdigest()[:16]
    from rag.adapt import wanted

    return {"chunk_size": settings.chunk_size, "user_dict": user_dict, "vector_index": settings.vector_index,
            "adapt": wanted(settings.adapt)}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def vector_index(vectors: np.ndarray, kind: str = "auto"):
    """A FAISS inner-product index over normalised vectors: exact (flat) for small corpora,
    HNSW from HNSW_FROM vectors on (or as `kind` says)."""
    import faiss

    check_choice("vector_index", kind, VECTOR_INDEXES)
    if kind == "auto":
        kind = "hnsw" if len(vectors) >= HNSW_FROM else "flat"
    if kind == "flat":
        index = faiss.IndexFlatIP(vectors.shape[1])
    else:
        index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def search_structures(chunk_vectors: np.ndarray, bm25_texts: list[str], tokenizer: Tokenizer, kind: str = "auto"):
    """The FAISS index over `chunk_vectors` and the BM25 index over `bm25_texts`, in memory."""
    import bm25s

    dense = vector_index(chunk_vectors, kind)
    bm25 = bm25s.BM25()
    bm25.index(tokenizer.tokenize_many(bm25_texts), show_progress=False)
    return dense, bm25


def build(settings: Settings, encoder: Encoder | None = None, progress: bool = True) -> dict:
    """Build the index for `settings.corpus` into `settings.index_dir`; return the manifest."""
    import faiss
    from filelock import FileLock

    started = time.perf_counter()
    target = Path(settings.index_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        _remove_leftovers(target)
        corpus = load_corpus(settings.corpus)
        for note in corpus.warnings:
            _log(f"警告：{note}")
        chunks = chunk_corpus(corpus, settings.chunk_size)
        sentences = corpus_sentences(corpus)
        names = build_gazetteer(corpus.texts, corpus_terms(corpus.texts.values()))
        terms = sorted(set(read_user_dict()) | set(names.dictionary_entries()))
        encoder = encoder or Encoder(resolve_model(settings.embed_model))
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        encoder, adaptation = _adapted(encoder, settings, chunks, tmp, progress)
        if progress:
            _log(f"编码 {len(chunks)} 个段落和 {len(sentences)} 个句子……")
        chunk_vectors = encoder.encode([embedding_text(c) for c in chunks], progress=progress)
        sentence_texts = [corpus.texts[s.source][s.start : s.end] for s in sentences]
        sentence_vectors = encoder.encode(sentence_texts, progress=progress)
        dense, bm25 = search_structures(chunk_vectors, [bm25_text(c) for c in chunks], Tokenizer(terms),
                                        settings.vector_index)
        faiss.write_index(dense, str(tmp / "dense.faiss"))
        np.save(tmp / "sentence_vectors.npy", sentence_vectors, allow_pickle=False)
        bm25.save(str(tmp / "bm25"), show_progress=False)
        _write_jsonl(tmp / "chunks.jsonl", (c.to_dict() for c in chunks))
        _write_jsonl(tmp / "sentences.jsonl", (asdict(s) for s in sentences))
        (tmp / "terms.txt").write_text("\n".join(terms) + "\n", encoding="utf-8")
        names.save(tmp / "names.json")
        (tmp / "sources.json").write_text(json.dumps(corpus.texts, ensure_ascii=False), encoding="utf-8")
        essays = json.dumps([asdict(e) for e in corpus.essays], ensure_ascii=False)
        (tmp / "essays.json").write_text(essays, encoding="utf-8")
        manifest = {
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "model": encoder.ref.name,
            "adaptation": adaptation,
            "dimension": encoder.dim,
            "settings": expected_settings(settings),
            "corpus": str(settings.corpus),
            "corpus_sha256": corpus.sha256,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 2),
            "essays": len(corpus.essays),
            "chunks": len(chunks),
            "sentences": len(sentences),
            "files": {str(p.relative_to(tmp)): _sha256(p) for p in _files(tmp)},
        }
        _write_json_synced(tmp / MANIFEST, manifest)
        _swap_into_place(tmp, target)
    return manifest


def _adapted(encoder: Encoder, settings: Settings, chunks: list[Chunk], tmp: Path, progress: bool):
    """(encoder to build with, what the manifest records of the adaptation or None): the given
    encoder, or one fine-tuned on the corpus into `tmp/adapted_model` when RAG_ADAPT asks."""
    from rag.adapt import ADAPTED_FOLDER, adapt, wanted

    if not wanted(settings.adapt):
        return encoder, None
    if progress:
        _log("按语料适配嵌入模型……")
    try:
        record = adapt(Path(encoder.ref.path), chunks, tmp / ADAPTED_FOLDER, progress=progress)
    except ValueError as exc:
        _log(f"警告：{exc}，本次不做适配。")
        return encoder, None
    return Encoder(ModelRef(encoder.ref.name, str(tmp / ADAPTED_FOLDER))), record


def encoder_for(settings: Settings, manifest: dict, base: Encoder | None = None) -> Encoder:
    """The encoder queries of this index need: the adapted weights it holds, or the base model."""
    from rag.adapt import ADAPTED_FOLDER

    if manifest.get("adaptation"):
        return Encoder(ModelRef(manifest["model"], str(Path(settings.index_dir) / ADAPTED_FOLDER)))
    return base or Encoder(resolve_model(settings.embed_model))


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write_json_synced(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Replace `target` by `tmp`: two renames, the old copy kept until the new one is in place."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(target: Path) -> None:
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


def staleness(settings: Settings, manifest: dict | None) -> list[str]:
    """Why the index in `settings.index_dir` cannot serve `settings` (empty if it can)."""
    if manifest is None:
        return ["索引不存在"]
    reasons = []
    if manifest.get("format_version") != FORMAT_VERSION:
        reasons.append(f"索引格式版本不同（{manifest.get('format_version')} → {FORMAT_VERSION}）")
    model = resolve_model(settings.embed_model).name
    if manifest.get("model") != model:
        reasons.append(f"嵌入模型已更改（{manifest.get('model')} → {model}）")
    if manifest.get("settings") != expected_settings(settings):
        reasons.append(f"分块设置已更改（{manifest.get('settings')} → {expected_settings(settings)}）")
    texts, _ = read_sources(settings.corpus)
    if manifest.get("corpus_sha256") != fingerprint(texts):
        reasons.append("语料已更改")
    return reasons


def problems(settings: Settings, verify: bool = False) -> list[str]:
    """Why the index in `settings.index_dir` cannot serve `settings`, empty if it can; with
    `verify`, every file is also checked against the manifest (`load` does that anyway)."""
    folder = Path(settings.index_dir)
    recover_previous(folder)
    try:
        manifest = read_manifest(folder)
        reasons = staleness(settings, manifest)
        if verify and not reasons:
            verify_files(folder, manifest)
    except IndexUnavailable as exc:
        return [str(exc)]
    return reasons


def verify_files(folder: Path, manifest: dict) -> None:
    """Raise if a file listed in the manifest is missing or differs from what was written."""
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            raise IndexUnavailable(f"索引文件缺失：{path}")
        if _sha256(path) != digest:
            raise IndexUnavailable(f"索引文件损坏：{path}")


def _essay_from_dict(data: dict) -> Essay:
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
        chunks = [Chunk(**row) for row in _read_jsonl(folder / "chunks.jsonl")]
        sentences = [Sentence(**row) for row in _read_jsonl(folder / "sentences.jsonl")]
        index = Index(
            manifest=manifest,
            chunks=chunks,
            sentences=sentences,
            sentence_vectors=np.load(folder / "sentence_vectors.npy", allow_pickle=False),
            dense=faiss.read_index(str(folder / "dense.faiss")),
            bm25=bm25s.BM25.load(str(folder / "bm25"), load_corpus=False),
            terms=[t for t in (folder / "terms.txt").read_text(encoding="utf-8").splitlines() if t.strip()],
            sources=json.loads((folder / "sources.json").read_text(encoding="utf-8")),
            essays=[_essay_from_dict(d) for d in json.loads((folder / "essays.json").read_text(encoding="utf-8"))],
            names=Gazetteer.load(folder / "names.json"),
        )
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise IndexUnavailable(f"索引无法读取（{folder}）：{exc}") from None
    if index.dense.ntotal != len(chunks) or len(index.sentence_vectors) != len(sentences):
        raise IndexUnavailable(f"索引文件彼此不一致：{folder}")
    return index
