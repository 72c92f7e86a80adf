"""The report of `rag eval`: Markdown (eval/REPORT.md), JSON and the retrieval chart.
Leaves out: computing any number (metrics.py, run.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rag.evaluate.metrics import ANSWER_LIMIT, ANSWER_SYSTEMS, BASELINES, METRICS, QUESTION_TYPES, shown_splits


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
                real = " (real)" if sig["significant"] else ""
                cells += [f"{sig['mrr_difference']:+.3f}", f"{sig['p_value']:.4f}{real}"]
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


def summary_lines(result: dict) -> list[str]:
    """The few lines `rag eval` prints when done: each system's headline numbers."""
    lines = []

    def fmt(value) -> str:
        return "—" if value is None else f"{value:.3f}"

    for split in shown_splits(result.get("retrieval", {})):
        for name, m in result["retrieval"][split]["systems"].items():
            lines.append(f"{split:4s} {name:12s} Hit@1 {m['Hit@1']:.3f}  Hit@5 {m['Hit@5']:.3f}  "
                         f"MRR@10 {m['MRR@10']:.3f}  nDCG@10 {m['nDCG@10']:.3f}  R@10 {m['Recall@10']:.3f}")
    for split in shown_splits(result.get("answers", {})):
        for name, a in result["answers"][split].items():
            lines.append(f"{split:4s} answers {name:16s} facts@200 {fmt(a['key_facts_200'])} "
                         f"(anywhere {fmt(a['key_facts'])})  citation P {fmt(a['citation_precision'])}  "
                         f"refusal R {fmt(a['refusal_recall'])} (near-miss {fmt(a['refusal_recall_near_miss'])}, "
                         f"off-topic {fmt(a['refusal_recall_off_topic'])}) P {fmt(a['refusal_precision'])}  "
                         f"answerable refused {fmt(a['answerable_refused'])}  "
                         f"median {fmt(a['median_answer_chars'])} chars")
    if "cmrc" in result:
        c = result["cmrc"]
        lines.append(f"CMRC {c['questions']} questions: own paragraph Hit@1 {fmt(c['passages']['Hit@1'])}  "
                     f"Hit@5 {fmt(c['passages']['Hit@5'])}  MRR@10 {fmt(c['passages']['MRR@10'])}  "
                     f"answer passage Hit@1 {fmt(c.get('answer_passages', {}).get('Hit@1'))}")
        for name, a in c["answers"].items():
            lines.append(f"CMRC answers {name:16s} gold@200 {fmt(a['gold_200'])} (anywhere {fmt(a['gold'])})  "
                         f"median {fmt(a['median_answer_chars'])} chars  refused {fmt(a['refused'])}")
    return lines
