"""The BM25 side of an index behind one seam, `Lexical`: what retrieval asks of it, whichever
store holds it. `LocalBM25` answers from bm25s's score matrix and each chunk's term ids (the
local store); rag/milvus_store.py answers the same questions from sparse vectors in Milvus.

BM25 here is bm25s's (Lucene variant): a chunk's score is the sum, over the question's distinct
known terms, of a precomputed weight per (chunk, term). `chunk_weights` gives those weights
per chunk, which is all a sparse-vector engine needs to score the same way.
Leaves out: tokenising (text.py), building the index (build.py), fusion (retrieve.py).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Lexical(Protocol):
    vocabulary: dict[str, int]  # term → id
    size: int  # chunks

    def document_frequencies(self) -> np.ndarray:
        """Chunks containing each term id."""

    def scores(self, ids: list[int]) -> np.ndarray:
        """The BM25 score of every chunk for the distinct term ids `ids`."""

    def top(self, ids: list[int], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the `k` best chunks scoring above zero, best first."""

    def scores_at(self, ids: list[int], rows: np.ndarray) -> np.ndarray:
        """The scores of the chunks in `rows` only."""

    def terms_of(self, row: int) -> np.ndarray:
        """The term ids chunk `row` contains."""


def token_ids(lexical: Lexical, tokens: list[str]) -> list[int]:
    """The distinct ids of the tokens the index knows, sorted.

    >>> class Vocab: vocabulary = {"村": 0, "路": 1}
    >>> token_ids(Vocab(), ["路", "村", "路", "桥"])
    [0, 1]
    """
    return sorted({lexical.vocabulary[t] for t in tokens if t in lexical.vocabulary})


def best(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` highest positive scores, best first (ties by index).

    >>> best(np.array([0.0, 2.0, 1.0, 2.0]), 2).tolist()
    [1, 3]
    """
    positive = np.flatnonzero(scores > 0)
    return positive[np.argsort(-scores[positive], kind="stable")][:k]


def chunk_weights(bm25) -> list[dict[int, float]]:
    """Per chunk, {term id: its BM25 weight}, from bm25s's term-major score matrix (what a
    sparse-vector store keeps per chunk)."""
    scores = bm25.scores
    indptr, indices, data = scores["indptr"], scores["indices"], scores["data"]
    weights: list[dict[int, float]] = [{} for _ in range(scores["num_docs"])]
    for term in range(len(indptr) - 1):
        for position in range(indptr[term], indptr[term + 1]):
            weights[indices[position]][term] = float(data[position])
    return weights


class LocalBM25:
    """BM25 from a bm25s index and each chunk's term ids (CSR: chunk i holds
    terms[offsets[i]:offsets[i + 1]]), in memory."""

    def __init__(self, bm25, terms: np.ndarray, offsets: np.ndarray) -> None:
        self.bm25, self.terms, self.offsets = bm25, terms, offsets
        self.vocabulary = bm25.vocab_dict
        self.size = len(offsets) - 1
        self._last: tuple[tuple[int, ...], np.ndarray] | None = None  # top() then scores_at() score once

    def document_frequencies(self) -> np.ndarray:
        return np.bincount(self.terms, minlength=len(self.vocabulary))

    def scores(self, ids: list[int]) -> np.ndarray:
        last = self._last  # read once: another thread may replace it meanwhile
        if last is not None and last[0] == tuple(ids):
            return last[1]
        scores = np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float64)
        self._last = (tuple(ids), scores)
        return scores

    def top(self, ids: list[int], k: int) -> tuple[np.ndarray, np.ndarray]:
        scores = self.scores(ids)
        rows = best(scores, k)
        return rows, scores[rows]

    def scores_at(self, ids: list[int], rows: np.ndarray) -> np.ndarray:
        return self.scores(ids)[rows]

    def terms_of(self, row: int) -> np.ndarray:
        return self.terms[self.offsets[row] : self.offsets[row + 1]]
