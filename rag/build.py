"""From a corpus to an index: chunks, sentences, the gazetteer, vectors and BM25, written
through rag/store.py under a file lock; and whether an index on disk still serves the settings.
Leaves out: the file format (store.py) and retrieval (retrieve.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag import __version__
from rag.chunk import chunk_corpus, corpus_sentences
from rag.config import VECTOR_INDEXES, Settings, check_choice
from rag.corpus import file_digests, fingerprint, load_corpus, read_sources
from rag.embed import Encoder, ModelRef, resolve_model
from rag.names import build_gazetteer
from rag.schema import Chunk
from rag.store import (
    FORMAT_VERSION,
    Index,
    IndexUnavailable,
    StoreUnreachable,
    read_manifest,
    recover_previous,
    remove_leftovers,
    save,
    swap_into_place,
    verify_files,
)
from rag.text import USER_DICT, Tokenizer, corpus_terms, read_user_dict

HNSW_FROM = 50_000  # chunks; below this exact search takes a few milliseconds
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 200

def embedding_text(chunk: Chunk) -> str:
    """What the dense model sees: the heading path gives a passage its topic."""
    return f"{chunk.heading}\n{chunk.text}"


def bm25_text(chunk: Chunk) -> str:
    return f"{chunk.heading} {chunk.author}\n{chunk.text}"


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


def search_structures(chunk_vectors: np.ndarray, bm25_texts: list[str], tokenizer: Tokenizer,
                      kind: str = "auto") -> dict:
    """The FAISS index over `chunk_vectors`, the BM25 index over `bm25_texts` and each text's
    BM25 vocabulary ids (CSR), in memory, as keyword arguments of `Index`."""
    import bm25s

    tokens = tokenizer.tokenize_many(bm25_texts)
    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)
    terms, offsets = bm25_postings(tokens, bm25.vocab_dict)
    return {"dense": vector_index(chunk_vectors, kind), "bm25": bm25, "bm25_terms": terms, "bm25_offsets": offsets}


def bm25_postings(tokens: list[list[str]], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(terms, offsets): the vocabulary ids of text i are terms[offsets[i]:offsets[i + 1]].

    >>> terms, offsets = bm25_postings([["村", "路", "村"], ["路"]], {"村": 0, "路": 1})
    >>> terms.tolist(), offsets.tolist()
    ([0, 1, 1], [0, 2, 3])
    """
    per_text = [np.unique(np.asarray([vocab[t] for t in doc if t in vocab], dtype=np.int64)) for doc in tokens]
    offsets = np.zeros(len(per_text) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(ids) for ids in per_text])
    return (np.concatenate(per_text) if per_text else np.zeros(0, dtype=np.int64)), offsets


Report = Callable[[float, str], None]  # (share of the build done, what it is doing), for a progress bar


def build_index(settings: Settings, encoder: Encoder | None = None, progress: bool = True,
                report: Report | None = None) -> dict:
    """Build the index for `settings.corpus` into `settings.index_dir`; return the manifest.
    `report`, if given, hears how far the build is (the UI's progress bar)."""
    from filelock import FileLock

    reporting = report is not None
    report = report or (lambda share, doing: None)
    started = time.perf_counter()
    target = Path(settings.index_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    report(0.0, "等待其他重建完成……")
    with FileLock(str(target) + ".lock"):
        report(0.02, "读取语料……")
        remove_leftovers(target)
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
        previous = _previous(settings, encoder, adaptation)
        changes = file_changes(previous.manifest.get("file_sha256", {}) if previous else {}, corpus.file_sha256)
        if progress:
            _log(changes_line(changes))
        report(0.1, changes_line(changes))
        cache = reusable_vectors(previous) if previous else {}
        chunk_texts = [embedding_text(c) for c in chunks]
        sentence_texts = [corpus.texts[s.source][s.start : s.end] for s in sentences]
        missing = len({t for t in chunk_texts + sentence_texts if t not in cache})
        if progress:
            _log(f"编码 {len(chunks)} 个段落和 {len(sentences)} 个句子（沿用已有向量，新编码 {missing} 条）……")
        encoding = EncodingReport(report, missing, 0.1, 0.9) if reporting else None
        chunk_vectors = encode_reusing(encoder, chunk_texts, cache, progress, encoding)
        sentence_vectors = encode_reusing(encoder, sentence_texts, cache, progress, encoding)
        report(0.92, "写入索引……")
        index = Index(
            chunks=chunks, sentences=sentences, sentence_vectors=sentence_vectors,
            terms=terms, sources=corpus.texts, essays=corpus.essays, names=names,
            **search_structures(chunk_vectors, [bm25_text(c) for c in chunks], Tokenizer(terms),
                                settings.vector_index))
        manifest = {
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "model": encoder.ref.name,
            "adaptation": adaptation,
            "dimension": encoder.dim,
            "settings": expected_settings(settings),
            "corpus": str(settings.corpus),
            "corpus_sha256": corpus.sha256,
            "file_sha256": corpus.file_sha256,
            "files_changed": changes,
            "encoded": missing,
            "build_id": str(time.time_ns()),  # tells a serving process another build replaced its own
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 2),
            "essays": len(corpus.essays),
            "chunks": len(chunks),
            "sentences": len(sentences),
        }
        if settings.store == "milvus":
            from rag import milvus_store

            shutil.rmtree(tmp, ignore_errors=True)
            manifest = milvus_store.save(settings, index, manifest)
        else:
            manifest = save(tmp, index, manifest)
            swap_into_place(tmp, target)
    report(1.0, "索引已更新")
    return manifest


def file_changes(before: dict[str, str], now: dict[str, str]) -> dict[str, int]:
    """How many corpus files were added, changed, removed and left as they were since the last build.

    >>> file_changes({"a.txt": "1", "b.txt": "2", "c.txt": "3"}, {"a.txt": "1", "b.txt": "9", "d.txt": "4"})
    {'added': 1, 'changed': 1, 'removed': 1, 'unchanged': 1}
    """
    return {"added": len(now.keys() - before.keys()),
            "changed": sum(1 for name in now.keys() & before.keys() if now[name] != before[name]),
            "removed": len(before.keys() - now.keys()),
            "unchanged": sum(1 for name in now.keys() & before.keys() if now[name] == before[name])}


def changes_line(changes: dict[str, int]) -> str:
    return (f"新增 {changes['added']} 篇，更新 {changes['changed']} 篇，删除 {changes['removed']} 篇，"
            f"未变 {changes['unchanged']} 篇")


def _previous(settings: Settings, encoder: Encoder, adaptation) -> Index | None:
    """The index being replaced, when its vectors can be reused: built with the same model and
    neither it nor this build adapted to its corpus (adapted weights change with the corpus)."""
    try:
        previous = open_index(settings)
    except StoreUnreachable:
        raise  # before encoding anything: the build could not be stored either
    except IndexUnavailable:
        return None
    manifest = previous.manifest
    if (manifest.get("model") != encoder.ref.name or manifest.get("adaptation") or adaptation
            or manifest.get("dimension") != encoder.dim):
        return None
    return previous


def reusable_vectors(previous: Index) -> dict[str, np.ndarray]:
    """What the previous index already embedded: embedded text → its vector, for chunks and sentences."""
    vectors = previous.dense.reconstruct_batch(np.arange(len(previous.chunks)))
    cache = {embedding_text(c): v for c, v in zip(previous.chunks, vectors, strict=True)}
    sentence_vectors = previous.sentence_vectors[np.arange(len(previous.sentences))]  # a store may fetch them
    for s, v in zip(previous.sentences, sentence_vectors, strict=True):
        cache.setdefault(previous.sources[s.source][s.start : s.end], v)
    return cache


class EncodingReport:
    """Encoding's share of a build's report: `done(n)` after n more texts, of `total`, are encoded."""

    def __init__(self, report: Report, total: int, start: float, end: float) -> None:
        self.report, self.total, self.start, self.end, self.encoded = report, total, start, end, 0

    def done(self, count: int) -> None:
        self.encoded += count
        share = self.start + (self.end - self.start) * self.encoded / max(self.total, 1)
        self.report(share, f"编码 {self.encoded}/{self.total} 条新文本……")


ENCODE_SLICE = 256  # texts encoded between two progress reports


def encode_reusing(encoder: Encoder, texts: list[str], cache: dict[str, np.ndarray], progress: bool,
                   encoding: EncodingReport | None = None) -> np.ndarray:
    """Vectors of `texts`: those in `cache` as they are, the others encoded (and added to it)."""
    new = list(dict.fromkeys(t for t in texts if t not in cache))
    step = ENCODE_SLICE if encoding else max(len(new), 1)  # reported slices, else one call (one tqdm bar)
    for start in range(0, len(new), step):
        part = new[start : start + step]
        cache.update(zip(part, encoder.encode(part, progress=progress), strict=True))
        if encoding:
            encoding.done(len(part))
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([cache[t] for t in texts]).astype(np.float32)


def _adapted(encoder: Encoder, settings: Settings, chunks: list[Chunk], tmp: Path, progress: bool):
    """(encoder to build with, what the manifest records of the adaptation or None): the given
    encoder, or one fine-tuned on the corpus into `tmp/adapted_model` when RAG_ADAPT asks."""
    from rag.adapt import ADAPTED_FOLDER, adapt, wanted

    if not wanted(settings.adapt):
        return encoder, None
    if settings.store == "milvus":
        _log("警告：RAG_STORE=milvus 不保存适配后的模型，本次不做适配。")
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


def staleness(settings: Settings, manifest: dict | None) -> list[str]:
    """Why the index with `manifest` cannot serve `settings` (empty if it can)."""
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
    # The same file bytes need no reading; otherwise the texts decide (a skipped file, or a new
    # file that reads as nothing, changes no text).
    if manifest.get("file_sha256") != file_digests(settings.corpus):
        texts, _ = read_sources(settings.corpus)
        if manifest.get("corpus_sha256") != fingerprint(texts):
            reasons.append("语料已更改")
    return reasons


def current_manifest(settings: Settings) -> dict | None:
    """The manifest of the index `settings` point at (RAG_STORE: local files or Milvus), None if none."""
    if settings.store == "milvus":
        from rag import milvus_store

        return milvus_store.read_manifest(settings)
    folder = Path(settings.index_dir)
    recover_previous(folder)
    return read_manifest(folder)


def served_build(settings: Settings) -> str | None:
    """The build id of the index `settings` point at now, cheaply (the manifest file, or the
    Milvus alias), for a serving process to notice that another process rebuilt it."""
    if settings.store == "milvus":
        from rag import milvus_store

        return milvus_store.served_build(settings)
    manifest = read_manifest(Path(settings.index_dir))
    return manifest.get("build_id") if manifest else None


def open_index(settings: Settings) -> Index:
    """The index `settings` point at, loaded (local files checked against their manifest)."""
    if settings.store == "milvus":
        from rag import milvus_store

        return milvus_store.load(settings)
    from rag.store import load

    return load(Path(settings.index_dir))


def problems(settings: Settings, verify: bool = False) -> list[str]:
    """Why the index `settings` point at cannot serve them, empty if it can; with `verify`, every
    local file is also checked against the manifest (`load` does that anyway)."""
    try:
        manifest = current_manifest(settings)
        reasons = staleness(settings, manifest)
        if verify and not reasons and settings.store == "local":
            verify_files(Path(settings.index_dir), manifest)
    except StoreUnreachable:
        raise  # rebuilding would not help
    except IndexUnavailable as exc:
        return [str(exc)]
    return reasons


