"""Run the systems of `rag eval` over the question file: ours in each retrieval mode, the
fixed-window baselines (250-character windows with 50 overlap, the common default of Chinese
RAG kits, searched densely with the same model and with BM25), and the answers, per split.
Leaves out: the metrics (metrics.py), the report (report.py) and tuning anything.
"""

from __future__ import annotations

import platform
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rag.chunk import fixed_size_chunks
from rag.config import PROJECT_ROOT
from rag.evaluate.metrics import (
    ANSWER_LIMIT,
    BASELINES,
    QUESTION_TYPES,
    TRIVIAL_PASSAGES,
    Question,
    answer_metrics,
    evidence_in,
    fact_recall,
    first_relevant_rank,
    paired_randomization,
    percentile_ms,
    retrieval_metrics,
    split_groups,
    strip_markers,
    top_passage_answer,
    top_passages_answer,
)
from rag.schema import Hit


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
        from rag.build import search_structures
        from rag.retrieve import Retriever
        from rag.store import Index

        index = assistant.index
        self.chunks = fixed_size_chunks(index.essays, index.sources, size, overlap)
        # Plain text only, as such kits index it: no heading path, no author.
        texts = [c.text for c in self.chunks]
        structures = search_structures(assistant.encoder.encode(texts), texts, assistant.tokenizer)
        self.assistant = assistant
        # No sentence vectors: the baseline's dense score is the plain chunk cosine.
        self.retriever = Retriever(
            Index(chunks=self.chunks, sources=index.sources, essays=index.essays, **structures), assistant.settings)

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
