"""Typed evidence on sentences of the corpus, enumerations, and lists followed past their lead-in."""

from __future__ import annotations

import pytest

from rag.evidence import inline_items, is_lead_in, item_marker, value_spans
from rag.text import Tokenizer


def corpus_sentence(corpus_text: str, fragment: str) -> str:
    """The whole sentence of the corpus containing `fragment`."""
    at = corpus_text.index(fragment)
    start = max(corpus_text.rfind(mark, 0, at) for mark in "。\n") + 1
    end = min(i for i in (corpus_text.find(mark, at) for mark in "。\n") if i >= 0) + 1
    return corpus_text[start:end]


@pytest.fixture(scope="module")
def text():
    from conftest import CORPUS

    return CORPUS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tokenizer():
    from rag.text import read_user_dict

    return Tokenizer(read_user_dict())


@pytest.mark.parametrize("fragment,kind,unit,value", [
    ("五四村以30亩土地折价入股", "quantity", "亩", "30亩"),
    ("占9%的股份", "quantity", None, "9%"),
    ("1500多棵百年以上柿子树", "quantity", "棵", "1500多棵"),
    ("今年是浙江省实施", "quantity", "第", "第21"),
    ("5月13日,X区学习运用", "date", None, "5月13日"),
    ("5月12日至18日,我有幸", "duration", None, "5月12日至18日"),  # a span of dates says how long
    ("为期5天的专题授课", "duration", None, "5天"),
    ("义乌市何斯路村现任支部书记何允辉", "person", None, "何允辉"),
    ("德清县莫干山生态旅游发展有限公司", "organisation", None, "公司"),
])
def test_values_of_the_asked_kind_in_corpus_sentences(text, tokenizer, fragment, kind, unit, value):
    sentence = corpus_sentence(text, fragment)
    spans = value_spans(sentence, kind, unit, tokenizer)
    assert any(value in sentence[s:e] or sentence[s:e] in value for s, e in spans), (sentence, spans)


@pytest.mark.parametrize("sentence,kind", [
    ("2009年,德清县准备建一个旅游集散中心。", "duration"),  # a year is a date, not a duration
    ("5月13日上午,学员们来到村里。", "duration"),  # one day is a date
    ("一个村一个村地深入考察。", "quantity"),  # 一个 is an article here
    ("要坚持规划引领,科学布局。", "organisation"),  # 布局 is no bureau
    ("傅临产书记的话让我觉得很真实。", "money"),
    ("张村尝试“公司+农户”的经营模式。", "organisation"),  # a quoted model of business, no body
])
def test_no_value_where_there_is_none(tokenizer, sentence, kind):
    assert value_spans(sentence, kind, None, tokenizer) == []


@pytest.mark.parametrize("sentence,towns", [
    ("青石镇的张家村建成了茶园。", ["青石镇"]),
    ("柳林街道、王庄乡的村子都有产业园。", ["柳林街道", "王庄乡"]),
    ("推动城乡融合,每个乡镇确定1个试点村。", []),  # 城乡, 乡镇: words, not towns
    ("加快落地我乡的项目,体现乡土特点,通过美丽乡村建设。", []),  # 我乡: no name; 乡土, 乡村: words
])
def test_a_township_asked_for_is_a_name_with_its_unit(tokenizer, sentence, towns):
    spans = value_spans(sentence, "place", "乡|镇|街道", tokenizer)
    found = [sentence[s:e] for s, e in spans]
    assert len(found) == len(towns) and all(f.endswith(t) for f, t in zip(found, towns, strict=True)), found


def test_a_mountain_asked_for_is_a_name_ending_so_not_a_town_named_after_one(text, tokenizer):
    """"哪座山" is answered by a name ending in 山 (太行山), not by 萧山, a district of the corpus."""
    crossed = corpus_sentence(text, "越过巍巍太行山")
    assert [crossed[s:e] for s, e in value_spans(crossed, "place", "山", tokenizer)] == ["太行山"]
    district = corpus_sentence(text, "萧山横一村探索")
    assert value_spans(district, "place", "山", tokenizer) == []


def test_enumeration_markers_and_lead_ins():
    assert item_marker("一是坚持 引领,发挥模范带头作用。") == ("shi", 1)
    assert item_marker("(二)着力提升养老服务水平") == ("paren", 2)
    assert item_marker("3.坚持产业引领。") == ("digit", 3)
    assert item_marker("一起推进。") is None and item_marker("2024年,我区…") is None
    assert is_lead_in("就要做到“六个坚持”:") and is_lead_in("我有以下几点感悟:")
    assert not is_lead_in("村里修了路。")
    assert inline_items("学习了《甲》、《乙》、《丙》等内容") == 3


def test_items_opened_by_yao_and_shi_are_one_list(assistant):
    """"一要…", "二是…", "三要…": writers mix the two ordinal clauses within one enumeration."""
    assert item_marker("二要做好规划。")[0] == item_marker("二是做好规划。")[0]
    composer = assistant.composer
    second = next(r for r in range(len(assistant.index.sentences)) if composer.text(r).startswith("二是破解乡村发展"))
    items = [composer.text(r)[:2] for r in composer.enumeration(second)]
    assert items == ["一要", "二是", "三要"]


def test_a_list_is_followed_past_its_colon(assistant):
    composer = assistant.composer
    lead = next(r for r in range(len(assistant.index.sentences)) if composer.text(r).rstrip().endswith("“六个坚持”:"))
    items = composer.enumeration(lead)
    assert items[0] == lead and len(items) == 7
    assert [item_marker(composer.text(r))[1] for r in items[1:]] == [1, 2, 3, 4, 5, 6]
    # From any item, the same enumeration, lead-in included.
    assert composer.enumeration(items[3]) == items


def test_items_after_a_colon_inside_a_paragraph_are_sentences_and_a_list(assistant):
    """"…做到以下几点:1.明确工作目标。…2.坚持规划引领。" is one paragraph: the colon ends the
    lead-in as the items begin a section (rag.sections), so the list is found from the lead-in."""
    composer = assistant.composer
    lead = next(r for r in range(len(assistant.index.sentences)) if composer.text(r).rstrip().endswith("做到以下几点:"))
    items = composer.enumeration(lead)
    assert items[0] == lead
    assert [item_marker(composer.text(r)) for r in items[1:]] == [("digit", n) for n in (1, 2, 3, 4)]


def test_a_numeral_inside_a_known_name_states_no_value():
    tokenizer = Tokenizer(["千万工程", "五四村 ns"])
    assert value_spans("“千万工程”实施二十年,五四村变了样。", "quantity", None, tokenizer) == []
    sentence = "实施千万工程以来,建成1000个示范村。"
    assert [sentence[s:e] for s, e in value_spans(sentence, "quantity", None, tokenizer)] == ["1000个"]


@pytest.mark.parametrize("sentence,unit,value", [
    ("保护区面积约1750.33km²。", "area", "1750.33km²"), ("该路段全长10km。", "length", "10km"),
    ("成年个体体长约13公尺。", "length", "13公尺"), ("他身高182CM。", "length", "182CM"),
    ("面积约3KM2。", "area", "3KM2"),
])
def test_units_written_in_latin_letters_or_old_forms(sentence, unit, value):
    from rag.question import AREA_UNITS, LENGTH_UNITS

    units = {"area": AREA_UNITS, "length": LENGTH_UNITS}[unit]
    assert [sentence[s:e] for s, e in value_spans(sentence, "quantity", units)] == [value]


@pytest.mark.parametrize("question,sentence,value", [
    ("全长多少厘米？", "全长通常只有2cm，是最小的一种。", "2cm"), ("有多少公里？", "线路长38.6千米。", "38.6千米"),
    ("重多少公斤？", "成体重约5kg。", "5kg"),
])
def test_a_unit_asked_is_answered_in_any_of_its_spellings(question, sentence, value):
    from rag.question import measure_unit

    assert [sentence[s:e] for s, e in value_spans(sentence, "quantity", measure_unit(question))] == [value]


def test_people_named_by_role_or_group():
    sentence = "村里请来专家编制规划，动员乡贤回村。"
    assert [sentence[s:e] for s, e in value_spans(sentence, "people")] == ["专家", "乡贤"]
    assert value_spans("修了一条路。", "people") == []


def test_a_headings_items_may_follow_an_introduction(assistant):
    """"二、经验启示", four sentences of introduction, then 一是…四是…: the heading's enumeration."""
    composer = assistant.composer
    heading = next(r for r in range(len(assistant.index.sentences)) if composer.text(r).strip() == "二、经验启示")
    items = composer.enumeration(heading)
    assert items[0] == heading
    assert [item_marker(composer.text(r)) for r in items[1:]] == [("shi", n) for n in (1, 2, 3, 4)]


def test_a_question_word_does_not_swallow_the_noun_after_it():
    """jieba reads "什么样本" as 什么样|本; the tokenizer gives the question's noun back."""
    assert "样本" in Tokenizer().tokenize("这批调查用的是什么样本？")
    assert "什么样" not in Tokenizer().tokenize("用的是什么样本？")


@pytest.mark.parametrize("sentence,count,head,counts", [
    ("今年计划新建5个生态示范村、12个整治村。", "5个", "村", True),
    ("明年实施道路改建项目3个,总长20公里。", "3个", "目", True),
    ("建设好文化礼堂项目、完成3个乡镇卫生站建设。", "3个", "位", False),
])
def test_a_count_counts_the_noun_beside_it(sentence, count, head, counts):
    """The counted noun follows the count or comes before it in its clause."""
    from rag.evidence import counts_of

    start = sentence.index(count)
    assert counts_of(sentence, (start, start + len(count)), head) is counts


def test_a_hundred_million_said_colloquially_is_money_and_a_grade_is_no_amount():
    text = "拥有一个亿集体资产,推进乡镇通三级公路。"
    assert [text[s:e] for s, e in value_spans(text, "money")] == ["一个亿"]
    assert [text[s:e] for s, e in value_spans(text, "quantity")] == []
    assert [text[s:e] for s, e in value_spans(text, "quantity", "级")] == ["三级"]


@pytest.mark.parametrize("text,places", [
    ("培训班在浙江大学华家池校区开班。", ["华家池校区"]),  # not 大学华家池校区: a name starts a word
    ("要深入贯彻中央及省市的部署。", []),  # 贯彻中央及省: a conjunction is in no name
    ("从一村一品入手。", []),  # 从一村: a preposition is in no name
])
def test_a_place_name_starts_a_word_and_holds_no_particle(text, places):
    assert [text[s:e] for s, e in value_spans(text, "place", None, Tokenizer())] == places
