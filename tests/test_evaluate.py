"""`rag eval`: metrics against hand-computed values, report shape, the question set itself."""

from __future__ import annotations

import json
import math

import pytest

from rag.evaluate import (Question, evaluate, load_questions, paired_randomization, retrieval_metrics,
                          write_reports)
from conftest import CORPUS, ROOT, run_cli

# A tiny fixed ranking: for each retrieved passage, the evidence strings it contains.
RANKINGS = {
    "q1": [[], [0], []],                   # 1 evidence, found at rank 2
    "q2": [[1], [], [], [], [], [0]],      # 2 evidence, at ranks 1 and 6
    "q3": [[], []],                        # 1 evidence, not found
    "q4": [[], [0, 1]],                    # 2 evidence, both in the passage at rank 2
}
N_EVIDENCE = {"q1": 1, "q2": 2, "q3": 1, "q4": 2}


def test_metrics_match_hand_computed_values():
    aggregate, per_query = retrieval_metrics(RANKINGS, N_EVIDENCE)
    log2 = math.log2
    ndcg = {
        "q1": (1 / log2(3)) / 1,
        "q2": (1 + 1 / log2(7)) / (1 + 1 / log2(3)),
        "q3": 0.0,
        # The passage holding both strings counts as ranks 2 and 3 (see rag/evaluate.py).
        "q4": (1 / log2(3) + 1 / log2(4)) / (1 + 1 / log2(3)),
    }
    expected = {
        "q1": {"Hit@1": 0, "Hit@3": 1, "Hit@5": 1, "MRR@10": 0.5, "Recall@10": 1},
        "q2": {"Hit@1": 1, "Hit@3": 1, "Hit@5": 1, "MRR@10": 1.0, "Recall@10": 1},
        "q3": {"Hit@1": 0, "Hit@3": 0, "Hit@5": 0, "MRR@10": 0.0, "Recall@10": 0},
        "q4": {"Hit@1": 0, "Hit@3": 1, "Hit@5": 1, "MRR@10": 0.5, "Recall@10": 1},
    }
    for q, values in expected.items():
        for name, value in values.items():
            assert per_query[q][name] == pytest.approx(value), (q, name)
        assert per_query[q]["nDCG@10"] == pytest.approx(ndcg[q], abs=1e-4), q
    assert aggregate["Hit@1"] == pytest.approx(0.25)
    assert aggregate["Hit@3"] == pytest.approx(0.75)
    assert aggregate["MRR@10"] == pytest.approx(0.5)
    assert aggregate["Recall@10"] == pytest.approx(0.75)
    assert aggregate["nDCG@10"] == pytest.approx(sum(ndcg.values()) / 4, abs=1e-4)


def test_recall_counts_each_evidence_string():
    _, per_query = retrieval_metrics({"q": [[0], [], []]}, {"q": 3})
    assert per_query["q"]["Recall@10"] == pytest.approx(1 / 3)


def test_randomization_test_separates_real_from_noise():
    assert paired_randomization([1.0] * 20, [0.0] * 20) < 0.001
    assert paired_randomization([1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 0, 1]) == 1.0
    assert paired_randomization([1, 0.5, 1], [1, 0.5, 0.9]) > 0.05


def test_bad_question_file_is_named(tmp_path):
    from rag.evaluate import EvalSetError

    path = tmp_path / "qa.jsonl"
    path.write_text('{"id": "a", "question": "余村?", "type": "fact", "evidence": ["余村"]}\n{"id": "a", "question": "x"}\n',
                    encoding="utf-8")
    with pytest.raises(EvalSetError, match="第 2 行"):
        load_questions(path)


FIVE = [
    Question("f1", "fact", "五四村是如何筹集资金的？", facts=("30亩", "9%"), evidence=("五四村以30亩土地折价入股占9%的股份",)),
    Question("n1", "number", "横一村有多少棵柿子树？", facts=("1500多棵",), evidence=("以村内1500多棵百年以上柿子树为基础",)),
    Question("x1", "cross-essay", "几位学员对何斯路村都说了什么？",
             evidence=("何斯路村从一个负债三十多万的穷山沟", "何斯路村通过打造薰衣草庄园引流")),
    Question("u1", "follow-up", "它是怎么分红的？", history=("五四村是如何筹集资金的？",), evidence=("各单位按股分红",)),
    Question("z1", "unanswerable", "怎样办理护照？"),
]


def test_evaluation_report_shape(assistant, tmp_path):
    result = evaluate(assistant, FIVE, ("hybrid", "bm25"), k=10, show_progress=False)
    assert set(result["systems"]) == {"hybrid", "bm25", "fixed-dense", "fixed-bm25"}
    for metrics in result["systems"].values():
        for name in ("Hit@1", "Hit@3", "Hit@5", "MRR@10", "nDCG@10", "Recall@10"):
            assert 0.0 <= metrics[name] <= 1.0
        assert metrics["latency_p95_ms"] >= metrics["latency_p50_ms"] > 0
    assert set(result["significance"]) == {"bm25", "fixed-dense", "fixed-bm25"}
    assert set(result["per_question"]) == {"f1", "n1", "x1", "u1"}
    answers = result["answers"]
    for key in ("key_fact_recall", "citation_precision", "refusal_precision", "refusal_recall", "answerable_refused"):
        assert 0.0 <= answers[key] <= 1.0
    paths = write_reports(result, tmp_path / "out")
    assert [p.name for p in paths] == ["report.json", "report.md", "retrieval.png"]
    assert json.loads(paths[0].read_text(encoding="utf-8"))["git"]
    markdown = paths[1].read_text(encoding="utf-8")
    for heading in ("## Retrieval", "## Significance", "## Answers", "## Misses"):
        assert heading in markdown
    assert paths[2].read_bytes()[:4] == b"\x89PNG"


def test_eval_cli_rejects_bad_modes(tmp_path):
    proc = run_cli("eval", "--modes", "hybrid,magic")
    assert proc.returncode == 2 and "--modes" in proc.stderr and "Traceback" not in proc.stderr


def test_bundled_question_set_is_sound():
    """Every evidence string occurs in the corpus, ids are unique, the mix is as promised."""
    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    text = CORPUS.read_text(encoding="utf-8")
    assert len({q.id for q in questions}) == len(questions)
    for q in questions:
        for evidence in q.evidence:
            assert evidence in text, (q.id, evidence)
        for fact in q.facts:
            assert fact in text, (q.id, fact)
        if q.type == "follow-up":
            assert q.history
        if not q.answerable:
            assert not q.evidence and not q.facts
    counts = {t: sum(q.type == t for q in questions) for t in {q.type for q in questions}}
    assert len(questions) >= 80
    assert counts.get("paraphrase", 0) >= 15 and counts.get("cross-essay", 0) >= 10
    assert counts.get("follow-up", 0) >= 8 and counts.get("unanswerable", 0) >= 10


def test_evidence_lies_inside_one_chunk_of_each_chunker(assistant):
    """Otherwise a question could never count as answered, whatever the retriever did."""
    from rag.chunk import fixed_size_chunks

    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    fixed = fixed_size_chunks(assistant.index.essays, assistant.index.sources)
    for chunks in (assistant.index.chunks, fixed):
        for q in questions:
            for evidence in q.evidence:
                assert any(evidence in c.text for c in chunks), (q.id, evidence)
