"""`rag eval`: retrieval and answer quality on a question set, with baselines and significance.

Relevance is decided by text, not by chunk ids: a passage is relevant to a question when it
contains one of the question's `evidence` strings, so numbers stay comparable when the
chunker changes. For ir-measures (trec_eval definitions) each retrieved passage is mapped
to the evidence it contains: the first passage holding evidence e becomes document "e"
(qrels: every evidence string of the question, relevance 1); passages holding none keep
their own id. Hit@k is trec_eval's Success@k, MRR@10 is RR@10, and Recall@10 is the
share of a question's evidence strings found in the top 10.

Baselines, in the same run: fixed 250-character windows with 50 overlap (the common
default of Chinese RAG kits), searched densely with the same model and with BM25.
Significance: paired randomization test (sign flips) on per-question reciprocal rank.
Leaves out: tuning anything — this module only measures.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from rag.chunk import fixed_size_chunks
from rag.config import PROJECT_ROOT
from rag.jsonl import JsonlError, read_jsonl
from rag.retrieve import Hit

QUESTION_TYPES = ("fact", "number", "list", "paraphrase", "cross-essay", "follow-up", "unanswerable")
METRICS = ("Hit@1", "Hit@3", "Hit@5", "MRR@10", "nDCG@10", "Recall@10")
BASELINES = ("fixed-dense", "fixed-bm25")
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
        q = Question(str(raw["id"]), qtype, raw["question"], tuple(raw.get("history") or ()),
                     raw.get("answer", ""), tuple(raw.get("facts") or ()), tuple(raw.get("evidence") or ()))
        if q.answerable and not q.evidence:
            raise EvalSetError(f"{path.name} 第 {number} 行（{q.id}）可回答却没有 evidence")
        questions.append(q)
    if not questions:
        raise EvalSetError(f"{path.name} 中没有问题")
    return questions


# ------------------------------------------------------------------ metrics (pure)


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


def fact_recall(answer: str, facts: tuple[str, ...]) -> float | None:
    """Share of `facts` found in the answer (markers [n] removed); None if no facts.

    >>> fact_recall("以30亩[1]入股,占9%。", ("30亩入股", "9%"))
    1.0
    """
    if not facts:
        return None
    plain = _MARKER.sub("", answer)
    return sum(f in plain for f in facts) / len(facts)


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


def evaluate(assistant, questions: list[Question], modes: tuple[str, ...], k: int = 10,
             baselines: bool = True, answers: bool = True, show_progress: bool = True) -> dict:
    """Every number of the report, as one JSON-ready dict."""
    from tqdm import tqdm

    answerable = [q for q in questions if q.answerable]
    systems: list[tuple[str, Callable]] = [
        (mode, lambda q, m=mode: assistant.search(q.question, k=k, mode=m, history=q.history).hits)
        for mode in modes
    ]
    total = len(answerable) * (len(modes) + (2 if baselines else 0)) + (len(questions) if answers else 0)
    bar = tqdm(total=total, desc="评测", unit="问", disable=not show_progress)
    if baselines:
        bar.set_postfix_str("编码固定长度基线")
        baseline = BaselineSearch(assistant)
        systems += [("fixed-dense", lambda q: baseline.search(q, k, "dense")),
                    ("fixed-bm25", lambda q: baseline.search(q, k, "bm25"))]
    runs = []
    for name, search in systems:
        bar.set_postfix_str(name)
        runs.append(run_system(name, search, answerable, assistant.index.sources, bar))
    result: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S%z"), "git": git_sha(),
        "model": assistant.index.manifest.get("model"), "chunks": len(assistant.index.chunks),
        "settings": {"k": k, "modes": list(modes), "chunk_size": assistant.settings.chunk_size,
                     "sentence_weight": assistant.settings.sentence_weight},
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "questions": {"total": len(questions), "answerable": len(answerable),
                      "by_type": {t: sum(q.type == t for q in questions) for t in QUESTION_TYPES}},
        "systems": {}, "per_question": {}, "significance": {}, "by_type": {},
    }
    per_rr: dict[str, list[float]] = {}
    for run in runs:
        aggregate, per_query = retrieval_metrics(run.rankings, {q.id: len(q.evidence) for q in answerable}, run.doc_ids)
        result["systems"][run.name] = {
            **aggregate, "latency_p50_ms": percentile_ms(run.latencies, 50),
            "latency_p95_ms": percentile_ms(run.latencies, 95),
            "chunks": len(baseline.chunks) if run.name in BASELINES else len(assistant.index.chunks),
        }
        per_rr[run.name] = [per_query[q.id]["MRR@10"] for q in answerable]
        for q in answerable:
            result["per_question"].setdefault(q.id, {})[run.name] = first_relevant_rank(run.rankings[q.id])
        result["by_type"][run.name] = {
            t: float(np.mean([per_query[q.id]["Hit@5"] for q in answerable if q.type == t]))
            for t in QUESTION_TYPES if any(q.type == t for q in answerable)
        }
    reference = "hybrid" if "hybrid" in per_rr else runs[0].name
    for name, rr in per_rr.items():
        if name != reference:
            p = paired_randomization(per_rr[reference], rr)
            result["significance"][name] = {
                "reference": reference, "mrr_difference": float(np.mean(per_rr[reference]) - np.mean(rr)),
                "p_value": p, "significant": p < 0.05,
            }
    if answers:
        bar.set_postfix_str("回答")
        result["answers"] = answer_metrics(assistant, questions, bar)
    bar.close()
    result["question_text"] = {q.id: {"type": q.type, "question": q.question} for q in questions}
    return result


def answer_metrics(assistant, questions: list[Question], progress=None) -> dict:
    recalls, precisions, latencies = [], [], []
    refused = {"answerable": 0, "unanswerable": 0}
    totals = {"answerable": 0, "unanswerable": 0}
    failures = []
    assistant.ask(questions[0].question)  # warm-up
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q.question, history=q.history)
        latencies.append(time.perf_counter() - started)
        group = "answerable" if q.answerable else "unanswerable"
        totals[group] += 1
        if not answer.answerable:
            refused[group] += 1
        if q.answerable:
            # A refused answerable question has found none of its facts.
            recall = fact_recall(answer.answer if answer.answerable else "", q.facts)
            if recall is not None:
                recalls.append(recall)
                if recall < 1:
                    failures.append({"id": q.id, "missing": [f for f in q.facts if f not in _MARKER.sub("", answer.answer)]})
            precisions += [1.0 if evidence_in(c.hit.chunk.text, q.evidence) else 0.0 for c in answer.citations]
        if progress:
            progress.update(1)
    total_refused = refused["answerable"] + refused["unanswerable"]
    return {
        "key_fact_recall": float(np.mean(recalls)) if recalls else 0.0,
        "citation_precision": float(np.mean(precisions)) if precisions else 0.0,
        "refusal_precision": refused["unanswerable"] / total_refused if total_refused else 0.0,
        "refusal_recall": refused["unanswerable"] / totals["unanswerable"] if totals["unanswerable"] else 0.0,
        "answerable_refused": refused["answerable"] / totals["answerable"] if totals["answerable"] else 0.0,
        "ask_p50_ms": percentile_ms(latencies, 50), "ask_p95_ms": percentile_ms(latencies, 95),
        "fact_misses": failures,
    }


# ------------------------------------------------------------------ reports


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def render_markdown(result: dict, notes: str = "") -> str:
    systems = result["systems"]
    lines = [
        "# Retrieval and answer evaluation",
        "",
        f"Run {result['date']}, git `{result['git']}`, model `{result['model']}`, "
        f"{result['chunks']} chunks, k={result['settings']['k']}; {result['machine']}.",
        f"Questions: {result['questions']['total']} ({result['questions']['answerable']} answerable); "
        + ", ".join(f"{t} {n}" for t, n in result["questions"]["by_type"].items() if n) + ".",
        "Produced by `make eval` (`rag eval`). Relevance: a passage is relevant when it contains an "
        "evidence string of the question; metrics by ir-measures (trec_eval definitions).",
        "",
        "## Retrieval",
        "",
        "| system | chunks | " + " | ".join(METRICS) + " | p50 ms | p95 ms |",
        "|---|---:|" + "---:|" * (len(METRICS) + 2),
    ]
    for name, m in systems.items():
        lines.append(f"| {name} | {m['chunks']} | " + " | ".join(_fmt(m[x]) for x in METRICS)
                     + f" | {m['latency_p50_ms']:.1f} | {m['latency_p95_ms']:.1f} |")
    lines += ["", "`fixed-*`: baseline of 250-character windows with 50 overlap, same model / same BM25.", "",
              "![retrieval chart](retrieval.png)", "", "## Significance (paired randomization test on reciprocal rank)", "",
              "| hybrid vs | MRR difference | p | real at p < 0.05 |", "|---|---:|---:|---|"]
    for name, s in result["significance"].items():
        lines.append(f"| {name} | {s['mrr_difference']:+.3f} | {s['p_value']:.4f} | {'yes' if s['significant'] else 'no'} |")
    lines += ["", "## Hit@5 by question type", "",
              "| system | " + " | ".join(next(iter(result["by_type"].values())).keys()) + " |",
              "|---|" + "---:|" * len(next(iter(result["by_type"].values())))]
    for name, by_type in result["by_type"].items():
        lines.append(f"| {name} | " + " | ".join(_fmt(v) for v in by_type.values()) + " |")
    if "answers" in result:
        a = result["answers"]
        lines += ["", "## Answers (extractive, hybrid)", "",
                  "| key-fact recall | citation precision | refusal precision | refusal recall | answerable refused | ask p50 ms | ask p95 ms |",
                  "|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {_fmt(a['key_fact_recall'])} | {_fmt(a['citation_precision'])} | {_fmt(a['refusal_precision'])} | "
                  f"{_fmt(a['refusal_recall'])} | {_fmt(a['answerable_refused'])} | {a['ask_p50_ms']:.1f} | {a['ask_p95_ms']:.1f} |"]
    names = list(systems)
    lines += ["", "## Misses", "", "Rank of the first relevant passage where some system does not rank one first "
              f"(— = not in the top {result['settings']['k']}).", "",
              "| id | type | question | " + " | ".join(names) + " |", "|---|---|---|" + "---:|" * len(names)]
    for qid, ranks in result["per_question"].items():
        if all(ranks.get(n) == 1 for n in names):
            continue
        info = result["question_text"][qid]
        cells = ["—" if ranks.get(n) is None else str(ranks[n]) for n in names]
        lines.append(f"| {qid} | {info['type']} | {info['question']} | " + " | ".join(cells) + " |")
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines) + "\n"


def render_chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["Hit@1", "Hit@3", "Hit@5", "MRR@10", "nDCG@10"]
    names = list(result["systems"])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [result["systems"][name][m] for m in metrics]
        ax.bar(np.arange(len(metrics)) + i * width, values, width, label=name)
    ax.set_xticks(np.arange(len(metrics)) + width * (len(names) - 1) / 2, metrics)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title(f"Retrieval on {result['questions']['answerable']} answerable questions ({result['git']})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(names), fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(result: dict, out: Path, notes: str = "") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / "retrieval.png"]
    paths[0].write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(render_markdown(result, notes), encoding="utf-8")
    render_chart(result, paths[2])
    return paths
