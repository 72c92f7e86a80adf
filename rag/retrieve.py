"""Rank chunks for a question: dense (FAISS + sentence vectors), BM25, or both fused.

Dense: a chunk's score is the mean of two cosines — the question against the whole chunk
(heading path included) and against the chunk's best-matching sentence. The first sees the
topic, the second a precise statement that a 350-character passage would dilute.

Hybrid: the dense half is taken on centred vectors — the corpus's mean vector subtracted from
the question's and every text's, then cosines. Every essay is about 乡村振兴, so raw cosines are
all high (0.83 between two chunks on average) and a generic passage lies close to every question
(a "hub"); centring leaves what tells one text from another. Alone it ranks worse than raw
cosines (the shared topic is signal when nothing else says it), beside BM25 better
(eval/NOTES.md). Both score lists are standardised (z-scores over the corpus) and added, the BM25
list weighted by how much of the question's IDF mass the best BM25 passage actually
contains. A question whose distinctive words appear in one passage (a name, a number)
leans on BM25; a paraphrase sharing only common words with the text leans on the
embedding. Measured against reciprocal rank fusion and fixed weights in eval/REPORT.md.
Above EXACT_LIMIT chunks, or over an approximate (HNSW) index, only the top CANDIDATES of
the vector index and of BM25 are rescored the same way, so a query costs the same whatever
the corpus size but the vector index and BM25's sparse product.
Leaves out: answer composition (answer.py) and follow-up handling (assistant.py).
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from rag.bm25 import token_ids
from rag.config import MODES, Settings, check_choice
from rag.schema import Hit
from rag.store import Index

EXACT_LIMIT = 20_000  # chunks scored exactly; above, only candidates are rescored
CANDIDATES = 200  # from the vector index and from BM25 each
# Added to the hybrid score (z-score units) of the passages of an essay whose author the question
# names ("交通局…"); chosen on the dev split, flat from 1.5 up (eval/NOTES.md).
AUTHOR_BONUS = 2.0


def centred_cosines(cosines: np.ndarray, dots: np.ndarray, query_dot: float, centre_sq: float,
                    norms: np.ndarray | None = None) -> np.ndarray:
    """Cosines between unit vectors x and q after subtracting a centre c from both, from their
    raw cosines: (x−c)·(q−c) / (|x−c| |q−c|), with x·c = `dots`, q·c = `query_dot`, |c|² = `centre_sq`
    (and |x−c| = `norms`, when computed beforehand).

    >>> x, q, c = np.array([[0.6, 0.8]]), np.array([1.0, 0.0]), np.array([0.5, 0.5])
    >>> centred_cosines(x @ q, x @ c, float(q @ c), float(c @ c)).round(4).tolist()
    [-0.4472]
    >>> a, b = x[0] - c, q - c
    >>> round(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)), 4)
    -0.4472
    """
    if norms is None:
        norms = centred_norms(dots, centre_sq)
    query_norm = math.sqrt(max(1 - 2 * query_dot + centre_sq, 1e-12))
    return (cosines - dots - query_dot + centre_sq) / (norms * query_norm)


def centred_norms(dots: np.ndarray, centre_sq: float) -> np.ndarray:
    """|x − c| for unit vectors x with x·c = `dots`."""
    return np.sqrt(np.maximum(1 - 2 * dots + centre_sq, 1e-12))


def standardise(scores: np.ndarray) -> np.ndarray:
    """Z-scores; a constant list becomes zeros.

    >>> standardise(np.array([1.0, 2.0, 3.0])).round(3).tolist()
    [-1.225, 0.0, 1.225]
    """
    sd = scores.std()
    return (scores - scores.mean()) / sd if sd > 0 else np.zeros_like(scores)


class Retriever:
    """Scores every chunk exactly on small corpora; on large ones (or with an approximate
    index) rescores only candidates: the top CANDIDATES of the vector index and of BM25."""

    def __init__(self, index: Index, settings: Settings, exact_limit: int = EXACT_LIMIT) -> None:
        import faiss

        self.index = index
        self.settings = settings
        self.n = len(index.chunks)
        self._chunk_of, self._sentence_of = index.membership
        # A store's own vector index says how far it searches exactly (rag/milvus_store.py).
        flat = isinstance(index.dense, faiss.IndexFlat)
        self.exact = self.n <= min(exact_limit, exact_limit if flat else getattr(index.dense, "exact_up_to", 0))
        if not self.exact:
            rows = np.arange(self.n)
            self._first = np.searchsorted(self._chunk_of, rows, "left")
            self._last = np.searchsorted(self._chunk_of, rows, "right")
        self.collections = np.asarray([c.collection for c in index.chunks], dtype=object)  # per chunk row
        self.essays = np.asarray([c.essay for c in index.chunks])
        self.lexical = index.lexical
        self.centre = index.vector_centre
        self._centre_sq = float(self.centre @ self.centre)
        df = self.lexical.document_frequencies().astype(np.float64)
        self._idf = np.log1p((self.n - df + 0.5) / (df + 0.5))

    def candidate_dense_scores(self, query_vector: np.ndarray, rows: np.ndarray, centred: bool = False) -> np.ndarray:
        """`dense_scores` for the chunks in `rows` only."""
        chunk_cos = self._cosines(self.index.dense.reconstruct_batch(rows), query_vector, centred)
        spans = [(self._first[r], self._last[r]) for r in rows]
        if not len(self._sentence_of) or all(a == b for a, b in spans):
            return chunk_cos
        sentence_rows = np.concatenate([self._sentence_of[a:b] for a, b in spans])
        cos = self._cosines(self.index.sentence_vectors[sentence_rows], query_vector, centred)
        owner = np.repeat(np.arange(len(rows)), [b - a for a, b in spans])
        return self._mix(chunk_cos, owner, cos)

    def _cosines(self, vectors: np.ndarray, query_vector: np.ndarray, centred: bool) -> np.ndarray:
        if not centred:
            return vectors @ query_vector
        both = vectors @ np.stack([query_vector, self.centre], axis=1)  # one pass: cosines and dots
        return centred_cosines(both[:, 0], both[:, 1], float(query_vector @ self.centre), self._centre_sq)

    def _mix(self, chunk_cos: np.ndarray, owner: np.ndarray, sentence_cos: np.ndarray) -> np.ndarray:
        """(1 - w) * chunk cosine + w * best cosine among the chunk's sentences (`owner[i]` holds
        sentence i); a chunk without a whole sentence keeps its chunk cosine."""
        best = np.full(len(chunk_cos), -1.0)
        np.maximum.at(best, owner, sentence_cos)
        w = self.settings.sentence_weight
        return np.where(best > -1.0, (1 - w) * chunk_cos + w * best, chunk_cos)

    def candidates(self, query_vector: np.ndarray | None, bm25_rows: np.ndarray | None) -> np.ndarray:
        """The rows worth rescoring: the vector index's top CANDIDATES and BM25's."""
        found = [] if bm25_rows is None else [bm25_rows]
        if query_vector is not None:
            _, ids = self.index.dense.search(query_vector.reshape(1, -1).astype(np.float32), CANDIDATES)
            found.append(ids[0][ids[0] >= 0])
        return np.unique(np.concatenate(found)).astype(np.int64) if found else np.zeros(0, dtype=np.int64)

    def dense_scores(self, query_vector: np.ndarray, centred: bool = False) -> np.ndarray:
        """Per chunk: mean of chunk cosine and best-sentence cosine (chunk cosine alone if no
        sentences); with `centred`, cosines of the centred vectors (see the module's note)."""
        query = query_vector.reshape(1, -1).astype(np.float32)
        scores, ids = self.index.dense.search(query, self.n)
        chunk_cos = np.full(self.n, -1.0)
        chunk_cos[ids[0][ids[0] >= 0]] = scores[0][ids[0] >= 0]
        has_sentences = len(self._sentence_of) > 0
        sentence_cos = self.index.sentence_vectors[self._sentence_of] @ query_vector if has_sentences else None
        if centred:
            query_dot = float(query_vector @ self.centre)
            (chunk_dots, chunk_norms), (sentence_dots, sentence_norms) = self._centre_dots
            chunk_cos = centred_cosines(chunk_cos, chunk_dots, query_dot, self._centre_sq, chunk_norms)
            if has_sentences:
                sentence_cos = centred_cosines(sentence_cos, sentence_dots, query_dot, self._centre_sq, sentence_norms)
        if not has_sentences:
            return chunk_cos
        return self._mix(chunk_cos, self._chunk_of, sentence_cos)

    @cached_property
    def _centre_dots(self) -> tuple[tuple, tuple]:
        """(x·c, |x − c|) for every chunk vector and for every chunk's sentence vectors (in
        `_sentence_of` order), c the centre: the exact path's, computed once."""
        def dots_and_norms(dots):
            return dots, centred_norms(dots, self._centre_sq)

        chunks = dots_and_norms(self.index.dense.reconstruct_batch(np.arange(self.n)) @ self.centre)
        if not len(self._sentence_of):
            return chunks, (None, None)
        return chunks, dots_and_norms(self.index.sentence_vectors[self._sentence_of] @ self.centre)

    def bm25_scores(self, tokens: list[str]) -> tuple[np.ndarray, float]:
        """BM25 score per chunk, and the share of the query's IDF mass the top chunk contains."""
        ids = token_ids(self.lexical, tokens)
        if not ids:
            return np.zeros(self.n), 0.0
        scores = self.lexical.scores(ids)
        return scores, self.coverage(tokens, ids, int(np.argmax(scores)))

    def bm25_candidates(self, tokens: list[str]) -> tuple[list[int], np.ndarray, float]:
        """(term ids, BM25's top CANDIDATES rows, coverage): the large-corpus form of `bm25_scores`."""
        ids = token_ids(self.lexical, tokens)
        rows, scores = self.lexical.top(ids, CANDIDATES) if ids else (np.zeros(0, dtype=np.int64), None)
        return ids, rows, self.coverage(tokens, ids, int(rows[0])) if len(rows) else 0.0

    def coverage(self, tokens: list[str], ids: list[int], top: int) -> float:
        """The share of the query's IDF mass that chunk `top` contains; query words unknown to
        the corpus count against it too, at the highest IDF."""
        matched = sum(self._idf[t] for t in np.intersect1d(ids, self.lexical.terms_of(top)))
        unknown = len(set(tokens)) - len(ids)
        total = sum(self._idf[t] for t in ids) + unknown * math.log1p((self.n + 0.5) / 0.5)
        return float(matched / total) if total else 0.0

    def query_coverage(self, tokens: list[str]) -> float:
        """The share of the query's IDF mass that its best BM25 passage contains (see `coverage`)."""
        return self.bm25_candidates(tokens)[2]

    def idf(self, token: str) -> float:
        """IDF of a token over the chunks; a word the corpus never uses gets the highest."""
        token_id = self.lexical.vocabulary.get(token)
        return float(self._idf[token_id]) if token_id is not None else math.log1p((self.n + 0.5) / 0.5)

    def scores(self, query_vector: np.ndarray | None, tokens: list[str], mode: str) -> np.ndarray:
        check_choice("mode", mode, MODES)
        if mode == "dense":
            return self.dense_scores(query_vector)
        bm25, coverage = self.bm25_scores(tokens)
        if mode == "bm25":
            return bm25
        return standardise(self.dense_scores(query_vector, centred=True)) + coverage * standardise(bm25)

    def candidate_scores(self, query_vector: np.ndarray | None, tokens: list[str], mode: str,
                         collection: str | None = None, k: int = 0):
        """(rows, scores) over the candidates only; the large-corpus form of `scores`. With
        `collection`, only its rows; when the candidates hold fewer than `k` of them (a small
        collection in a large corpus), every row of the collection is scored instead."""
        ids, bm25_rows, coverage = self.bm25_candidates(tokens) if mode != "dense" else ([], None, 0.0)
        rows = self.candidates(query_vector if mode != "bm25" else None, bm25_rows)
        if collection is not None:
            rows = rows[self.collections[rows] == collection]
            if len(rows) < k:
                rows = np.flatnonzero(self.collections == collection)
        bm25 = self.lexical.scores_at(ids, rows) if ids else np.zeros(len(rows))
        if mode == "bm25":
            return rows, bm25
        if mode == "dense":
            return rows, self.candidate_dense_scores(query_vector, rows)
        dense = self.candidate_dense_scores(query_vector, rows, centred=True)
        return rows, standardise(dense) + coverage * standardise(bm25)

    def search(self, query_vector: np.ndarray | None, tokens: list[str], k: int, mode: str,
               collection: str | None = None, authors: set[int] | frozenset[int] = frozenset()) -> list[Hit]:
        """The top `k` chunks; with `collection`, only chunks of that collection (corpus subfolder).
        In hybrid mode the passages of `authors` (essay numbers whose author the question names)
        gain AUTHOR_BONUS."""
        if self.exact:
            rows, scores = np.arange(self.n), self.scores(query_vector, tokens, mode)
            if collection is not None:
                keep = self.collections == collection
                rows, scores = rows[keep], scores[keep]
        else:
            check_choice("mode", mode, MODES)
            rows, scores = self.candidate_scores(query_vector, tokens, mode, collection, k)
        if authors and mode == "hybrid":
            scores = scores + AUTHOR_BONUS * np.isin(self.essays[rows], list(authors))
        order = np.argsort(-scores, kind="stable")[:k]
        if mode == "bm25":
            order = [i for i in order if scores[i] > 0]
        return [Hit(r, float(scores[i]), self.index.chunks[int(rows[i])], int(rows[i]))
                for r, i in enumerate(order, start=1)]
