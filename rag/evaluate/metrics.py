"""The question file (`eval/qa.jsonl`: schema, splits) and the metrics, all pure functions.

Relevance is decided by text, not by chunk ids: a passage is relevant to a question when it
contains one of the question's `evidence` strings, so numbers stay comparable when the
chunker changes. For ir-measures (trec_eval definitions) each retrieved passage is mapped
to the evidence it contains: the first passage holding evidence e becomes document "e"
(qrels: every evidence string of the question, relevance 1); passages holding none keep
their own id. Hit@k is trec_eval's Success@k, MRR@10 is RR@10, and Recall@10 is the
share of a question's evidence strings found in the top 10.

Answers are scored with metrics a long answer cannot game: key facts found within the
answer's first 200 characters (markers [n] removed), citation precision averaged per
question, refusal recall apart for near-miss and off-topic questions, and the median
answer length; two trivial answerers (top_passage_answer, top_passages_answer) are scored
the same way. Significance: scipy's paired permutation test on per-question reciprocal rank.
Leaves out: running systems (run.py) and writing reports (report.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from rag.jsonl import JsonlError, read_jsonl
from rag.schema import Hit

QUESTION_TYPES = ("fact", "number", "list", "paraphrase", "cross-essay", "follow-up", "unanswerable")
SPLITS = ("dev", "test")
SPLIT_CHOICES = ("dev", "test", "all")
REFUSALS = ("near-miss", "off-topic")
METRICS = ("Hit@1", "Hit@3", "Hit@5", "MRR@10", "nDCG@10", "Recall@10")
BASELINES = ("fixed-dense", "fixed-bm25")
ANSWER_LIMIT = 200  # characters of an answer that count (DESIGN.md: "within 200 characters")
TRIVIAL_PASSAGES = 5
# Answer systems of the report: ours, then the two trivial ones (they never refuse).
ANSWER_SYSTEMS = {"ours": "ours", "top-passage-200": "top passage[:200]", "top-5-passages": "top-5 passages"}
_MARKER = re.compile(r"\[\d+\]")


class EvalSetError(ValueError):
    """The question file is unusable; the message names the line (Chinese)."""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    question: str
    history: tuple[str, ...] = ()
    answer: str = ""
    facts: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    split: str = ""  # "dev" | "test" | "" (not assigned)
    refusal: str = ""  # unanswerable only: "near-miss" | "off-topic" | "" (not labelled)

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def load_questions(path: Path) -> list[Question]:
    """Read and check a JSONL question file (schema in eval/README.md)."""
    path = Path(path)
    questions, seen = [], set()
    try:
        rows = list(read_jsonl(path))
    except JsonlError as exc:
        raise EvalSetError(f"评测文件有误：{exc}") from None
    for number, raw in rows:
        if not raw.get("id") or not str(raw.get("question", "")).strip():
            raise EvalSetError(f"{path.name} 第 {number} 行缺少 id 或 question")
        qtype = raw.get("type", "fact")
        if qtype not in QUESTION_TYPES:
            raise EvalSetError(f"{path.name} 第 {number} 行的 type 无效：{qtype}（可选：{', '.join(QUESTION_TYPES)}）")
        if raw["id"] in seen:
            raise EvalSetError(f"{path.name} 第 {number} 行的 id 重复：{raw['id']}")
        seen.add(raw["id"])
        split = raw.get("split") or ""
        if split not in ("",) + SPLITS:
            raise EvalSetError(f"{path.name} 第 {number} 行的 split 无效：{split}（可选：{', '.join(SPLITS)}）")
        refusal = raw.get("refusal") or ""
        if refusal not in ("",) + REFUSALS:
            raise EvalSetError(f"{path.name} 第 {number} 行的 refusal 无效：{refusal}（可选：{', '.join(REFUSALS)}）")
        if refusal and qtype != "unanswerable":
            raise EvalSetError(f"{path.name} 第 {number} 行（{raw['id']}）不是 unanswerable，却标了 refusal")
        q = Question(str(raw["id"]), qtype, raw["question"], tuple(raw.get("history") or ()),
                     raw.get("answer", ""), tuple(raw.get("facts") or ()), tuple(raw.get("evidence") or ()),
                     split, refusal)
        if q.answerable and not q.evidence:
            raise EvalSetError(f"{path.name} 第 {number} 行（{q.id}）可回答却没有 evidence")
        questions.append(q)
    if not questions:
        raise EvalSetError(f"{path.name} 中没有问题")
    return questions


def split_groups(questions: list[Question], split: str = "all") -> dict[str, list[Question]]:
    """The question groups a run reports, headline first: {"test": …, "dev": …, "all": …}.

    `split` "dev" or "test" keeps only that split; "all" reports each split that has
    questions and all questions together. Raises EvalSetError when the split is empty.

    >>> qs = [Question("a", "fact", "?", split="dev"), Question("b", "fact", "?", split="test")]
    >>> {name: [q.id for q in group] for name, group in split_groups(qs).items()}
    {'test': ['b'], 'dev': ['a'], 'all': ['a', 'b']}
    """
    if split not in SPLIT_CHOICES:
        raise ValueError(f"unknown split {split!r}; allowed: {', '.join(SPLIT_CHOICES)}")
    if split != "all":
        chosen = [q for q in questions if q.split == split]
        if not chosen:
            raise EvalSetError(f"评测文件中没有 split 为 {split} 的问题（每行需要 \"split\": \"{split}\"）")
        return {split: chosen}
    groups = {name: [q for q in questions if q.split == name] for name in ("test", "dev")}
    return {**{name: group for name, group in groups.items() if group}, "all": list(questions)}


def shown_splits(groups: Iterable[str]) -> list[str]:
    """The columns a report shows: test and dev side by side (test first), else the one there is.

    >>> shown_splits(["test", "dev", "all"]), shown_splits(["all"]), shown_splits(["dev"])
    (['test', 'dev'], ['all'], ['dev'])
    """
    groups = list(groups)
    named = [g for g in groups if g in SPLITS]
    return named or groups


# ------------------------------------------------------------------ retrieval metrics (pure)


def evidence_in(text: str, evidence: tuple[str, ...]) -> list[int]:
    """Indices of the evidence strings that `text` contains.

    >>> evidence_in("五四村以30亩土地折价入股", ("30亩土地", "9%的股份"))
    [0]
    """
    return [i for i, e in enumerate(evidence) if e in text]


def to_trec(rankings: dict[str, list[list[int]]], doc_ids: dict[str, list[str]]):
    """Qrels-free run for ir-measures: passage → evidence pseudo-documents (see module doc)."""
    import ir_measures

    run = []
    for qid, ranked in rankings.items():
        seen: set[int] = set()
        score = float(len(ranked) + 1)
        for contained, doc in zip(ranked, doc_ids[qid], strict=True):
            new = [e for e in contained if e not in seen]
            seen.update(new)
            for name in [f"ev{e}" for e in new] or [doc]:
                run.append(ir_measures.ScoredDoc(qid, name, score))
                score -= 1.0 / (len(contained) + 2)  # strictly decreasing, keeps rank order
            score = float(int(score))
    return run


def retrieval_metrics(rankings: dict[str, list[list[int]]], n_evidence: dict[str, int],
                      doc_ids: dict[str, list[str]] | None = None) -> tuple[dict, dict]:
    """Aggregate and per-question metrics.

    `rankings[qid]` lists, for each retrieved passage in rank order, the indices of the
    evidence strings it contains; `n_evidence[qid]` is how many evidence strings the
    question has. Returns ({metric: mean}, {qid: {metric: value}}).
    """
    import ir_measures
    from ir_measures import RR, R, Success, nDCG

    doc_ids = doc_ids or {q: [f"p{i}" for i in range(len(r))] for q, r in rankings.items()}
    qrels = [ir_measures.Qrel(q, f"ev{e}", 1) for q, n in n_evidence.items() for e in range(n)]
    measures = {"Hit@1": Success @ 1, "Hit@3": Success @ 3, "Hit@5": Success @ 5,
                "MRR@10": RR @ 10, "nDCG@10": nDCG @ 10, "Recall@10": R @ 10}
    run = to_trec(rankings, doc_ids)
    per_query: dict[str, dict] = {q: {name: 0.0 for name in measures} for q in rankings}
    by_measure = {m: name for name, m in measures.items()}
    for metric in ir_measures.iter_calc(list(measures.values()), qrels, run):
        per_query[metric.query_id][by_measure[metric.measure]] = float(metric.value)
    aggregate = {name: float(np.mean([per_query[q][name] for q in per_query])) if per_query else 0.0
                 for name in measures}
    return aggregate, per_query


def first_relevant_rank(ranked: list[list[int]]) -> int | None:
    """1-based rank of the first passage holding any evidence, or None.

    >>> first_relevant_rank([[], [1], [0]])
    2
    """
    return next((r for r, contained in enumerate(ranked, start=1) if contained), None)


def paired_randomization(a: list[float], b: list[float], rounds: int = 10000, seed: int = 0) -> float:
    """Two-sided p-value that mean(a) and mean(b) differ: scipy's paired permutation test
    (each pair's values swapped at random, i.e. the sign of each difference flipped).

    >>> paired_randomization([1, 1, 1], [1, 1, 1])
    1.0
    """
    from scipy.stats import permutation_test

    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if not len(diff) or not diff.any():
        return 1.0
    result = permutation_test((np.asarray(a, dtype=float), np.asarray(b, dtype=float)),
                              lambda x, y, axis: np.mean(x - y, axis=axis), permutation_type="samples",
                              vectorized=True, n_resamples=rounds, alternative="two-sided", random_state=seed)
    return float(result.pvalue)


def percentile_ms(seconds: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(seconds) * 1000, q)) if seconds else 0.0


# ------------------------------------------------------------------ answer metrics (pure)


def strip_markers(text: str) -> str:
    """The answer as a reader counts it: citation markers removed.

    >>> strip_markers("以30亩[1]入股[12]。")
    '以30亩入股。'
    """
    return _MARKER.sub("", text)


def fact_recall(answer: str, facts: tuple[str, ...], limit: int | None = None) -> float | None:
    """Share of `facts` found in the answer (markers [n] removed, then cut to `limit`
    characters if given); None if there are no facts.

    >>> fact_recall("以30亩[1]入股,占9%。", ("30亩入股", "9%")), fact_recall("以30亩入股,占9%。", ("9%",), limit=5)
    (1.0, 0.0)
    """
    if not facts:
        return None
    plain = strip_markers(answer)
    if limit is not None:
        plain = plain[:limit]
    return sum(f in plain for f in facts) / len(facts)


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def answer_metrics(pairs: list[tuple[Question, object]], limit: int = ANSWER_LIMIT, by_type: bool = True) -> dict:
    """Answer metrics over (question, answer) pairs; an answer needs `.answer` (text with [n]
    markers), `.answerable` and `.citations` (each with `.hit.chunk.text`).

    - key_facts_200: mean share of a question's facts within the answer's first `limit`
      characters, markers removed; over answerable questions with facts, a refusal scoring 0.
      key_facts: the same without the limit.
    - citation_precision: per question, the share of its citations whose passage holds an
      evidence string; mean over answerable questions answered with at least one citation.
    - refusal_recall (and _near_miss, _off_topic by the question's `refusal` label): share of
      unanswerable questions refused; refusal_precision: share of refusals that were right;
      answerable_refused: share of answerable questions refused.
    - median_answer_chars: over answered questions, markers removed.
    A metric with no question to average over is None.
    """
    capped, unbounded, precisions, lengths, misses = [], [], [], [], []
    n_answerable = refused_answerable = refused = 0
    unanswerable = {"all": [0, 0], "near-miss": [0, 0], "off-topic": [0, 0]}  # [refused, total]
    for q, a in pairs:
        answered = bool(a.answerable)
        text = a.answer if answered else ""
        if answered:
            lengths.append(len(strip_markers(text)))
        else:
            refused += 1
        if q.answerable:
            n_answerable += 1
            refused_answerable += not answered
            within = fact_recall(text, q.facts, limit)
            if within is not None:
                capped.append(within)
                unbounded.append(fact_recall(text, q.facts))
                if within < 1:
                    head = strip_markers(text)[:limit]
                    misses.append({"id": q.id, "missing": [f for f in q.facts if f not in head]})
            if answered and a.citations:
                precisions.append(float(np.mean([bool(evidence_in(c.hit.chunk.text, q.evidence))
                                                 for c in a.citations])))
        else:
            for key in {"all", q.refusal} & set(unanswerable):
                unanswerable[key][0] += not answered
                unanswerable[key][1] += 1
    result = {
        "questions": len(pairs), "answerable": n_answerable, "unanswerable": unanswerable["all"][1],
        "limit": limit,
        "key_facts_200": _mean(capped), "key_facts": _mean(unbounded),
        "citation_precision": _mean(precisions), "cited_questions": len(precisions),
        "refusal_recall": _share(*unanswerable["all"]),
        "refusal_recall_near_miss": _share(*unanswerable["near-miss"]),
        "refusal_recall_off_topic": _share(*unanswerable["off-topic"]),
        "refusal_precision": _share(unanswerable["all"][0], refused),
        "answerable_refused": _share(refused_answerable, n_answerable),
        "median_answer_chars": float(np.median(lengths)) if lengths else None,
        "fact_misses": misses,
    }
    if by_type:
        result["by_type"] = {
            t: answer_metrics([(q, a) for q, a in pairs if q.type == t], limit, by_type=False)
            for t in QUESTION_TYPES if any(q.type == t for q, _ in pairs)
        }
    return result


@dataclass(frozen=True)
class PlainCitation:
    hit: Hit


@dataclass(frozen=True)
class PlainAnswer:
    """An answer of a trivial system: text with markers and the passages it cites; never a refusal."""

    answer: str
    citations: tuple[PlainCitation, ...] = ()
    answerable: bool = True
    reason: str = ""


def top_passage_answer(hits: list[Hit], limit: int = ANSWER_LIMIT) -> PlainAnswer:
    """Trivial system: the rank-1 passage's first `limit` characters, cited as that passage."""
    if not hits:
        return PlainAnswer("")
    return PlainAnswer(hits[0].chunk.text[:limit] + "[1]", (PlainCitation(hits[0]),))


def top_passages_answer(hits: list[Hit], n: int = TRIVIAL_PASSAGES) -> PlainAnswer:
    """Trivial system: the texts of the top `n` passages one after another, each cited."""
    top = hits[:n]
    return PlainAnswer("".join(f"{h.chunk.text}[{i}]" for i, h in enumerate(top, start=1)),
                       tuple(PlainCitation(h) for h in top))
