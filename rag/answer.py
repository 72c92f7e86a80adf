"""Compose an extractive answer from retrieved passages, with numbered citations, or refuse.

The answer is made of whole sentences copied from the top passages, never cut or rewritten,
so numbers, names and lists come through intact. A sentence's score is its cosine to the
question (sentence vectors are precomputed at index time), plus the IDF-weighted share of the
question's words it contains, plus a prior for the rank of its passage. The best sentence is
kept with those close to it, in source order, each followed by the marker [n] of its passage.
A question about what several participants wrote ("几位学员…都谈了什么") gathers one sentence
from each passage that holds part of it, preferring different essays; other lists ("有哪些…")
take the passages whose sentences score close to the best.

Refusal ("资料中未找到…") happens when
- the question asks for a kind of answer — a date, a duration, an amount of money, a number,
  a person — and no relevant sentence of the top passages contains one; or
- the question names nothing from the corpus and no sentence comes close to it in meaning
  (an off-topic question); or
- the question states a number or an ordinal ("2023年", "第二期") that the passages the
  answer would cite never mention.
The nearest passages then go to `related`, labelled as possibly related.
Leaves out: retrieval, follow-up resolution (assistant.py) and LLM answers (llm.py).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rag.index import Index
from rag.retrieve import Hit
from rag.text import Tokenizer

ANSWER_PASSAGES = 5  # passages an answer may quote from
SURVEY_PASSAGES = 8
MAX_SENTENCES = 2
MAX_SURVEY_SENTENCES = 4
SCORE_MARGIN = 0.05  # a second sentence must score within this of the best
SHORT_SENTENCE = 60  # characters; a best sentence shorter than this brings the next one along
SURVEY_MARGIN = 0.15
TYPE_MARGIN = 0.2  # a sentence holding the asked-for kind of answer may score this much lower
OVERLAP_WEIGHT = 0.3
RANK_PRIOR = 0.1  # added as RANK_PRIOR / rank of the passage
OFF_TOPIC_SIMILARITY = 0.73  # calibrated on eval/qa.jsonl; see eval/NOTES.md
NOT_FOUND = "资料中未找到关于“{topic}”的内容。"

_CN_NUM = "零〇一二三四五六七八九十百千万亿两半"
_UNITS = "个位名户条项座堂次亩公里棵家所期人年天成倍辆米"
# (kind, what in a question asks for it, what in a sentence supplies it; None: a person's name)
ANSWER_KINDS: tuple[tuple[str, re.Pattern, re.Pattern | None], ...] = (
    ("date", re.compile(r"哪一?年|什么时[候间]|何时|哪一?天|哪几天|几月|几号"),
     re.compile(r"\d{4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|[一二三四五六七八九十]+月")),
    ("duration", re.compile(r"多长时间|多久|多少年|多少天"),
     re.compile(rf"\d+\s*(?:年|个月|天|周)|[{_CN_NUM}]+(?:年|个月|天|周)")),
    ("money", re.compile(r"多少钱|几块钱|投资多少|总投资|多少资金|多少经费|收入有?多少|分到多少|卖多少"),
     re.compile(rf"(?:\d[\d.,]*|[{_CN_NUM}]+)\s*(?:万|亿)?元|\d[\d.]*\s*(?:万|亿)(?!\s*(?:亩|人|户|公里|平方))")),
    ("person", re.compile(r"是谁|哪位|姓名|什么人|(?:书记|支书|局长|老师|主任|村长|镇长|乡长|县长|负责人|领导|作者)叫什么"), None),
    ("number", re.compile(rf"多少|多大|第几|(?<=.)(?<!哪)几[{_UNITS}]"),
     re.compile(rf"\d|[{_CN_NUM}]+[{_UNITS}]")),
)
# Questions about what several essays say: gather one sentence from each essay.
SURVEY_CUES = re.compile(r"几位|几篇|学员们|大家|各自|不同(?:学员|作者|文章)|都(?:谈|说|提|讲|写|怎么)")
# Questions asking for an enumeration: no single number or name answers them.
LIST_CUES = re.compile(r"哪些|哪几|分别|列举|包括|" + SURVEY_CUES.pattern)
_TERMINAL = "。！？；!?;"


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
    reason: str = ""  # why the essays were judged not to answer (empty when answered)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "answer": self.answer, "answerable": self.answerable,
            "citations": [c.to_dict() for c in self.citations],
            "related": [h.to_dict() for h in self.related],
            "related_label": "其他相关段落" if self.answerable else "可能相关",
            "backend": self.backend, "notes": self.notes, "refusal_reason": self.reason,
        }


def with_marker(sentence: str, n: int) -> str:
    """Put [n] before the sentence's closing punctuation; a clause ending in a semicolon
    closes with a full stop instead, since the answer quotes it on its own.

    >>> with_marker("一举数得。", 2), with_marker("誉为“实事”。", 1), with_marker("无标点", 3)
    ('一举数得[2]。', '誉为“实事”[1]。', '无标点[3]')
    >>> with_marker("过上了现代化生活;", 1)
    '过上了现代化生活[1]。'
    """
    body = sentence.rstrip()
    if body.endswith((";", "；")):
        body = body[:-1] + "。"
    tail = len(body)
    while tail > 0 and body[tail - 1] in _TERMINAL:
        tail -= 1
    return f"{body[:tail]}[{n}]{body[tail:]}"


def is_heading_like(sentence: str) -> bool:
    """A heading line (short, no closing punctuation) says what follows, it answers nothing.

    >>> is_heading_like("(二)着力提升养老服务水平"), is_heading_like("加快发展普惠型养老服务。")
    (True, False)
    """
    body = sentence.strip().rstrip("”’」』)）")
    return len(body) < 40 and not body.endswith(tuple(_TERMINAL + "…"))


def asked_kind(question: str) -> str | None:
    """The kind of answer a question asks for, if it asks for one; lists ask for none.

    >>> asked_kind("余村的矿山是哪一年关停的？"), asked_kind("几位学员对何斯路村都谈了什么？")
    ('date', None)
    >>> asked_kind("村里的后备干部至少要储备几名？"), asked_kind("义乌何斯路村现在的支部书记是谁？")
    ('number', 'person')
    """
    if LIST_CUES.search(question):
        return None
    return next((kind for kind, asks, _ in ANSWER_KINDS if asks.search(question)), None)


def stated_numbers(question: str) -> list[str]:
    """Numbers and ordinals the question itself states; an answer must be about those.

    >>> stated_numbers("2023年X区的GDP是多少？"), stated_numbers("第二期培训班什么时候开班？")
    (['2023'], ['第二期'])
    """
    return re.findall(r"\d+(?:\.\d+)?", question) + re.findall(r"第[一二三四五六七八九十]+[期届次批轮]", question)


def asked_unit(question: str) -> str | None:
    """The unit a "how many" question counts in, if it names one.

    >>> asked_unit("薰衣草庄园占地多少亩？"), asked_unit("总里程是多少？"), asked_unit("先打造几个？")
    ('亩', None, '个')
    """
    m = re.search(rf"(?:多少|(?<!哪)几)(公里|平方米|[{_UNITS}元])", question)
    return m.group(1) if m else None


def is_survey_question(question: str) -> bool:
    """Whether the question asks what several participants wrote.

    >>> is_survey_question("几位学员对何斯路村的经验都谈了什么？"), is_survey_question("五众工作法包括哪五条？")
    (True, False)
    """
    return bool(SURVEY_CUES.search(question))


def refusal(question: str, hits: list[Hit], reason: str, notes: list[str] | None = None) -> Answer:
    topic = question.rstrip("?？!！。 ")
    return Answer(question, NOT_FOUND.format(topic=topic), False, [], hits, notes=list(notes or []), reason=reason)


class Composer:
    """Scores the sentences inside passages against a question and writes the answer."""

    def __init__(self, index: Index, tokenizer: Tokenizer, idf: Callable[[str], float]) -> None:
        self.index = index
        self.tokenizer = tokenizer
        self.idf = idf
        self._starts: dict[str, list[int]] = {}
        self._rows: dict[str, list[int]] = {}
        for row, s in enumerate(index.sentences):
            self._starts.setdefault(s.source, []).append(s.start)
            self._rows.setdefault(s.source, []).append(row)
        self._tokens: dict[int, frozenset[str]] = {}

    def text(self, row: int) -> str:
        s = self.index.sentences[row]
        return self.index.sources[s.source][s.start : s.end]

    def tokens(self, row: int) -> frozenset[str]:
        if row not in self._tokens:
            self._tokens[row] = frozenset(self.tokenizer.tokenize(self.text(row)))
        return self._tokens[row]

    def rows_in(self, hit: Hit) -> list[int]:
        """Index rows of the answer-worthy sentences lying wholly inside the hit's passage."""
        c = hit.chunk
        starts, rows = self._starts.get(c.source, []), self._rows.get(c.source, [])
        out = []
        for i in range(bisect.bisect_left(starts, c.start), len(starts)):
            s = self.index.sentences[rows[i]]
            if s.start >= c.end:
                break
            if s.end <= c.end and not is_heading_like(self.text(rows[i])):
                out.append(rows[i])
        return out

    def supplies(self, row: int, kind: str, unit: str | None = None) -> bool:
        """Whether sentence `row` contains the kind of answer asked for (in `unit`, if given)."""
        text = self.text(row)
        if kind == "person":
            return bool(self.tokenizer.person_names(text))
        if kind == "number" and unit:
            return bool(re.search(rf"(?:\d[\d.]*|[{_CN_NUM}]+)\s*多?{re.escape(unit)}", text))
        pattern = next(p for k, _, p in ANSWER_KINDS if k == kind)
        return bool(pattern.search(text))

    def compose(self, question: str, hits: list[Hit], query_vector: np.ndarray, query_tokens: list[str],
                names: list[str]) -> Answer:
        """The best sentences of the top passages with citations, or a refusal."""
        if not hits:
            return refusal(question, hits, "没有检索到段落")
        survey = is_survey_question(question)
        pool = hits[: SURVEY_PASSAGES if survey else ANSWER_PASSAGES]
        owner: dict[int, Hit] = {}
        for hit in pool:
            for row in self.rows_in(hit):
                owner.setdefault(row, hit)  # overlapping passages share sentences: keep the better-ranked
        rows = list(owner)
        if not rows:
            return refusal(question, hits, "段落中没有完整的句子")
        scores, cosine = self.sentence_scores(query_vector, query_tokens, rows, np.array([owner[r].rank for r in rows]))
        best = float(scores.max())
        if not names and float(cosine.max()) < OFF_TOPIC_SIMILARITY:
            return refusal(question, hits, "问题与资料内容不相关")
        kind = asked_kind(question)
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        if kind is not None:
            unit = asked_unit(question) if kind == "number" else None
            order = [i for i in order if scores[i] >= best - TYPE_MARGIN and self.supplies(rows[i], kind, unit)]
            if not order:
                return refusal(question, hits, f"资料中没有所问的{KIND_NAMES[kind]}")
        chosen = self._choose([rows[i] for i in order], [float(scores[i]) for i in order], owner, survey)
        cited_text = "".join(owner[r].chunk.text for r in chosen)
        missing = [n for n in stated_numbers(question) if n not in cited_text]
        if missing:
            return refusal(question, hits, f"资料中没有提到问题中的“{'、'.join(missing)}”")
        return self._write(question, chosen, owner, hits)

    def compose_per_essay(self, question: str, hits: list[Hit], query_vector: np.ndarray, query_tokens: list[str],
                          spellings: set[str], related: list[Hit]) -> Answer:
        """One citation per essay: from each hit (one per essay), its best sentence naming the place."""
        from rag.dossier import mentions

        owner: dict[int, Hit] = {}
        chosen = []
        for hit in hits:
            rows = [r for r in self.rows_in(hit) if mentions(self.text(r), spellings)] or self.rows_in(hit)
            if not rows:
                continue
            scores, _ = self.sentence_scores(query_vector, query_tokens, rows, hit.rank)
            best = rows[int(np.argmax(scores))]
            owner[best] = hit
            chosen.append(best)
        if not chosen:
            return refusal(question, related, "段落中没有完整的句子")
        answer = self._write(question, chosen, owner, hits)
        answer.related = [h for h in related if h.index not in {c.hit.index for c in answer.citations}]
        return answer

    def sentence_scores(self, query_vector: np.ndarray, query_tokens: list[str], rows: list[int],
                        ranks) -> tuple[np.ndarray, np.ndarray]:
        """(scores, cosines) of sentences `rows` whose passages have retrieval rank(s) `ranks`:
        cosine + OVERLAP_WEIGHT * IDF-weighted share of the question's words + RANK_PRIOR / rank."""
        cosine = self.index.sentence_vectors[rows] @ query_vector
        wanted = {t: self.idf(t) for t in set(query_tokens)}
        total = sum(wanted.values())
        overlap = np.array([sum(w for t, w in wanted.items() if t in self.tokens(r)) / total if total else 0.0
                            for r in rows])
        return cosine + OVERLAP_WEIGHT * overlap + RANK_PRIOR / np.asarray(ranks, dtype=float), cosine

    def _next_in_passage(self, row: int, hit: Hit) -> int | None:
        following = row + 1
        if following < len(self.index.sentences) and following in self.rows_in(hit):
            return following
        return None

    def _choose(self, rows: list[int], scores: list[float], owner: dict[int, Hit], survey: bool) -> list[int]:
        top = scores[0]
        if not survey:
            chosen = [rows[0]]
            # A short best sentence often only sets the scene ("2009年,…准备建一个旅游集散中心");
            # the sentence after it, in the same passage, tends to carry the substance.
            following = self._next_in_passage(rows[0], owner[rows[0]])
            if len(self.text(rows[0]).strip()) < SHORT_SENTENCE and following is not None:
                chosen.append(following)
            for row, score in zip(rows[1:], scores[1:]):
                if len(chosen) >= MAX_SENTENCES or score < top - SCORE_MARGIN:
                    break
                if row not in chosen:
                    chosen.append(row)
            return chosen
        # A survey: the best sentence of each passage, new essays first, while close enough.
        chosen, passages, essays = [], set(), set()
        for prefer_new_essay in (True, False):
            for row, score in zip(rows, scores):
                hit = owner[row]
                if len(chosen) == MAX_SURVEY_SENTENCES or score < top - SURVEY_MARGIN:
                    break
                if row in chosen or hit.index in passages or (prefer_new_essay and hit.chunk.essay in essays):
                    continue
                chosen.append(row)
                passages.add(hit.index)
                essays.add(hit.chunk.essay)
        return chosen

    def _write(self, question: str, chosen: list[int], owner: dict[int, Hit], hits: list[Hit]) -> Answer:
        sentences = self.index.sentences
        chosen = sorted(chosen, key=lambda r: (owner[r].chunk.essay, sentences[r].start))
        numbers: dict[int, int] = {}
        quotes: dict[int, list[int]] = {}
        parts = []
        for row in chosen:
            hit = owner[row]
            n = numbers.setdefault(hit.index, len(numbers) + 1)
            quotes.setdefault(hit.index, []).append(row)
            parts.append(with_marker(self.text(row), n))
        by_index = {owner[r].index: owner[r] for r in chosen}
        citations = [
            Citation(n, by_index[i], "".join(self.text(r).strip() for r in quotes[i]),
                     tuple((sentences[r].start, sentences[r].end) for r in quotes[i]))
            for i, n in numbers.items()
        ]
        related = [h for h in hits if h.index not in numbers]
        return Answer(question, "".join(parts), True, citations, related)


KIND_NAMES = {"date": "时间", "duration": "时长", "money": "金额", "person": "人名", "number": "数字"}
