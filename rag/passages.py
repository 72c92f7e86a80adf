"""The sentences of the indexed passages as an answer quotes them: their text and words, the
passages they lie in, the essay they belong to, and windows of clauses around a span.
Leaves out: scoring and choosing sentences (answer.py) and enumerations (lists.py).
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property

from rag.schema import Hit
from rag.store import Index
from rag.text import SENTENCE_END, Tokenizer

_CLAUSE_END = re.compile(r"[,，;；:：]+")

Piece = tuple[int, int, int]  # (sentence row, source start, source end): a whole sentence or a window of one


class Passages:
    """Sentence rows of an index, with what an answer needs to know about each."""

    def __init__(self, index: Index, tokenizer: Tokenizer) -> None:
        self.index = index
        self.tokenizer = tokenizer
        self._chunk_starts: dict[str, list[tuple[int, int]]] = {}
        for row, c in enumerate(index.chunks):
            self._chunk_starts.setdefault(c.source, []).append((c.start, row))
        self._tokens: dict[int, frozenset[str]] = {}
        self._essay_spans: dict[str, list[tuple[int, int]]] = {}
        for number, e in enumerate(index.essays):
            self._essay_spans.setdefault(e.source, []).append((e.start, number))
        self._title_tokens: dict[int, frozenset[str]] = {}
        self._author_words: dict[int, frozenset[str]] = {}

    def text(self, row: int) -> str:
        s = self.index.sentences[row]
        return self.index.sources[s.source][s.start : s.end]

    def tokens(self, row: int) -> frozenset[str]:
        if row not in self._tokens:
            self._tokens[row] = frozenset(self.tokenizer.tokenize(self.text(row)))
        return self._tokens[row]

    def implied_tokens(self, row: int, writers: frozenset[int] = frozenset()) -> frozenset[str]:
        """Words every sentence of an essay is about without saying them: its title's (a
        paragraph titled 黄鳍紫鱼 says "本鱼体呈淡蓝红色"); and, for the essays `writers` whose
        writer the question names as saying what it asks ("交通运输局局长说培训班在哪开班"), the
        author line's words too, which every sentence of it is said by."""
        number = self._essay_index(row)
        if number is None:
            return frozenset()
        if number not in self._title_tokens:
            self._title_tokens[number] = frozenset(self.tokenizer.tokenize(self.index.essays[number].title))
        if number + 1 in writers:
            return self._title_tokens[number] | self._author_tokens(number)
        return self._title_tokens[number]

    def _author_tokens(self, number: int) -> frozenset[str]:
        if number not in self._author_words:
            self._author_words[number] = frozenset(self.tokenizer.tokenize(self.index.essays[number].author))
        return self._author_words[number]

    def rows_in(self, hit: Hit, headings: bool = False) -> list[int]:
        """Index rows of the sentences lying wholly inside the hit's passage; heading lines only
        when `headings` (they answer nothing on their own, but they are a list's items)."""
        return [r for r in self.index.sentence_rows(hit.row) if headings or not is_heading_like(self.text(r))]

    def _essay_index(self, row: int) -> int | None:
        """The 0-based index of the essay sentence `row` starts in (the last essay of its source
        starting at or before it), or None."""
        s = self.index.sentences[row]
        spans = self._essay_spans.get(s.source, [])
        i = bisect.bisect_right(spans, (s.start, len(self.index.essays))) - 1
        return spans[i][1] if i >= 0 else None

    @cached_property
    def _rows_by_essay(self) -> dict[int, list[int]]:
        """Essay number (1-based) → its sentence rows in text order, grouped once."""
        rows: dict[int, list[int]] = {}
        for row, s in enumerate(self.index.sentences):
            i = self._essay_index(row)
            if i is not None and s.start < self.index.essays[i].end:
                rows.setdefault(i + 1, []).append(row)
        return rows

    def essay_rows(self, number: int) -> list[int]:
        """The sentence rows of essay `number` (1-based, as chunks number them), in text order."""
        return self._rows_by_essay.get(number, [])

    def paragraph_openings(self, number: int) -> list[int]:
        """The rows of essay `number`'s sentences that open a paragraph, in text order."""
        return [r for r in self.essay_rows(number) if self.opens_paragraph(r)]

    def opens_paragraph(self, row: int) -> bool:
        """Whether sentence `row` starts a line of its source text (a paragraph)."""
        s = self.index.sentences[row]
        return s.start == 0 or self.index.sources[s.source][: s.start].rstrip(" \t\u3000").endswith("\n")

    def same_essay(self, row: int, other: int) -> bool:
        if not 0 <= other < len(self.index.sentences):
            return False
        a, b = self.index.sentences[row], self.index.sentences[other]
        if a.source != b.source:
            return False
        lo, hi = sorted((a.start, b.start))
        return not any(e.source == a.source and lo < e.start <= hi for e in self.index.essays)

    def hit_for(self, row: int, hits: list[Hit], owner: dict[int, Hit]) -> Hit:
        """The passage to cite for sentence `row`: its owner, a retrieved passage holding it, or
        the first passage of the index holding it (a list followed past the retrieved passage)."""
        if row in owner:
            return owner[row]
        s = self.index.sentences[row]
        holding = [r for start, r in self._chunk_starts.get(s.source, [])
                   if start <= s.start and s.end <= self.index.chunks[r].end]
        for hit in hits:
            if hit.row in holding:
                return hit
        chunk_row = holding[0] if holding else None
        if chunk_row is None:  # a sentence across two passages: the one it starts in
            chunk_row = max((r for start, r in self._chunk_starts[s.source] if start <= s.start),
                            key=lambda r: self.index.chunks[r].start)
        return Hit(len(hits) + 1, 0.0, self.index.chunks[chunk_row], chunk_row)

    def best_clause(self, row: int, words: set[str]) -> tuple[int, int]:
        """Span (within the sentence) of the clause sharing the most question words."""
        text = self.text(row)
        best, best_span = -1, (0, len(text))
        for s, e in clause_spans(text):
            shared = sum(len(w) for w in words if w in text[s:e])
            if shared > best:
                best, best_span = shared, (s, e)
        return best_span

    def window(self, row: int, span: tuple[int, int], budget: int) -> Piece:
        """Sentence `row` whole if it fits `budget`, else the clauses around `span` (offsets within
        the sentence) that fit."""
        s = self.index.sentences[row]
        text = self.text(row)
        if len(text) <= budget:
            return row, s.start, s.end
        clauses = clause_spans(text)
        i = next((k for k, (a, b) in enumerate(clauses) if a <= span[0] < b), 0)
        lo, hi = i, i
        while True:
            grown = False
            for lo2, hi2 in ((lo, hi + 1), (lo - 1, hi)):
                if 0 <= lo2 and hi2 < len(clauses) and clauses[hi2][1] - clauses[lo2][0] <= budget:
                    lo, hi, grown = lo2, hi2, True
            if not grown:
                break
        a, b = clauses[lo][0], min(clauses[hi][1], clauses[lo][0] + budget)
        return row, s.start + a, s.start + b


def is_heading_like(sentence: str) -> bool:
    """A heading line (short, no closing punctuation) says what follows, it answers nothing.

    >>> is_heading_like("(二)着力提升养老服务水平"), is_heading_like("加快发展普惠型养老服务。")
    (True, False)
    """
    body = sentence.strip().rstrip("”’」』)）")
    return len(body) < 40 and not body.endswith(tuple(SENTENCE_END + "…"))


_OPENING_DETERMINERS = re.compile(r"^[“\"「(（]?(?:其|本|该|此|这|那|它|牠)?")


def opens_on(sentence: str, part: str) -> bool:
    """Whether a sentence opens on `part`, the topic it then describes: the noun itself, or its
    head morpheme (树叶 → 叶, 身体 → 体; 叶子 → 叶), within its first characters after a
    determiner (其, 本, 该…).

    >>> opens_on("其叶螺旋状排列。", "树叶"), opens_on("本鱼体呈银灰色。", "身体"), opens_on("叶为披针形。", "叶子")
    (True, True, True)
    >>> opens_on("分布于长江中下游的湖泊。", "叶子"), opens_on("花为伞房花序。", "")
    (False, False)
    """
    if not part:
        return False
    forms = {part}
    if len(part) == 2:
        forms.add(part[0] if part[1] in "子儿部" else part[1])
    opening = _OPENING_DETERMINERS.sub("", sentence.lstrip())[: len(part) + 2]
    return any(form in opening for form in forms)


def strip_words(text: str, words: set[str]) -> str:
    """`text` without `words` (longest first) and its closing punctuation.

    >>> strip_words("黄鳍紫鱼的身体是什么颜色的？", {"黄鳍", "紫鱼"})
    '的身体是什么颜色的'
    """
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "")
    return text.strip(SENTENCE_END + "？ ")


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a sentence, cut after commas, semicolons and colons.

    >>> clause_spans("甲乙,丙丁;戊")
    [(0, 3), (3, 6), (6, 7)]
    """
    spans, start = [], 0
    for m in _CLAUSE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def clause_end(text: str, limit: int) -> int:
    """Length of the longest run of whole clauses of `text` within `limit` (at least one clause).

    >>> clause_end("一是坚持引领,发挥带头作用。", 8)
    7
    """
    spans = clause_spans(text)
    end = spans[0][1]
    for _, e in spans[1:]:
        if e > limit:
            break
        end = e
    return min(end, max(limit, spans[0][1]))
