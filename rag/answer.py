"""Compose an extractive answer from retrieved passages, with numbered citations.

The answer is made of whole sentences copied from the top passages, never cut or
rewritten, so numbers, names and lists come through intact. Each sentence is scored by
cosine similarity to the question (sentence vectors are precomputed at index time) plus
the share of the question's content words it contains; the best few are put in source
order, each followed by the marker [n] of the passage it comes from.
Leaves out: retrieval, and deciding from the conversation what to search for.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from rag.index import Index
from rag.retrieve import Hit

ANSWER_PASSAGES = 4  # passages the answer may quote from
MAX_SENTENCES = 3
SCORE_MARGIN = 0.08  # sentences within this of the best one are kept too
OVERLAP_WEIGHT = 0.3
_CLOSERS = "。！？；!?;”’」』)）"
NOT_FOUND = "资料中未找到关于“{topic}”的内容。"


@dataclass(frozen=True)
class Citation:
    n: int
    hit: Hit
    quote: str
    quote_spans: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict:
        return {"n": self.n, **self.hit.to_dict(), "quote": self.quote,
                "quote_spans": [list(span) for span in self.quote_spans]}


@dataclass
class Answer:
    question: str
    answer: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)
    backend: str = "extractive"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "answer": self.answer, "answerable": self.answerable,
            "citations": [c.to_dict() for c in self.citations],
            "related": [h.to_dict() for h in self.related],
            "backend": self.backend, "notes": self.notes,
        }


def with_marker(sentence: str, n: int) -> str:
    """Put [n] before the sentence's closing punctuation.

    >>> with_marker("一举数得。", 2), with_marker("誉为“实事”。", 1), with_marker("无标点", 3)
    ('一举数得[2]。', '誉为“实事”[1]。', '无标点[3]')
    """
    body = sentence.rstrip()
    tail = len(body)
    while tail > 0 and body[tail - 1] in "。！？；!?;":
        tail -= 1
    return f"{body[:tail]}[{n}]{body[tail:]}"


def is_heading_like(sentence: str) -> bool:
    """A heading line (short, no closing punctuation) says what follows, it answers nothing.

    >>> is_heading_like("(二)着力提升养老服务水平"), is_heading_like("加快发展普惠型养老服务。")
    (True, False)
    """
    body = sentence.strip().rstrip("”’」』)）")
    return len(body) < 40 and not body.endswith(tuple("。！？；!?;…"))


class SentencePicker:
    """Scores the sentences inside passages against a question."""

    def __init__(self, index: Index, tokenize) -> None:
        self.index = index
        self.tokenize = tokenize
        self._starts: dict[str, list[int]] = {}
        self._rows: dict[str, list[int]] = {}
        for row, s in enumerate(index.sentences):
            self._starts.setdefault(s.source, []).append(s.start)
            self._rows.setdefault(s.source, []).append(row)

    def rows_in(self, hit: Hit) -> list[int]:
        """Index rows of the answer-worthy sentences lying wholly inside the hit's passage."""
        c = hit.chunk
        starts, rows = self._starts.get(c.source, []), self._rows.get(c.source, [])
        lo = bisect.bisect_left(starts, c.start)
        out = []
        for i in range(lo, len(starts)):
            s = self.index.sentences[rows[i]]
            if s.start >= c.end:
                break
            if s.end <= c.end and not is_heading_like(self.index.sources[s.source][s.start : s.end]):
                out.append(rows[i])
        return out

    def text(self, row: int) -> str:
        s = self.index.sentences[row]
        return self.index.sources[s.source][s.start : s.end]

    def score(self, query_vector: np.ndarray, query_tokens: list[str], rows: list[int]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        cosine = self.index.sentence_vectors[rows] @ query_vector
        wanted = set(query_tokens)
        overlap = np.array([
            len(wanted & set(self.tokenize(self.text(r)))) / len(wanted) if wanted else 0.0 for r in rows
        ])
        return cosine + OVERLAP_WEIGHT * overlap


def compose(question: str, hits: list[Hit], picker: SentencePicker,
            query_vector: np.ndarray, query_tokens: list[str]) -> Answer:
    """The best sentences of the top passages, in source order, with citations."""
    if not hits:
        return Answer(question, NOT_FOUND.format(topic=question), False)
    pool = hits[:ANSWER_PASSAGES]
    candidates = [(hit, row) for hit in pool for row in picker.rows_in(hit)]
    if not candidates:
        return Answer(question, NOT_FOUND.format(topic=question), False, related=hits)
    scores = picker.score(query_vector, query_tokens, [row for _, row in candidates])
    order = np.argsort(-scores, kind="stable")
    best = scores[order[0]]
    chosen: list[tuple[Hit, int]] = []
    seen_rows: set[int] = set()
    for i in order:
        if len(chosen) == MAX_SENTENCES or scores[i] < best - SCORE_MARGIN:
            break
        hit, row = candidates[i]
        if row not in seen_rows:  # overlapping passages share sentences
            seen_rows.add(row)
            chosen.append((hit, row))
    sentence_of = picker.index.sentences
    chosen.sort(key=lambda hr: (hr[0].chunk.essay, sentence_of[hr[1]].start))
    numbers: dict[int, int] = {}
    quotes: dict[int, list[int]] = {}
    parts = []
    for hit, row in chosen:
        n = numbers.setdefault(hit.index, len(numbers) + 1)
        quotes.setdefault(hit.index, []).append(row)
        parts.append(with_marker(picker.text(row), n))
    by_index = {hit.index: hit for hit, _ in chosen}
    citations = [
        Citation(n, by_index[idx], "".join(picker.text(r).strip() for r in quotes[idx]),
                 tuple((sentence_of[r].start, sentence_of[r].end) for r in quotes[idx]))
        for idx, n in numbers.items()
    ]
    related = [h for h in hits if h.index not in numbers]
    return Answer(question, "".join(parts), True, citations, related)
