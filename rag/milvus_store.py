"""The index in Milvus (RAG_STORE=milvus): written by `rag index`, read by every process that
answers, so a server needs no index files of its own. RAG_MILVUS_URI is a file path (Milvus
Lite, embedded in the process: tests, laptops) or `http://host:19530` (a Milvus server or
cluster, the same client); RAG_MILVUS_TOKEN its credentials.

One build B writes three collections, then points the alias (RAG_MILVUS_COLLECTION) at the
third; moving an alias is atomic, so a process loading meanwhile sees the previous build whole:
  {alias}_{B}_chunks     id (chunk row), vector (FLAT, inner product), bm25 (sparse: the chunk's
                         BM25 weight per term id, rag/bm25.py, so Milvus scores as bm25s does),
                         collection (corpus subfolder), record (the Chunk as JSON)
  {alias}_{B}_sentences  id (sentence row), vector, source, start, end
  {alias}_{B}_meta       key → value: the manifest, and what else a loaded index holds (texts,
                         essays, gazetteer, dictionary terms, BM25 vocabulary and document
                         frequencies) as compressed JSON in pieces; Milvus wants a vector field
                         in every collection, so it has a 2-d placeholder.
The previous build is kept, so a process that loaded it keeps answering until it reloads; older
builds are dropped. Fusion and rescoring stay in rag/retrieve.py: both stores rank alike.
Leaves out: making the index (build.py) and the local files (store.py).
"""

from __future__ import annotations

import base64
import json
import logging
import time
import zlib
from dataclasses import asdict
from pathlib import Path

import numpy as np

from rag.bm25 import chunk_weights
from rag.names import Gazetteer
from rag.schema import Chunk, Sentence
from rag.store import Index, IndexUnavailable, StoreUnreachable, essay_from_dict

BATCH = 1000  # rows per insert or get
PIECE = 45_000  # bytes of compressed JSON per meta row (base64 keeps it under VARCHAR's 65,535)
EXACT_UP_TO = 2_000  # chunks: below, every chunk is scored for every question, as the local store does
PRELOAD_SENTENCES = 50_000  # sentence vectors fetched once at load below this; per question above
KEPT_BUILDS = 2  # the one served and the one before
CONNECT_SECONDS = 10
_CLIENTS: dict[tuple[str, str], object] = {}  # one client per address in a process (Milvus Lite allows one process)


def uri(settings) -> str:
    """Where the index lives: RAG_MILVUS_URI, else a Milvus Lite file beside the index folder."""
    index_dir = Path(settings.index_dir)
    return settings.milvus_uri or str(index_dir.with_name(index_dir.name + ".milvus.db"))


def connect(settings):
    """A client for RAG_MILVUS_URI; a file path opens Milvus Lite (its folder made if missing)."""
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise IndexUnavailable("RAG_STORE=milvus 需要 pymilvus 和 milvus-lite（make install 会安装）") from None
    # After the import, which configures its logging: both log every failure with a traceback,
    # and the failures that matter here reach the user as IndexUnavailable, in one line.
    # Milvus Lite's embedded gRPC server (the only one in this process) logs a traceback for each
    # call it does not implement, such as the timestamp a client asks for after creating an index.
    for name in ("pymilvus", "milvus_lite", "grpc._server"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    address = uri(settings)
    key = (address, settings.milvus_token)
    if key not in _CLIENTS:
        if "://" not in address:
            Path(address).parent.mkdir(parents=True, exist_ok=True)
        try:
            _CLIENTS[key] = MilvusClient(uri=address, token=settings.milvus_token, timeout=CONNECT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - any connection failure means the store is out of reach
            if "://" not in address:
                raise StoreUnreachable(
                    f"无法打开 Milvus Lite 文件 {address}：它只允许一个进程打开，可能正被另一个进程（如 rag serve）"
                    "使用；多个进程共用索引请用 Milvus 服务器（RAG_MILVUS_URI=http://主机:19530）") from None
            raise StoreUnreachable(f"无法连接 Milvus（{address}）：{exc}") from None
    return _CLIENTS[key]


def close(settings) -> None:
    """Let go of the store: the client closed and, for a Milvus Lite file, its embedded server
    stopped, so that another process may open the file."""
    address = uri(settings)
    client = _CLIENTS.pop((address, settings.milvus_token), None)
    if client is not None:
        client.close()
    if "://" not in address:
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(address)


# ------------------------------------------------------------------ writing


def save(settings, index: Index, manifest: dict, client=None) -> dict:
    """Write `index` as a new build and serve it under the alias; return the manifest as stored."""
    client = client or connect(settings)
    alias = settings.milvus_collection
    build_id = manifest.get("build_id") or str(time.time_ns())  # nanoseconds: sorts by time, never repeats
    build = f"{alias}_b{build_id}"
    manifest = {**manifest, "build_id": build_id, "store": "milvus", "milvus_build": build}
    dim = int(index.dense.d)
    _write_chunks(client, f"{build}_chunks", index, dim)
    _write_sentences(client, f"{build}_sentences", index, dim)
    _write_meta(client, f"{build}_meta", index, manifest)
    if alias in client.list_aliases().get("aliases", []):
        client.alter_alias(f"{build}_meta", alias)
    else:
        client.create_alias(f"{build}_meta", alias)
    _drop_old_builds(client, alias)
    return manifest


def _collection(client, name: str, fields: list[tuple], indexes: list[tuple]) -> None:
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    for field, kind, options in fields:
        schema.add_field(field, getattr(DataType, kind), **options)
    params = client.prepare_index_params()
    for field, index_type, metric in indexes:
        params.add_index(field, index_type=index_type, metric_type=metric)
    client.create_collection(name, schema=schema, index_params=params)


def _insert(client, name: str, rows) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            client.insert(name, batch)
            batch = []
    if batch:
        client.insert(name, batch)
    client.flush(name)


def _write_chunks(client, name: str, index: Index, dim: int) -> None:
    _collection(client, name, [
        ("id", "INT64", {"is_primary": True}), ("vector", "FLOAT_VECTOR", {"dim": dim}),
        ("bm25", "SPARSE_FLOAT_VECTOR", {}), ("collection", "VARCHAR", {"max_length": 1024}),
        ("record", "VARCHAR", {"max_length": 65_535}),
    ], [("vector", "FLAT", "IP"), ("bm25", "SPARSE_INVERTED_INDEX", "IP")])
    vectors = index.dense.reconstruct_batch(np.arange(len(index.chunks)))
    # Milvus refuses an empty sparse vector: a chunk without terms gets one no question has.
    nothing = {len(index.bm25.vocab_dict): 1.0}
    _insert(client, name, ({"id": row, "vector": vectors[row], "bm25": weights or nothing,
                            "collection": chunk.collection, "record": json.dumps(chunk.to_dict(), ensure_ascii=False)}
                           for row, (chunk, weights) in enumerate(zip(index.chunks, chunk_weights(index.bm25),
                                                                      strict=True))))


def _write_sentences(client, name: str, index: Index, dim: int) -> None:
    _collection(client, name, [
        ("id", "INT64", {"is_primary": True}), ("vector", "FLOAT_VECTOR", {"dim": dim}),
        ("source", "VARCHAR", {"max_length": 1024}), ("start", "INT64", {}), ("end", "INT64", {}),
    ], [("vector", "FLAT", "IP")])
    _insert(client, name, ({"id": row, "vector": index.sentence_vectors[row], "source": s.source,
                            "start": s.start, "end": s.end} for row, s in enumerate(index.sentences)))


def _write_meta(client, name: str, index: Index, manifest: dict) -> None:
    _collection(client, name, [
        ("key", "VARCHAR", {"is_primary": True, "max_length": 64}), ("placeholder", "FLOAT_VECTOR", {"dim": 2}),
        ("value", "VARCHAR", {"max_length": 65_535}),
    ], [("placeholder", "FLAT", "IP")])
    blobs = {
        "manifest": manifest, "sources": index.sources, "essays": [asdict(e) for e in index.essays],
        "names": index.names.to_rows(), "terms": index.terms, "vocabulary": index.bm25.vocab_dict,
        "document_frequencies": index.lexical.document_frequencies().tolist(),
        "centroid": index.vector_centre.tolist(),
    }
    rows = []
    for key, value in blobs.items():
        packed = zlib.compress(json.dumps(value, ensure_ascii=False).encode("utf-8"))
        for n, start in enumerate(range(0, max(len(packed), 1), PIECE)):
            rows.append({"key": f"{key}#{n:05d}", "placeholder": [1.0, 0.0],
                         "value": base64.b64encode(packed[start : start + PIECE]).decode("ascii")})
    _insert(client, name, rows)


def _drop_old_builds(client, alias: str) -> None:
    """Keep the served build and the one before it; drop the rest (and what a killed build left)."""
    served = client.describe_alias(alias)["collection_name"].removesuffix("_meta")
    builds = sorted({n.rsplit("_", 1)[0] for n in client.list_collections() if n.startswith(f"{alias}_b")})
    keep = [b for b in builds if b <= served][-KEPT_BUILDS:]
    for build in builds:
        if build not in keep:
            for part in ("chunks", "sentences", "meta"):
                if client.has_collection(f"{build}_{part}"):
                    client.drop_collection(f"{build}_{part}")


# ------------------------------------------------------------------ reading


def _meta(client, alias: str, key: str | None = None) -> dict:
    """The served build's meta values by key (only `key`'s, if given), or {} when nothing is
    served under `alias`."""
    if alias not in client.list_aliases().get("aliases", []):
        return {}
    client.load_collection(alias)
    wanted = f'key like "{key}#%"' if key else 'key != ""'
    rows = client.query(alias, filter=wanted, output_fields=["key", "value"], limit=16_384)
    pieces: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        name, _, n = row["key"].partition("#")
        pieces.setdefault(name, []).append((n, row["value"]))
    return {name: json.loads(zlib.decompress(b"".join(base64.b64decode(v) for _, v in sorted(parts))))
            for name, parts in pieces.items()}


def served_build(settings) -> str | None:
    """The id of the build served under the alias now (one alias lookup), None if none."""
    client = connect(settings)
    alias = settings.milvus_collection
    if alias not in client.list_aliases().get("aliases", []):
        return None
    return client.describe_alias(alias)["collection_name"].removesuffix("_meta").removeprefix(f"{alias}_b")


def read_manifest(settings) -> dict | None:
    """The manifest of the build served under the alias, None if there is none."""
    try:
        # The manifest alone: a start-up checks it before loading the rest.
        return _meta(connect(settings), settings.milvus_collection, "manifest").get("manifest")
    except IndexUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001
        raise IndexUnavailable(f"Milvus 中的索引无法读取：{exc}") from None


def _get(client, name: str, ids, fields: list[str]) -> dict[int, dict]:
    """The rows `ids` of a collection with `fields`, by id, fetched BATCH at a time."""
    ids = [int(i) for i in ids]
    got: dict[int, dict] = {}
    for start in range(0, len(ids), BATCH):
        got.update((row["id"], row) for row in client.get(name, ids=ids[start : start + BATCH], output_fields=fields))
    return got


def _rows(client, name: str, count: int, fields: list[str]) -> list[dict]:
    """Rows 0..count-1 of a collection, in order."""
    got = _get(client, name, range(count), fields)
    return [got[i] for i in range(count)]


def load(settings) -> Index:
    """The build served under the alias, as an Index whose vector and BM25 sides ask Milvus."""
    client = connect(settings)
    try:
        meta = _meta(client, settings.milvus_collection)
        if not meta:
            raise IndexUnavailable(f"Milvus 中没有索引：{settings.milvus_collection}（{uri(settings)}）")
        manifest = meta["manifest"]
        build, dim = manifest["milvus_build"], manifest["dimension"]
        for part in ("chunks", "sentences"):
            client.load_collection(f"{build}_{part}")  # searchable (a server keeps it in memory)
        chunk_rows = _rows(client, f"{build}_chunks", manifest["chunks"], ["record"])
        sentence_rows = _rows(client, f"{build}_sentences", manifest["sentences"], ["source", "start", "end"])
        sentences_name = f"{build}_sentences"
        sentence_vectors = MilvusRows(client, sentences_name, len(sentence_rows), dim)
        if len(sentence_rows) <= PRELOAD_SENTENCES:
            sentence_vectors = sentence_vectors[np.arange(len(sentence_rows))]
        index = Index(
            manifest=manifest,
            chunks=[Chunk(**json.loads(r["record"])) for r in chunk_rows],
            sentences=[Sentence(r["source"], r["start"], r["end"]) for r in sentence_rows],
            sentence_vectors=sentence_vectors,
            dense=MilvusVectors(client, f"{build}_chunks", len(chunk_rows), dim),
            terms=meta["terms"], sources=meta["sources"],
            essays=[essay_from_dict(e) for e in meta["essays"]], names=Gazetteer.from_rows(meta["names"]),
            centroid=np.asarray(meta["centroid"], dtype=np.float32),
        )
        index.lexical = MilvusBM25(client, f"{build}_chunks", meta["vocabulary"],
                                   np.asarray(meta["document_frequencies"], dtype=np.int64), len(chunk_rows))
    except IndexUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged or half-dropped build
        raise IndexUnavailable(f"Milvus 中的索引无法读取：{exc}") from None
    return index


class MilvusRows:
    """Stored vectors of a collection by row, fetched when indexed: `rows[ids]` → (len(ids), dim)."""

    def __init__(self, client, name: str, count: int, dim: int) -> None:
        self.client, self.name, self.count, self.dim = client, name, count, dim

    def __len__(self) -> int:
        return self.count

    @property
    def shape(self) -> tuple[int, int]:
        return self.count, self.dim

    def __getitem__(self, rows) -> np.ndarray:
        single = np.ndim(rows) == 0
        unique, positions = np.unique(np.atleast_1d(np.asarray(rows, dtype=np.int64)), return_inverse=True)
        got = _get(self.client, self.name, unique, ["vector"])
        vectors = np.asarray([got[int(row)]["vector"] for row in unique], dtype=np.float32).reshape(-1, self.dim)
        out = vectors[positions]
        return out[0] if single else out


class MilvusVectors(MilvusRows):
    """The chunk vectors as a VectorIndex (store.py): search and reconstruct_batch on Milvus."""

    exact_up_to = EXACT_UP_TO

    @property
    def ntotal(self) -> int:
        return self.count

    @property
    def d(self) -> int:
        return self.dim

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.count)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        found = self.client.search(self.name, data=[q.tolist() for q in queries], anns_field="vector", limit=k,
                                   output_fields=["id"], search_params={"metric_type": "IP"})
        for q, hits in enumerate(found):
            for i, hit in enumerate(hits):
                scores[q, i], ids[q, i] = hit["distance"], hit["id"]
        return scores, ids

    def reconstruct_batch(self, ids: np.ndarray) -> np.ndarray:
        return self[ids]


class MilvusBM25:
    """BM25 (rag/bm25.py's Lexical) from the chunks' sparse vectors: a question is the sparse
    vector of its term ids, each weighted 1, so the inner product is the BM25 score."""

    def __init__(self, client, name: str, vocabulary: dict[str, int], frequencies: np.ndarray, size: int) -> None:
        self.client, self.name, self.vocabulary, self.size = client, name, vocabulary, size
        self.frequencies = frequencies

    def document_frequencies(self) -> np.ndarray:
        return self.frequencies

    def _search(self, ids: list[int], k: int, within: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the `k` best chunks (among the rows `within`, if given) that share a term."""
        found = self.client.search(self.name, data=[{int(t): 1.0 for t in ids}], anns_field="bm25",
                                   limit=min(k, self.size), output_fields=["id"], search_params={"metric_type": "IP"},
                                   filter=f"id in {within}" if within is not None else "")[0]
        return (np.asarray([h["id"] for h in found], dtype=np.int64),
                np.asarray([h["distance"] for h in found], dtype=np.float64))

    def scores(self, ids: list[int]) -> np.ndarray:
        rows, found = self._search(ids, self.size)
        scores = np.zeros(self.size)
        scores[rows] = found
        return scores

    def top(self, ids: list[int], k: int) -> tuple[np.ndarray, np.ndarray]:
        rows, scores = self._search(ids, k)
        order = np.lexsort((rows, -scores))  # best first, ties by row as the local store breaks them
        order = order[scores[order] > 0]
        return rows[order], scores[order]

    def scores_at(self, ids: list[int], rows: np.ndarray) -> np.ndarray:
        """Scored by Milvus too: the same sparse search, kept to `rows` (a chunk sharing no term scores 0)."""
        rows = np.asarray(rows, dtype=np.int64)
        scores = np.zeros(len(rows))
        for start in range(0, len(rows), BATCH):
            part = rows[start : start + BATCH]
            found, values = self._search(ids, len(part), part.tolist())
            position = {int(r): i for i, r in enumerate(part)}
            for row, value in zip(found, values, strict=True):
                scores[start + position[int(row)]] = value
        return scores

    def terms_of(self, row: int) -> np.ndarray:
        weights = _get(self.client, self.name, [row], ["bm25"])[int(row)]["bm25"]
        return np.asarray(sorted(int(t) for t in weights if int(t) < len(self.vocabulary)), dtype=np.int64)
