"""Villages and practices found in the corpus, dossiers, and session briefs in both formats."""

from __future__ import annotations

import re

import pytest

from rag.trainers.brief import build_brief, write_brief
from rag.trainers.dossier import find

# Essays mentioning each village, counted by hand from the corpus once (variants merged).
HAND_COUNTED = {"横一村": 6, "余村": 5, "五四村": 5, "梅林村": 5, "刘家塘村": 5, "径山村": 5,
                "何斯路村": 4, "小古城村": 4}


@pytest.fixture(scope="module")
def names(assistant):
    return assistant.names()


def test_villages_with_hand_counted_essays(names):
    villages = {n.name: n for n in names if n.kind == "村庄"}
    for village, essays in HAND_COUNTED.items():
        assert len(villages[village].essays) == essays, (village, villages[village].essays)
    assert find(names, "瓜沥梅村") is None or find(names, "梅村").name == "梅林村"
    assert "梅村" in villages["梅林村"].merged and "何斯路" in villages["何斯路村"].merged


def test_practices_include_named_methods(names):
    practices = {n.name for n in names if n.kind == "做法"}
    for expected in ("四好农村路", "五众工作法", "功德银行", "樟树下议事", "未来大地", "一院一策"):
        assert expected in practices
    # Figures of speech in quotation marks are not practices (a metaphor, a verb phrase, a rank).
    assert not {"密匙", "增智慧", "人才干旱", "建新功", "金名片", "提颜值", "第一引擎"} & practices


def test_no_sentence_fragments_or_common_words(names):
    for n in names:
        assert 2 <= len(n.name) <= 12, n.name
        assert not re.search(r"[，,。！？；：、\s]", n.name), n.name
        assert not re.search(r"[我你什么怎么]", n.name), n.name
    assert not {"乡村", "农村", "个村", "镇村", "以人为本", "办法"} & {n.name for n in names}


def test_sorted_by_essays_then_paragraphs(names):
    keys = [(len(n.essays), len(n.paragraphs)) for n in names]
    assert keys == sorted(keys, reverse=True)


def test_dossier_groups_paragraphs_by_essay(assistant, names):
    from rag.present import dossier_markdown

    entry = find(names, "何斯路")
    text = dossier_markdown(assistant.index, entry)
    assert text.count("### 《") == 4 and "<mark>何斯路村</mark>" in text and "展开整段" in text


def test_brief_in_both_formats(assistant, names, tmp_path):
    from docx import Document

    questions = ["五四村是如何筹集资金的？", "几位学员对何斯路村的经验都谈了什么？", "怎样办理护照？"]
    brief = build_brief(assistant, questions, names)
    markdown, docx = write_brief(brief, assistant.index, tmp_path / "brief.md")
    text = markdown.read_text(encoding="utf-8")
    paragraphs = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    for question, answer in brief.items:
        for document in (text, paragraphs):
            assert question in document and all(line in document for line in answer.answer.split("\n"))
            for c in answer.citations:
                assert c.quote in document and c.hit.chunk.title in document
    assert "【未找到答案】" in text and "【未找到答案】" in paragraphs
    assert {p.name for p in brief.places} >= {"五四村", "何斯路村"}
    assert "村庄与主题" in paragraphs


def test_the_brief_and_the_chat_export_render_an_answer_alike(assistant, names):
    from rag.present import export_markdown
    from rag.render import answer_blocks, to_markdown
    from rag.trainers.brief import to_markdown as brief_markdown

    questions = ["五四村是如何筹集资金的？", "那个公司由谁来经营？", "怎样办理护照？"]
    brief = build_brief(assistant, questions, names)
    exported, briefed = export_markdown(brief.items), brief_markdown(brief, assistant.index)
    for _, answer in brief.items:
        rendered = to_markdown(answer_blocks(answer)).strip()
        assert rendered in exported and rendered in briefed  # the same words, citations and refusals
