"""Parsing and chunking invariants on the real corpus and on folder corpora."""

from __future__ import annotations

import re

import pytest

from rag.chunk import chunk_corpus, split_sentences, window_spans
from rag.corpus import load_corpus, parse_toc

EXPECTED = [
    ("建设和美乡村,当好开路先锋", "区交通运输局局长"),
    ("学习“千万工程”经验心得体会", "村党支部书记"),
    ("学习借鉴“千万工程”经验奋力开创民政工作新局面", "区民政局局长"),
    ("汲取“千万工程”力量绘就美丽乡村画卷", "村党支部书记"),
    ("乡村振兴关键在“人”关键在“干”", "镇党委书记"),
    ("大潮起浙江追梦当先行", "乡党委副书记、乡长"),
    ("深入学习“千万工程”全面推进乡村振兴", "区乡村振兴发展中心主任"),
    ("纤纤不绝林薄成,涓涓不止江河生藏在“千万工程”里的乡村振兴“密匙”", "X乡人民政府一级科员(选调生)"),
    ("建设X和美乡村专题培训心得体会", "区农业农村局局长"),
    ("学习“千万工程”谱写X“万千气象”", "村党支部书记"),
]


@pytest.fixture(scope="module")
def chunks(corpus):
    return chunk_corpus(corpus, 350)


def test_ten_essays_with_titles_and_authors(corpus):
    assert [(e.title, e.author) for e in corpus.essays] == EXPECTED
    assert [e.number for e in corpus.essays] == list(range(1, 11))


def test_toc_and_repeated_title_are_not_content(corpus):
    text = corpus.texts["essays.txt"]
    first_body = corpus.essays[0].start
    assert text.index("目录") < first_body
    assert text[first_body:].startswith("5月13日")


def test_offsets_reproduce_text(corpus, chunks):
    text = corpus.texts["essays.txt"]
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert c.text.strip() == c.text and c.text


def test_every_body_character_is_covered(corpus, chunks):
    text = corpus.texts["essays.txt"]
    covered = bytearray(len(text))
    for c in chunks:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    for essay in corpus.essays:
        missing = [i for i in range(essay.start, essay.end) if not covered[i] and not text[i].isspace()]
        assert missing == [], f"essay {essay.number}: {text[missing[0]:missing[0] + 20]!r} not in any chunk"


def test_chunks_respect_limit_unless_one_sentence_is_longer(corpus, chunks):
    from rag.chunk import WHOLE_SECTION

    text = corpus.texts["essays.txt"]
    whole = {text[s.start : s.end].strip() for e in corpus.essays for s in e.sections}
    # Over the limit only a whole section, and only up to WHOLE_SECTION times the limit.
    assert all(len(c.text) <= 350 or c.text in whole and len(c.text) <= 350 * WHOLE_SECTION for c in chunks)
    assert any(350 < len(c.text) for c in chunks)  # such sections exist in the essays
    section_ends = {len(text[: s.end].rstrip()) for e in corpus.essays for s in e.sections}
    for c in chunks:
        # A chunk ends where its section ends, at a sentence end, or - only when it was cut
        # out of an over-long sentence - anywhere.
        ends_sentence = bool(re.search(r"[。！？；!?;…][”’」』)）]*$", c.text)) or c.end in section_ends
        if not ends_sentence:
            s, e = next((s, e) for s, e in split_sentences(text, 0, len(text)) if s <= c.end - 1 < e)
            assert e - s > 350, f"{c.chunk_id} ends mid-sentence"


def test_chunk_ids_are_unique_and_stable(corpus, chunks):
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids))
    assert [c.chunk_id for c in chunk_corpus(corpus, 350)] == ids


def test_known_headings_found(chunks):
    headings = {c.heading for c in chunks}
    joined = "\n".join(headings)
    for expected in [
        "学习借鉴“千万工程”经验奋力开创民政工作新局面 › 三、工作思路 › (二)着力提升养老服务水平",
        "乡村振兴关键在“人”关键在“干” › 一、敢干为先,做乡村治理积极践行者",
        "深入学习“千万工程”全面推进乡村振兴 › 一、 引领发展,乡村充满活力",
        "学习借鉴“千万工程”经验奋力开创民政工作新局面 › 二、经验启示 › 二是坚持制度引领,培育群众内生动力",
    ]:
        assert expected in headings
    # Paragraph-opening headings: `一、规划先行,奠定发展基础。乡村振兴,规划先行。…`
    assert "建设X和美乡村专题培训心得体会 › 一、规划先行,奠定发展基础" in headings
    assert "建设X和美乡村专题培训心得体会 › 三、数字乡村,明确发展方向" in headings
    assert "一路走" not in joined


def test_long_section_is_cut_with_one_sentence_overlap():
    text = "".join(f"第{i}句话写得比较长一些内容。" for i in range(40))
    spans = window_spans(text, 0, len(text), 60)
    assert len(spans) > 1
    for (_, e1), (s2, e2) in zip(spans, spans[1:], strict=False):
        assert e2 - s2 <= 60
        overlap = text[s2:e1]
        assert overlap and overlap.endswith("。") and overlap.count("。") == 1


def test_single_over_long_sentence_is_cut_at_limit():
    text = "很长" * 200 + "。"
    spans = window_spans(text, 0, len(text), 100)
    assert all(e - s <= 100 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans) == text


def test_the_table_of_contents_pages_are_kept_for_titles_and_part_headings(corpus):
    """Counted by hand from the 目录 of corpus/essays.txt."""
    pages = [essay.pages for essay in corpus.essays]
    assert [p[""] for p in pages] == [1, 5, 9, 15, 18, 23, 26, 29, 32, 36]
    assert pages[2] == {"": 9, "一、总体感受": 9, "二、经验启示": 11, "三、工作思路": 12}
    assert pages[4]["三、实干为基,做乡村治理笃定奋进者"] == 22 and len(pages[3]) == 1


def test_toc_parsing_pairs_titles_and_authors():
    entries = parse_toc(["标题甲1", "局长2", "一、总体感受3", "(一)细目4", "标题乙5", "书记5"])
    assert [(e.title, e.author, e.headings) for e in entries] == [
        ("标题甲", "局长", ("一、总体感受", "(一)细目")), ("标题乙", "书记", ())]


def test_folder_corpus_with_bad_files(tmp_path):
    (tmp_path / "a_good.txt").write_text(
        "好文章的标题\n区某局局长\n开头一段。\n一、第一部分\n第一部分的内容。\n二、第二部分\n第二部分的内容。\n",
        encoding="utf-8")
    (tmp_path / "b_notes.md").write_text("# 笔记\n\n## 小节\n\n笔记内容。\n", encoding="utf-8")
    (tmp_path / "c_empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "d_latin1.txt").write_bytes("café 文章".encode("gbk"))
    (tmp_path / "e_binary.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "ignored.csv").write_text("x", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [(e.title, e.author, e.source) for e in corpus.essays] == [
        ("好文章的标题", "区某局局长", "a_good.txt"), ("笔记", "", "b_notes.md")]
    warnings = "\n".join(corpus.warnings)
    for name in ("c_empty.txt", "d_latin1.txt", "e_binary.txt"):
        assert name in warnings
    chunks = chunk_corpus(corpus, 350)
    assert {c.heading for c in chunks} == {
        "好文章的标题", "好文章的标题 › 一、第一部分", "好文章的标题 › 二、第二部分", "笔记 › 小节"}
    for c in chunks:
        assert corpus.texts[c.source][c.start : c.end] == c.text


def test_symlink_outside_folder_is_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("外面的文章\n正文。\n", encoding="utf-8")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "inside.txt").write_text("里面的文章\n正文。\n", encoding="utf-8")
    (folder / "link.txt").symlink_to(outside)
    corpus = load_corpus(folder)
    assert [e.title for e in corpus.essays] == ["里面的文章"]
    assert any("link.txt" in w for w in corpus.warnings)


def test_missing_corpus_is_a_clear_error(tmp_path):
    from rag.corpus import CorpusError

    with pytest.raises(CorpusError, match="不存在"):
        load_corpus(tmp_path / "nope.txt")


def test_huge_file_is_refused_without_reading_it(tmp_path):
    (tmp_path / "good.txt").write_text("好文章\n正文。\n", encoding="utf-8")
    with open(tmp_path / "huge.txt", "wb") as fh:
        fh.truncate(50 * 2**20)  # 50 MB, sparse: refusing must not depend on reading it
    corpus = load_corpus(tmp_path)
    assert [e.source for e in corpus.essays] == ["good.txt"]
    assert any("huge.txt" in w and "MB" in w for w in corpus.warnings)


def test_secrets_stay_out_of_settings_repr():
    from rag.config import Settings

    settings = Settings.from_env({"RAG_LLM_API_KEY": "sk-very-secret", "RAG_AUTH": "admin:hunter2"})
    assert settings.llm_api_key == "sk-very-secret" and settings.auth_pair == ("admin", "hunter2")
    assert "sk-very-secret" not in repr(settings) and "hunter2" not in repr(settings)
