"""The CMRC 2018 / SQuAD check (rag/squad.py): parsing, the folder corpus, a real run, bad files."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, run_cli

from rag.schema import Chunk, Hit
from rag.squad import (
    SquadError,
    best_sentence_answer,
    contains_gold,
    evaluate_squad,
    load_squad,
    own_rank,
    passage_metrics,
    render_squad_markdown,
    write_corpus,
)

WEST_LAKE = ("西湖位于浙江省杭州市西部，湖面面积约6.39平方千米。西湖有苏堤和白堤两条长堤。"
             "2011年，西湖文化景观被列入世界遗产名录。")
PANDA = ("大熊猫是中国特有的熊科动物，主要栖息在四川、陕西和甘肃的山区。成年大熊猫每天要吃12到38千克竹子。"
         "野生大熊猫的寿命约为18到20年。")
TOFU = ("豆腐是以黄豆为主要原料制成的食品，相传由西汉淮南王刘安发明。制作豆腐需要先把黄豆浸泡磨浆，再煮浆点卤，"
        "最后压制成型。常用的凝固剂有盐卤和石膏。")
WALL = ("长城是中国古代修建的军事防御工程，明长城东起辽宁虎山，西至甘肃嘉峪关。明长城的总长度为8851.8千米。"
        "1987年，长城被列入世界文化遗产。")


def _qa(qid: str, question: str, answer: str) -> dict:
    return {"id": qid, "question": question, "answers": [{"text": answer, "answer_start": 0}]}


TINY = {"version": "v1.0", "data": [
    {"id": "LAKE", "title": "西湖", "paragraphs": [{"id": "LAKE", "context": WEST_LAKE, "qas": [
        _qa("q1", "西湖被列入世界遗产名录是在哪一年？", "2011年"),
        # Filed under the wrong paragraph on purpose: its own paragraph is the lake's, so a
        # correct mapping cannot credit the tofu passage that answers it at rank 1.
        _qa("trap", "制作豆腐常用的凝固剂有哪些？", "盐卤和石膏"),
    ]}]},
    {"title": "大熊猫", "paragraphs": [{"context": PANDA, "qas": [
        _qa("q2", "成年大熊猫每天吃多少竹子？", "12到38千克")]}]},
    {"title": "豆腐", "paragraphs": [{"id": "TOFU", "context": TOFU, "qas": [
        _qa("q3", "传说豆腐是谁发明的？", "刘安"),
        {"id": "empty", "question": " ", "answers": [{"text": "黄豆"}]},  # skipped, as CMRC's two empty ones
    ]}]},
    {"title": "长城", "paragraphs": [{"id": "WALL", "context": WALL, "qas": [
        _qa("q4", "明长城的总长度是多少？", "8851.8千米")]}]},
]}


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY, ensure_ascii=False), encoding="utf-8")
    return path


def test_parse_and_folder_corpus_one_essay_per_paragraph(tiny, tmp_path):
    from rag.chunk import chunk_corpus
    from rag.corpus import load_corpus

    squad = load_squad(tiny)
    assert [p.file for p in squad.paragraphs] == ["0001_LAKE.txt", "0002_2.1.txt", "0003_TOFU.txt", "0004_WALL.txt"]
    assert [q.id for q in squad.questions] == ["q1", "trap", "q2", "q3", "q4"] and squad.skipped == ["empty"]
    assert {q.id: q.file for q in squad.questions}["trap"] == "0001_LAKE.txt"
    assert [q.id for q in load_squad(tiny, limit=2).questions] == ["q1", "trap"]
    corpus = load_corpus(write_corpus(squad.paragraphs, tmp_path / "corpus"))
    assert [(e.source, e.title, e.author) for e in corpus.essays] == [
        ("0001_LAKE.txt", "西湖", ""), ("0002_2.1.txt", "大熊猫", ""), ("0003_TOFU.txt", "豆腐", ""),
        ("0004_WALL.txt", "长城", "")]
    chunks = chunk_corpus(corpus)
    for p in squad.paragraphs:  # the whole context, and only it, in that file's chunks
        assert "".join(c.text for c in chunks if c.source == p.file) == p.context


def _hit(text: str, source: str, rank: int) -> Hit:
    return Hit(rank, 1.0, Chunk(f"c{rank}", rank, "t", "", "t", 0, len(text), text, source), rank)


def test_pure_helpers():
    assert contains_gold("相传由[1]刘安发明。", ("刘安",)) and not contains_gold("文" * 200 + "刘安", ("刘安",), 200)
    hits = [_hit("甲", "a.txt", 1), _hit("乙", "b.txt", 2), _hit("丙", "a.txt", 3)]
    assert own_rank(hits, "a.txt") == 1 and own_rank(hits, "b.txt") == 2 and own_rank(hits, "c.txt") is None
    assert own_rank(hits, "a.txt", ("丙",)) == 3 and own_rank(hits, "a.txt", ("丁",)) is None
    assert passage_metrics([1, 2, None]) == {"Hit@1": pytest.approx(1 / 3), "Hit@5": pytest.approx(2 / 3),
                                             "MRR@10": pytest.approx(0.5)}
    answer = best_sentence_answer("传说豆腐是谁发明的？", [_hit(TOFU, "tofu.txt", 1)])
    assert answer.answer == "豆腐是以黄豆为主要原料制成的食品，相传由西汉淮南王刘安发明。[1]"
    assert answer.citations[0].hit.chunk.source == "tofu.txt"


def test_end_to_end_with_the_real_model(tiny, encoder):
    from rag.config import Settings

    manifest = ROOT / "index" / "manifest.json"
    before = manifest.stat().st_mtime if manifest.exists() else None
    result = evaluate_squad(load_squad(tiny), Settings(), source="tiny.json", encoder=encoder, show_progress=False)
    assert (result["paragraphs"], result["questions"], result["skipped"]) == (4, 5, ["empty"])
    records = result["per_question"]
    # Four distinct topics: each question's own paragraph comes first, except the trap's.
    assert {q: r["rank"] for q, r in records.items() if q != "trap"} == {"q1": 1, "q2": 1, "q3": 1, "q4": 1}
    assert records["trap"]["top"] == "0003_TOFU.txt" and records["trap"]["rank"] > 1
    assert result["passages"]["Hit@1"] == pytest.approx(0.8) and result["passages"]["Hit@5"] == 1.0
    # Each paragraph is one short chunk holding its answer, but the trap's (filed under the lake)
    # holds none: the answer passage ranks as the own paragraph does, the trap's nowhere.
    assert records["trap"]["answer_rank"] is None and all(r["answer_rank"] == 1 for q, r in records.items()
                                                          if q != "trap")
    assert result["answer_passages"]["Hit@1"] == pytest.approx(0.8) and result["answer_passages"]["Hit@5"] == 0.8
    answers = result["answers"]
    assert set(answers) == {"ours", "top-passage-200", "top-5-passages", "best-sentence"}
    # Every passage is under 200 characters and the top one holds the gold text, trap included.
    assert answers["top-passage-200"]["gold_200"] == 1.0 and answers["top-passage-200"]["refused"] == 0.0
    assert answers["top-5-passages"]["gold"] == 1.0
    assert answers["top-5-passages"]["median_answer_chars"] > answers["top-passage-200"]["median_answer_chars"]
    ours = answers["ours"]
    assert 0.0 <= ours["gold_200"] <= ours["gold"] <= 1.0 and 0.0 <= ours["refused"] <= 1.0
    # The aggregate agrees with the per-question records (whatever the answerer's quality today).
    assert ours["gold_200"] == pytest.approx(sum(r["gold_200"] for r in records.values()) / 5)
    assert ours["refused"] == pytest.approx(sum(not r["answered"] for r in records.values()) / 5)
    markdown = "\n".join(render_squad_markdown(result))
    assert "## CMRC 2018" in markdown and "5 questions" in markdown and "1 skipped" in markdown
    assert "all top-5 passages" in markdown and "sharing most characters" in markdown
    assert (manifest.stat().st_mtime if manifest.exists() else None) == before  # the project's index untouched


@pytest.mark.parametrize("content, message", [
    (b"{not json", "不是合法的 JSON"),
    (b"\xff\xfe\x00bad", "不是 UTF-8 编码"),
    (b'{"version": "v1.0"}', "顶层 缺少 data 列表"),
    (b'{"data": [{"title": "x", "paragraphs": [{"qas": []}]}]}', r"data\[0\]\.paragraphs\[0\] 缺少 context"),
    (b'{"data": [{"paragraphs": [{"context": "c", "qas": [{"question": "q", "answers": "a"}]}]}]}',
     r"qas\[0\] 的 answers 应为"),
    (b'{"data": [{"paragraphs": [{"context": "c", "qas": []}]}]}', "中没有可用的问题"),
])
def test_malformed_files_give_a_chinese_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SquadError, match=message):
        load_squad(path)


def test_cli_bad_squad_file_is_one_line_exit_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"data": [{"paragraphs": "oops"}]}', encoding="utf-8")
    for args in (("--squad", str(path), "--squad-only"), ("--squad", str(tmp_path / "missing.json"))):
        proc = run_cli("eval", *args, "--out", str(tmp_path / "out"))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith("错误：") and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_cli_squad_only_writes_the_cmrc_section(tiny, tmp_path):
    proc = run_cli("eval", "--squad", str(tiny), "--squad-only", "--limit", "3", "--quiet",
                   "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["cmrc"]["questions"] == 3 and "answers" not in report
    assert "## CMRC 2018" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "CMRC 3 questions" in proc.stdout
