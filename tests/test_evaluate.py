"""`rag eval`: metrics against hand-computed values, the question file's fields, report shape."""

from __future__ import annotations

import json
import math

import pytest
from conftest import ROOT, run_cli

from rag.evaluate.metrics import (
    EvalSetError,
    PlainAnswer,
    PlainCitation,
    Question,
    answer_metrics,
    fact_recall,
    load_questions,
    paired_randomization,
    retrieval_metrics,
    split_groups,
    top_passage_answer,
    top_passages_answer,
)
from rag.evaluate.report import write_reports
from rag.evaluate.run import evaluate
from rag.schema import Chunk, Hit

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
        # The passage holding both strings counts as ranks 2 and 3 (see rag/evaluate/metrics.py).
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


def _write(tmp_path, *lines: str):
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_question_file_is_named(tmp_path):
    path = _write(tmp_path, '{"id": "a", "question": "余村?", "type": "fact", "evidence": ["余村"]}',
                  '{"id": "a", "question": "x"}')
    with pytest.raises(EvalSetError, match="第 2 行"):
        load_questions(path)


@pytest.mark.parametrize("line, message", [
    ('{"id": "b", "question": "x", "evidence": ["余村"], "split": "train"}', "split 无效：train"),
    ('{"id": "b", "question": "x", "type": "unanswerable", "refusal": "hard"}', "refusal 无效：hard"),
    ('{"id": "b", "question": "x", "evidence": ["余村"], "refusal": "near-miss"}', "不是 unanswerable"),
])
def test_split_and_refusal_are_checked_by_line(tmp_path, line, message):
    path = _write(tmp_path, '{"id": "a", "question": "余村?", "evidence": ["余村"], "split": "dev"}', line)
    with pytest.raises(EvalSetError, match=f"qa.jsonl 第 2 行.*{message}"):
        load_questions(path)


def test_split_and_refusal_default_to_empty(tmp_path):
    path = _write(tmp_path, '{"id": "a", "question": "余村?", "evidence": ["余村"]}',
                  '{"id": "u", "question": "护照?", "type": "unanswerable", "refusal": "off-topic", "split": "test"}')
    a, u = load_questions(path)
    assert (a.split, a.refusal, u.split, u.refusal) == ("", "", "test", "off-topic")
    assert list(split_groups([a, u])) == ["test", "all"]
    with pytest.raises(EvalSetError, match="split 为 dev"):
        split_groups([a, u], "dev")


def test_the_bundled_set_loads_with_splits_and_refusal_kinds():
    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    if not all(q.split for q in questions):
        pytest.skip("eval/qa.jsonl has no split fields yet")
    groups = split_groups(questions)
    assert list(groups) == ["test", "dev", "all"]
    assert len(groups["test"]) + len(groups["dev"]) == len(questions)
    assert all(q.refusal in ("near-miss", "off-topic") for q in questions if not q.answerable)


# ---------------------------------------------------------------- answer metrics, by hand


def _hit(text: str, rank: int = 1) -> Hit:
    chunk = Chunk(f"c{rank}", 1, "标题", "作者", "标题", 0, len(text), text, "essays.txt")
    return Hit(rank, 1.0, chunk, rank)


def _answer(text: str, *passages: str) -> PlainAnswer:
    return PlainAnswer(text, tuple(PlainCitation(_hit(p, i)) for i, p in enumerate(passages, start=1)))


REFUSED = PlainAnswer("资料中未找到相关内容。", answerable=False, reason="没有")
PAD = "文" * 250

# test: two answerable, three unanswerable; dev: one answerable, one unanswerable.
PAIRS = [
    # facts 甲乙 inside the first 200 characters, 丙丁 after them; one of two citations holds evidence.
    (Question("a1", "fact", "?", facts=("甲乙", "丙丁"), evidence=("证据一",), split="test"),
     _answer(f"甲乙[1]{PAD}丙丁[2]", "含证据一的段落", "无关段落")),
    (Question("a2", "list", "?", facts=("戊",), evidence=("证据二",), split="test"), _answer("戊[1]。", "证据二在此")),
    (Question("u1", "unanswerable", "?", split="test", refusal="near-miss"), REFUSED),
    (Question("u2", "unanswerable", "?", split="test", refusal="near-miss"), _answer("无关回答[1]", "某段落")),
    (Question("u3", "unanswerable", "?", split="test", refusal="off-topic"), REFUSED),
    (Question("a3", "fact", "?", facts=("己",), evidence=("证据三",), split="dev"), REFUSED),
    (Question("u4", "unanswerable", "?", split="dev", refusal="off-topic"), REFUSED),
]


def test_fact_recall_counts_only_the_first_200_characters_without_markers():
    answer = f"甲乙[1]{PAD}丙丁[2]"
    assert fact_recall(answer, ("甲乙", "丙丁"), limit=200) == 0.5
    assert fact_recall(answer, ("甲乙", "丙丁")) == 1.0
    # Markers do not use up the limit: the fact ends exactly at character 200 once [n] are gone.
    assert fact_recall("[1]" * 50 + "文" * 198 + "甲乙", ("甲乙",), limit=200) == 1.0
    assert fact_recall("回答", ()) is None


def test_answer_metrics_per_split_match_hand_computed_values():
    groups = split_groups([q for q, _ in PAIRS])
    given = {q.id: a for q, a in PAIRS}
    m = {name: answer_metrics([(q, given[q.id]) for q in group]) for name, group in groups.items()}
    test, dev, every = m["test"], m["dev"], m["all"]
    assert (test["questions"], dev["questions"], every["questions"]) == (5, 2, 7)
    # a1: 1 of 2 facts within 200 chars, both anywhere; a2: 1 of 1.
    assert test["key_facts_200"] == pytest.approx(0.75) and test["key_facts"] == pytest.approx(1.0)
    # Per question: a1 0.5, a2 1.0 → 0.75 (pooled over citations it would be 2/3).
    assert test["citation_precision"] == pytest.approx(0.75) and test["cited_questions"] == 2
    assert test["refusal_recall"] == pytest.approx(2 / 3)
    assert test["refusal_recall_near_miss"] == pytest.approx(0.5)
    assert test["refusal_recall_off_topic"] == pytest.approx(1.0)
    assert test["refusal_precision"] == pytest.approx(1.0) and test["answerable_refused"] == 0.0
    # Answered: a1 (2 + 250 + 2 chars, markers removed), a2 "戊。" (2), u2 "无关回答" (4).
    assert test["median_answer_chars"] == 4.0
    # dev: the answerable question was refused — it recalls nothing, and there is nothing to cite or measure.
    assert dev["key_facts_200"] == 0.0 and dev["answerable_refused"] == 1.0
    assert dev["citation_precision"] is None and dev["median_answer_chars"] is None
    assert dev["refusal_recall_near_miss"] is None and dev["refusal_recall_off_topic"] == 1.0
    assert dev["refusal_precision"] == 0.5  # a3 refused wrongly, u4 rightly
    assert every["key_facts_200"] == pytest.approx(0.5)  # (0.5 + 1 + 0) / 3
    assert every["refusal_recall"] == pytest.approx(0.75) and every["refusal_precision"] == pytest.approx(0.75)
    assert every["answerable_refused"] == pytest.approx(1 / 3)
    assert every["fact_misses"] == [{"id": "a1", "missing": ["丙丁"]}, {"id": "a3", "missing": ["己"]}]
    # By type: the fact questions of test are a1 alone; list is a2.
    assert test["by_type"]["fact"]["key_facts_200"] == 0.5 and test["by_type"]["list"]["key_facts_200"] == 1.0
    assert test["by_type"]["unanswerable"]["refusal_recall"] == pytest.approx(2 / 3)


def test_trivial_systems_show_what_the_200_character_cap_punishes():
    question = Question("t", "fact", "?", facts=("关键事实",), evidence=("关键事实在第三段",))
    hits = [_hit("第一段" + "文" * 147, 1), _hit("第二段" + "文" * 147, 2), _hit("关键事实在第三段。", 3),
            _hit("第四段", 4), _hit("第五段", 5), _hit("第六段", 6)]
    top1, top5 = top_passage_answer(hits), top_passages_answer(hits)
    assert top1.answer == hits[0].chunk.text + "[1]" and [c.hit for c in top1.citations] == hits[:1]
    assert [c.hit for c in top5.citations] == hits[:5]
    one, five = answer_metrics([(question, top1)]), answer_metrics([(question, top5)])
    assert (one["key_facts_200"], one["key_facts"], one["citation_precision"]) == (0.0, 0.0, 0.0)
    # All top-5 passages hold the fact, but past character 300: found anywhere, not within 200.
    assert (five["key_facts_200"], five["key_facts"]) == (0.0, 1.0)
    assert five["citation_precision"] == pytest.approx(0.2)
    assert five["median_answer_chars"] == 150 + 150 + 9 + 3 + 3
    assert top_passage_answer([]).answer == "" and top_passage_answer([]).answerable


# ---------------------------------------------------------------- the runner on the real index


MINE = [
    Question("m1", "fact", "五四村建旅游集散中心的钱从哪里来？", facts=("30亩",),
             evidence=("五四村以30亩土地折价入股占9%的股份",), split="test"),
    Question("m2", "number", "横一村的柿子树有多少棵？", facts=("1500多棵",),
             evidence=("以村内1500多棵百年以上柿子树为基础",), split="dev"),
    Question("m3", "follow-up", "赚了钱怎么分？", history=("五四村的旅游公司是怎么成立的？",),
             evidence=("各单位按股分红",), split="test"),
    Question("m4", "unanswerable", "怎样办理护照？", split="dev", refusal="off-topic"),
]


def test_evaluation_report_per_split_with_trivial_systems(assistant, tmp_path):
    result = evaluate(assistant, MINE, ("hybrid", "bm25"), k=10, show_progress=False)
    assert result["splits"] == ["test", "dev", "all"]
    assert result["questions"]["by_split"] == {"test": {"total": 2, "answerable": 2},
                                               "dev": {"total": 2, "answerable": 1},
                                               "all": {"total": 4, "answerable": 3}}
    for split, n in (("test", 2), ("dev", 1), ("all", 3)):
        retrieval = result["retrieval"][split]
        assert retrieval["answerable"] == n
        assert set(retrieval["systems"]) == {"hybrid", "bm25", "fixed-dense", "fixed-bm25"}
        assert set(retrieval["significance"]) == {"bm25", "fixed-dense", "fixed-bm25"}
        for metrics in retrieval["systems"].values():
            assert all(0.0 <= metrics[name] <= 1.0 for name in ("Hit@1", "Hit@5", "MRR@10", "nDCG@10"))
    assert result["latency"]["hybrid"]["p95_ms"] >= result["latency"]["hybrid"]["p50_ms"] > 0
    assert set(result["per_question"]) == {"m1", "m2", "m3"}
    answers = result["answers"]
    assert answers["test"]["ours"]["questions"] == 2 and answers["dev"]["ours"]["questions"] == 2
    assert answers["dev"]["top-5-passages"]["questions"] == 1  # trivial systems: answerable questions only
    for split in ("test", "dev", "all"):
        assert answers[split]["top-passage-200"]["answerable_refused"] == 0.0
        assert answers[split]["top-passage-200"]["median_answer_chars"] <= 200
        assert answers[split]["top-5-passages"]["median_answer_chars"] > 200
    assert answers["dev"]["ours"]["refusal_recall_off_topic"] in (0.0, 1.0)
    paths = write_reports(result, tmp_path / "out")
    assert [p.name for p in paths] == ["report.json", "report.md", "retrieval.png"]
    assert json.loads(paths[0].read_text(encoding="utf-8"))["answers"]["test"]["ours"]["questions"] == 2
    markdown = paths[1].read_text(encoding="utf-8")
    for text in ("## Retrieval", "### test (2 answerable)", "### dev (1 answerable)", "## Significance",
                 "## Answers", "ours **test**", "ours dev", "top passage[:200] **test**", "top-5 passages dev",
                 "key facts within 200 chars", "· near-miss", "median answer, chars", "## Misses"):
        assert text in markdown, text
    assert paths[2].read_bytes()[:4] == b"\x89PNG"


def test_dev_split_answers_only(assistant, tmp_path):
    result = evaluate(assistant, MINE, (), baselines=True, split="dev", show_progress=False)
    assert result["splits"] == ["dev"] and not result["retrieval"]
    assert result["answers"]["dev"]["ours"]["questions"] == 2
    paths = write_reports(result, tmp_path / "out")
    assert [p.name for p in paths] == ["report.json", "report.md"]
    markdown = paths[1].read_text(encoding="utf-8")
    header = next(line for line in markdown.splitlines() if line.startswith("| metric | bar |"))
    assert "ours **dev**" in header and "test" not in header


def test_eval_cli_rejects_bad_modes_and_empty_splits(tmp_path):
    proc = run_cli("eval", "--modes", "hybrid,magic")
    assert proc.returncode == 2 and "--modes" in proc.stderr and "Traceback" not in proc.stderr
    path = _write(tmp_path, '{"id": "a", "question": "余村?", "evidence": ["余村"], "split": "test"}')
    proc = run_cli("eval", "--qa", str(path), "--split", "dev", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "split 为 dev" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_evidence_lies_inside_one_chunk_of_each_chunker(assistant):
    """Otherwise a question could never count as answered, whatever the retriever did."""
    from rag.chunk import fixed_size_chunks

    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    fixed = fixed_size_chunks(assistant.index.essays, assistant.index.sources)
    for chunks in (assistant.index.chunks, fixed):
        for q in questions:
            for evidence in q.evidence:
                assert any(evidence in c.text for c in chunks), (q.id, evidence)
