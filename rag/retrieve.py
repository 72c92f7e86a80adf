"""Rank chunks for a question: dense (FAISS), sparse (BM25 over jieba tokens), or both fused.

Fusion is weighted reciprocal rank fusion: each retriever contributes w / (rrf_k + rank)
for its top `fusion_depth` chunks. Ranks, unlike raw scores, are comparable between a
cosine and a BM25 scale, so no per-corpus score calibration is needed.
Leaves out: answer composition (answer.py) and follow-up handling (assistant.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.chunk import Chunk
from rag.config import MODES, Settings, check_choice
from rag.index import Index
from rag.text import Tokenizer


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    chunk: Chunk
    index: int  # row of the chunk in the index

    def to_dict(self) -> dict:
        """The contract shape of one search hit (DESIGN.md §Contract)."""
        c = self.chunk
        return {
            "rank": self.rank, "score": round(float(self.score), 6), "chunk_id": c.chunk_id,
            "essay": c.essay, "title": c.title, "author": c.author, "heading": c.heading,
            "start": c.start, "end": c.end, "text": c.text, "source": c.source,
        }


def rrf(rankings: list[tuple[list[int], float]], rrf_k: int) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion of several rankings (best first).

    >>> rrf([([1, 2], 1.0), ([2, 3], 1.0)], rrf_k=0)
    [(2, 1.5), (1, 1.0), (3, 0.5)]
    """
    scores: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever:
    def __init__(self, index: Index, tokenizer: Tokenizer, settings: Settings) -> None:
        self.index = index
        self.tokenizer = tokenizer
        self.settings = settings

    def dense(self, query_vector: np.ndarray, depth: int) -> list[tuple[int, float]]:
        depth = min(depth, len(self.index.chunks))
        scores, ids = self.index.dense.search(query_vector.reshape(1, -1).astype(np.float32), depth)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def bm25(self, tokens: list[str], depth: int) -> list[tuple[int, float]]:
        ids = self.index.bm25.get_tokens_ids(tokens)
        if not ids:
            return []
        scores = self.index.bm25.get_scores_from_ids(ids)
        top = np.argsort(-scores, kind="stable")[:depth]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def search(self, query_vector: np.ndarray, tokens: list[str], k: int, mode: str) -> list[Hit]:
        check_choice("mode", mode, MODES)
        depth = max(k, self.settings.fusion_depth)
        if mode == "dense":
            ranked = self.dense(query_vector, depth)
        elif mode == "bm25":
            ranked = self.bm25(tokens, depth)
        else:
            dense = [i for i, _ in self.dense(query_vector, depth)]
            sparse = [i for i, _ in self.bm25(tokens, depth)]
            ranked = rrf([(dense, self.settings.dense_weight), (sparse, self.settings.bm25_weight)], self.settings.rrf_k)
        return [Hit(r, score, self.index.chunks[i], i) for r, (i, score) in enumerate(ranked[:k], start=1)]
