"""`rag eval`: retrieval and answer quality on a question set, per split, with baselines.

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
answer length. Two trivial systems are scored the same way beside ours: the top passage's
first 200 characters, and all top-5 passages (which the 200-character cap punishes).
Every number is computed per split (`dev`, `test`, and all questions together).

Baselines, in the same run: fixed 250-character windows with 50 overlap (the common
default of Chinese RAG kits), searched densely with the same model and with BM25.
Significance: paired randomization test (sign flips) on per-question reciprocal rank.
Leaves out: tuning anything — this module only measures — and the CMRC 2018 check
(rag/squad.py), whose section it renders.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from rag.chunk import fixed_size_chunks
from rag.config import PROJECT_ROOT
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
        for contained, doc in zip(ranked, doc_ids[qid]):
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
    """Two-sided p-value that mean(a) and mean(b) differ, by random sign flips of the pairs.

    >>> paired_randomization([1, 1, 1], [1, 1, 1])
    1.0
    """
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    observed = abs(diff.mean()) if len(diff) else 0.0
    if observed == 0.0:
        return 1.0
    rng = np.random.default_rng(seed)
    signs = rng.choice((-1.0, 1.0), size=(rounds, len(diff)))
    extreme = np.sum(np.abs((signs * diff).mean(axis=1)) >= observed - 1e-12)
    return float((extreme + 1) / (rounds + 1))


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


# ------------------------------------------------------------------ running systems


@dataclass
class SystemRun:
    name: str
    rankings: dict[str, list[list[int]]] = field(default_factory=dict)
    doc_ids: dict[str, list[str]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)


def run_system(name: str, search: Callable[[Question], list[Hit]], questions: list[Question],
               sources: dict[str, str], progress=None) -> SystemRun:
    run = SystemRun(name)
    if questions:
        search(questions[0])  # warm-up: caches, lazy allocations
    for q in questions:
        started = time.perf_counter()
        hits = search(q)
        run.latencies.append(time.perf_counter() - started)
        run.rankings[q.id] = [evidence_in(h.chunk.text, q.evidence) for h in hits]
        run.doc_ids[q.id] = [f"{h.chunk.source}:{h.chunk.start}-{h.chunk.end}" for h in hits]
        if progress:
            progress.update(1)
    return run


class BaselineSearch:
    """Fixed-size windows over the same essays, searched with the same model or BM25."""

    def __init__(self, assistant, size: int = 250, overlap: int = 50) -> None:
        from rag.index import Index, search_structures
        from rag.retrieve import Retriever

        index = assistant.index
        self.chunks = fixed_size_chunks(index.essays, index.sources, size, overlap)
        # Plain text only, as such kits index it: no heading path, no author.
        texts = [c.text for c in self.chunks]
        dense, bm25 = search_structures(assistant.encoder.encode(texts), texts, assistant.tokenizer)
        self.assistant = assistant
        # No sentence vectors: the baseline's dense score is the plain chunk cosine.
        self.retriever = Retriever(
            Index({}, self.chunks, [], np.zeros((0, 1)), dense, bm25, [], index.sources, index.essays),
            assistant.settings)

    def search(self, question: Question, k: int, mode: str) -> list[Hit]:
        # The same query as ours (follow-ups resolved), so only chunking and scoring differ.
        _, _, vector, tokens = self.assistant.query(question.question, question.history, mode)
        return self.retriever.search(vector, tokens, k, mode)


# ------------------------------------------------------------------ the whole evaluation


def git_sha() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return (sha + ("-dirty" if dirty else "")) or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_header() -> dict:
    """What every report starts with: when, which commit, which machine."""
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S%z"), "git": git_sha(),
            "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"}


def retrieval_summary(runs: list[SystemRun], answerable: list[Question], chunk_counts: dict[str, int]) -> dict:
    """Metrics of every system on one group of answerable questions, significance against
    hybrid (or the first system) and Hit@5 by question type."""
    summary: dict = {"answerable": len(answerable), "systems": {}, "significance": {}, "by_type": {}}
    if not answerable:
        return summary
    ids = {q.id for q in answerable}
    per_rr: dict[str, list[float]] = {}
    for run in runs:
        rankings = {q: r for q, r in run.rankings.items() if q in ids}
        doc_ids = {q: d for q, d in run.doc_ids.items() if q in ids}
        aggregate, per_query = retrieval_metrics(rankings, {q.id: len(q.evidence) for q in answerable}, doc_ids)
        summary["systems"][run.name] = {**aggregate, "chunks": chunk_counts[run.name]}
        per_rr[run.name] = [per_query[q.id]["MRR@10"] for q in answerable]
        summary["by_type"][run.name] = {
            t: float(np.mean([per_query[q.id]["Hit@5"] for q in answerable if q.type == t]))
            for t in QUESTION_TYPES if any(q.type == t for q in answerable)
        }
    reference = "hybrid" if "hybrid" in per_rr else runs[0].name
    for name, rr in per_rr.items():
        if name != reference:
            p = paired_randomization(per_rr[reference], rr)
            summary["significance"][name] = {
                "reference": reference, "mrr_difference": float(np.mean(per_rr[reference]) - np.mean(rr)),
                "p_value": p, "significant": p < 0.05,
            }
    return summary


def evaluate(assistant, questions: list[Question], modes: tuple[str, ...], k: int = 10,
             baselines: bool = True, answers: bool = True, split: str = "all",
             show_progress: bool = True) -> dict:
    """Every number of the report, as one JSON-ready dict (no retrieval when `modes` is empty)."""
    from tqdm import tqdm

    groups = split_groups(questions, split)
    questions = groups.get("all") or next(iter(groups.values()))
    answerable = [q for q in questions if q.answerable]
    baselines = baselines and bool(modes)
    systems: list[tuple[str, Callable]] = [
        (mode, lambda q, m=mode: assistant.search(q.question, k=k, mode=m, history=q.history).hits)
        for mode in modes
    ]
    total = len(answerable) * (len(modes) + (2 if baselines else 0))
    total += (len(questions) + len(answerable)) if answers else 0
    bar = tqdm(total=total, desc="评测", unit="问", disable=not show_progress)
    chunk_counts = {mode: len(assistant.index.chunks) for mode in modes}
    if baselines:
        bar.set_postfix_str("编码固定长度基线")
        baseline = BaselineSearch(assistant)
        systems += [("fixed-dense", lambda q: baseline.search(q, k, "dense")),
                    ("fixed-bm25", lambda q: baseline.search(q, k, "bm25"))]
        chunk_counts.update({name: len(baseline.chunks) for name in BASELINES})
    runs = []
    for name, search in systems:
        bar.set_postfix_str(name)
        runs.append(run_system(name, search, answerable, assistant.index.sources, bar))
    result: dict = {
        **run_header(),
        "model": assistant.index.manifest.get("model"), "chunks": len(assistant.index.chunks),
        "settings": {"k": k, "modes": list(modes), "split": split, "chunk_size": assistant.settings.chunk_size,
                     "sentence_weight": assistant.settings.sentence_weight},
        "splits": list(groups),
        "questions": {"total": len(questions), "answerable": len(answerable),
                      "by_type": {t: sum(q.type == t for q in questions) for t in QUESTION_TYPES},
                      "by_split": {name: {"total": len(group), "answerable": sum(q.answerable for q in group)}
                                   for name, group in groups.items()}},
        "latency": {run.name: {"p50_ms": percentile_ms(run.latencies, 50), "p95_ms": percentile_ms(run.latencies, 95)}
                    for run in runs},
        "retrieval": {}, "per_question": {},
    }
    if runs:
        for name, group in groups.items():
            result["retrieval"][name] = retrieval_summary(runs, [q for q in group if q.answerable], chunk_counts)
        for run in runs:
            for q in answerable:
                result["per_question"].setdefault(q.id, {})[run.name] = first_relevant_rank(run.rankings[q.id])
    if answers:
        bar.set_postfix_str("回答")
        result.update(run_answers(assistant, groups, bar))
    bar.close()
    result["question_text"] = {q.id: {"type": q.type, "split": q.split, "question": q.question} for q in questions}
    return result


def run_answers(assistant, groups: dict[str, list[Question]], progress=None) -> dict:
    """Ask every question; score ours and the trivial systems per split group."""
    questions = groups.get("all") or next(iter(groups.values()))
    ours: dict[str, object] = {}
    trivial: dict[str, dict[str, object]] = {"top-passage-200": {}, "top-5-passages": {}}
    latencies = []
    assistant.ask(questions[0].question, history=questions[0].history)  # warm-up
    for q in questions:
        started = time.perf_counter()
        ours[q.id] = assistant.ask(q.question, history=q.history)
        latencies.append(time.perf_counter() - started)
        if progress:
            progress.update(1)
        if q.answerable:
            hits = assistant.search(q.question, k=TRIVIAL_PASSAGES, mode="hybrid", history=q.history).hits
            trivial["top-passage-200"][q.id] = top_passage_answer(hits)
            trivial["top-5-passages"][q.id] = top_passages_answer(hits)
            if progress:
                progress.update(1)
    answers: dict[str, dict] = {}
    for name, group in groups.items():
        answers[name] = {"ours": answer_metrics([(q, ours[q.id]) for q in group])}
        for system, given in trivial.items():
            answers[name][system] = answer_metrics([(q, given[q.id]) for q in group if q.answerable])
    records = {}
    for q in questions:
        a = ours[q.id]
        plain = strip_markers(a.answer) if a.answerable else ""
        records[q.id] = {"answered": bool(a.answerable), "answer": a.answer, "reason": getattr(a, "reason", ""),
                         "chars": len(plain) if a.answerable else None,
                         "key_facts_200": fact_recall(plain, q.facts, ANSWER_LIMIT) if q.answerable else None}
    return {"answers": answers, "answer_latency": {"p50_ms": percentile_ms(latencies, 50),
                                                   "p95_ms": percentile_ms(latencies, 95)},
            "answer_per_question": records}


# ------------------------------------------------------------------ reports


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _chars(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


# (key, label, DESIGN.md bar, formatter); the trivial systems never refuse, so refusal rows are — for them.
ANSWER_ROWS = (
    ("key_facts_200", "key facts within 200 chars", "≥ 0.85", _fmt),
    ("key_facts", "key facts, anywhere", "", _fmt),
    ("citation_precision", "citation precision (per question)", "≥ 0.85", _fmt),
    ("refusal_recall", "refusal recall", "≥ 0.80", _fmt),
    ("refusal_recall_near_miss", "· near-miss", "≥ 0.75", _fmt),
    ("refusal_recall_off_topic", "· off-topic", "", _fmt),
    ("refusal_precision", "refusal precision", "", _fmt),
    ("answerable_refused", "answerable refused", "≤ 0.03", _fmt),
    ("median_answer_chars", "median answer, chars", "≤ 160", _chars),
    ("questions", "questions", "", lambda v: str(v)),
)


def _retrieval_lines(result: dict) -> list[str]:
    retrieval, latency = result["retrieval"], result["latency"]
    baselines = any(name in latency for name in BASELINES)
    lines = ["## Retrieval", "",
             "Per split, answerable questions only; latency over all the questions run."
             + (" `fixed-*`: baseline of 250-character windows with 50 overlap, same model / same BM25."
                if baselines else ""), ""]
    for split in shown_splits(retrieval):
        summary = retrieval[split]
        lines += [f"### {split} ({summary['answerable']} answerable)", "",
                  "| system | chunks | " + " | ".join(METRICS) + " | p50 ms | p95 ms |",
                  "|---|---:|" + "---:|" * (len(METRICS) + 2)]
        for name, m in summary["systems"].items():
            lines.append(f"| {name} | {m['chunks']} | " + " | ".join(_fmt(m[x]) for x in METRICS)
                         + f" | {latency[name]['p50_ms']:.1f} | {latency[name]['p95_ms']:.1f} |")
        lines.append("")
    lines += ["![retrieval chart](retrieval.png)", ""]
    splits = shown_splits(retrieval)
    first = retrieval[splits[0]]
    if first["significance"]:
        reference = next(iter(first["significance"].values()))["reference"]
        lines += ["## Significance (paired randomization test on reciprocal rank)", "",
                  f"| {reference} vs | " + " | ".join(f"{s}: MRR difference | {s}: p" for s in splits) + " |",
                  "|---|" + "---:|---:|" * len(splits)]
        for name in first["significance"]:
            cells = []
            for s in splits:
                sig = retrieval[s]["significance"][name]
                cells += [f"{sig['mrr_difference']:+.3f}", f"{sig['p_value']:.4f}{' (real)' if sig['significant'] else ''}"]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    for split in splits:
        by_type = retrieval[split]["by_type"]
        types = list(next(iter(by_type.values())).keys())
        lines += [f"## Hit@5 by question type ({split})", "", "| system | " + " | ".join(types) + " |",
                  "|---|" + "---:|" * len(types)]
        for name, values in by_type.items():
            lines.append(f"| {name} | " + " | ".join(_fmt(values.get(t)) for t in types) + " |")
        lines.append("")
    return lines


def _answer_lines(result: dict) -> list[str]:
    answers = result["answers"]
    splits = shown_splits(answers)
    columns = [(system, split) for system in ANSWER_SYSTEMS for split in splits]
    headline = "test" if "test" in splits else splits[0]
    lines = ["## Answers", "",
             "Ours: `ask` with default settings. Trivial systems, on answerable questions only (they never "
             "refuse), from hybrid search: *top passage[:200]*, the rank-1 passage's first 200 characters cited "
             "as that passage; *top-5 passages*, the five top passages' texts one after another, each cited. "
             f"Key facts count within an answer's first "
             f"{ANSWER_LIMIT} characters, markers removed; citation precision is averaged per question. "
             f"Headline column: **{headline}**.", "",
             "| metric | bar | " + " | ".join(f"{ANSWER_SYSTEMS[s]} {'**' + sp + '**' if sp == headline else sp}"
                                          for s, sp in columns) + " |",
             "|---|---|" + "---:|" * len(columns)]
    for key, label, bar, fmt in ANSWER_ROWS:
        cells = [fmt(answers[sp][s].get(key)) if s == "ours" or not key.startswith("refusal") else "—"
                 for s, sp in columns]
        lines.append(f"| {label} | {bar} | " + " | ".join(cells) + " |")
    latency = result.get("answer_latency")
    if latency:
        lines += ["", f"`ask` latency (ours, in-process, all questions run): p50 {latency['p50_ms']:.1f} ms, "
                      f"p95 {latency['p95_ms']:.1f} ms."]
    lines += ["", "### Answers by question type (ours)", "",
              "Unanswerable questions: refusal recall in the refusal column; the others: share refused.", "",
              "| type | n | " + " | ".join(f"{label} {sp}" for label in ("facts@200", "citation precision",
                                                                            "refused", "median chars")
                                             for sp in splits) + " |",
              "|---|---:|" + "---:|" * (4 * len(splits))]
    types = [t for t in QUESTION_TYPES if any(t in answers[sp]["ours"]["by_type"] for sp in splits)]
    for t in types:
        per = [answers[sp]["ours"]["by_type"].get(t, {}) for sp in splits]
        n = " / ".join(str(m.get("questions", 0)) for m in per)
        refused = [m.get("refusal_recall") if t == "unanswerable" else m.get("answerable_refused") for m in per]
        cells = ([_fmt(m.get("key_facts_200")) for m in per] + [_fmt(m.get("citation_precision")) for m in per]
                 + [_fmt(v) for v in refused] + [_chars(m.get("median_answer_chars")) for m in per])
        lines.append(f"| {t} | {n} | " + " | ".join(cells) + " |")
    return lines + [""]


def _misses_lines(result: dict) -> list[str]:
    names = list(result["latency"])
    lines = ["## Misses", "", "Rank of the first relevant passage where some system does not rank one first "
             f"(— = not in the top {result['settings']['k']}).", "",
             "| id | split | type | question | " + " | ".join(names) + " |", "|---|---|---|---|" + "---:|" * len(names)]
    for qid, ranks in result["per_question"].items():
        if all(ranks.get(n) == 1 for n in names):
            continue
        info = result["question_text"][qid]
        cells = ["—" if ranks.get(n) is None else str(ranks[n]) for n in names]
        lines.append(f"| {qid} | {info.get('split') or '—'} | {info['type']} | {info['question']} | "
                     + " | ".join(cells) + " |")
    return lines + [""]


def render_markdown(result: dict, notes: str = "") -> str:
    lines = ["# Retrieval and answer evaluation", ""]
    if "questions" in result:
        q = result["questions"]
        by_split = "; ".join(f"{name} {g['total']} ({g['answerable']} answerable)"
                             for name, g in q["by_split"].items())
        lines += [
            f"Run {result['date']}, git `{result['git']}`, model `{result['model']}`, "
            f"{result['chunks']} chunks, k={result['settings']['k']}; {result['machine']}.",
            f"Questions: {q['total']} ({q['answerable']} answerable); "
            + ", ".join(f"{t} {n}" for t, n in q["by_type"].items() if n) + f". By split: {by_split}.",
            "Produced by `make eval` (`rag eval`). Relevance: a passage is relevant when it contains an "
            "evidence string of the question; metrics by ir-measures (trec_eval definitions). Thresholds are "
            "chosen on dev; test is reported, never tuned on.",
            "",
        ]
    else:
        lines += [f"Run {result['date']}, git `{result['git']}`; {result['machine']}.", ""]
    if result.get("retrieval"):
        lines += _retrieval_lines(result)
    if result.get("answers"):
        lines += _answer_lines(result)
    if "cmrc" in result:
        from rag.squad import render_squad_markdown

        lines += render_squad_markdown(result["cmrc"])
    if result.get("per_question"):
        lines += _misses_lines(result)
    if notes:
        lines += [notes.strip(), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    split = shown_splits(result["retrieval"])[0]
    systems = result["retrieval"][split]["systems"]
    metrics = ["Hit@1", "Hit@3", "Hit@5", "MRR@10", "nDCG@10"]
    names = list(systems)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [systems[name][m] for m in metrics]
        ax.bar(np.arange(len(metrics)) + i * width, values, width, label=name)
    ax.set_xticks(np.arange(len(metrics)) + width * (len(names) - 1) / 2, metrics)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title(f"Retrieval on the {result['retrieval'][split]['answerable']} answerable {split} questions "
                 f"({result['git']})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(names), fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(result: dict, out: Path, notes: str = "") -> list[Path]:
    """report.json, report.md and (when retrieval was measured) retrieval.png in `out`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md"]
    paths[0].write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(render_markdown(result, notes), encoding="utf-8")
    if result.get("retrieval"):
        paths.append(out / "retrieval.png")
        render_chart(result, paths[2])
    return paths
