"""Typed evidence in sentences: where a sentence states a value of a kind, and enumerations.

`value_spans(text, kind, unit, tokenizer)` finds the spans of a sentence that state a value of
the expected kind — a person (jieba's `nr` beside a title, or a known name), a place (`ns`, or
a name ending in 村/镇/县…), an organisation (`nt`, or a name ending in 公司/合作社/局…), a date,
a duration, an amount of money, a quantity in a unit. Patterns follow the language (measure
words, numerals, date forms), never one corpus.
`item_marker(text)` reads the ordinal that opens an enumeration item (一是, (二), 3., 第四, 首先)
and `is_lead_in(text)` tells a sentence that announces a list ("做到“六个坚持”:").
Leaves out: choosing sentences (answer.py) and reading the question (question.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.lexicon import CATEGORY, DETERMINERS, frequent, proper, tag
from rag.question import (
    ALIAS_WORDS,
    AREA_UNITS,
    BODY_GROUPS,
    COUNTERS,
    LENGTH_UNITS,
    PEOPLE_UNITS,
    PEOPLE_WORDS,
    ROLE_WORDS,
    TIME_UNITS,
    TOWNSHIP,
    WEIGHT_UNITS,
)
from rag.text import CN_DIGITS, ORDINALS, cn_number

# A numeral; a lone 一 is left out, as "一个村" is an article more often than a count.
NUMBER = rf"(?:\d[\d.,]*|[{CN_DIGITS}]{{2,}}|[{CN_DIGITS.replace('一', '')}])"
_DATE_SPAN = (r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]?\s*(?:至|到|—|－|-|~|～)\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*[日号]|"
              r"\d{4}\s*年?\s*(?:至|到|—|－|-|~|～)\s*\d{4}\s*年|\d{1,2}\s*月\s*(?:至|到|—|－|-|~|～)\s*\d{1,2}\s*月")
# A lone 一 bounded by a word saying at least or only ("至少有一名", "仅一家") is a count, no article.
_BOUNDING_WORDS = ("至少有", "至少", "最少", "不少于", "不低于", "仅有", "仅", "只有")
_BOUNDED = "(?:" + "|".join(f"(?<={w})" for w in _BOUNDING_WORDS) + ")"
PATTERNS = {
    "date": re.compile(rf"\d{{4}}\s*年(?:\d{{1,2}}\s*月)?|\d{{1,2}}\s*月\s*\d{{0,2}}\s*[日号]?|[{CN_DIGITS}]{{1,3}}月|"
                       rf"(?:去|今|前|明)年|年[初底中]|[{CN_DIGITS}\d]+(?:多)?年前|上世纪|\d{{2,4}}年代"),
    # A length of time (not a year: "2009年" is a date), or a span from one date to another
    # ("5月12日至18日", "2024-2027年").
    "duration": re.compile(rf"(?<![\d])(?:\d{{1,3}}|[{CN_DIGITS}]{{1,4}})(?!\d)\s*多?(?:个)?"
                           rf"(?:年|个月|天|周|星期|小时)(?![级代底初])|{_DATE_SPAN}"),
    # How often: a length of time per occurrence ("每两周", "每年一次", "三天一班"), or occurrences
    # per length of time ("一年两次"), or a regular interval ("定期" says none).
    "frequency": re.compile(rf"每(?:隔)?\s*(?:{NUMBER}|[一两半])?\s*(?:个)?(?:年|季度|季|月|周|星期|天|日|小时|分钟)|"
                            rf"(?:{NUMBER}|[一两半])\s*(?:个)?(?:年|季度|月|周|星期|天|日|小时|分钟)\s*[一1]\s*[次回趟班轮]|"
                            rf"[一每](?:年|季度|月|周|星期|天|日)[\u4e00-\u9fff]{{0,4}}?(?:{NUMBER}|[一两])\s*[次回趟班轮]"),
    "money": re.compile(rf"{NUMBER}\s*多?(?:万|亿|千|百)?(?:元|块)|"
                        rf"(?:\d[\d.]*|[{CN_DIGITS}]{{2,}})\s*多?(?:万|亿)(?!\s*(?:亩|人|户|公里|平方|株|棵|名|个))|"
                        rf"(?:\d+|[{CN_DIGITS}])个亿"),  # "一个亿集体资产": said of money only
    "quantity": re.compile(rf"{NUMBER}\s*(?:多|余)?\s*(?:{AREA_UNITS}|{LENGTH_UNITS}|{WEIGHT_UNITS}|{TIME_UNITS}|"
                           rf"[{COUNTERS}]|%|％|成|倍|万|亿|级|周?岁)|\d+(?:\.\d+)?\s*[:：比]\s*\d+|"
                           rf"{_BOUNDED}一\s*[{COUNTERS}]"),
}
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:村|镇|乡(?![村镇])|县|区|市|省|街道)"
                    r"(?!级)(?![\u4e00-\u9fff]{0,1}(?:民|委|干部|集体|书记|庄))")  # 乡村, 乡镇 are no 乡; 区级 a level
_ORG = re.compile(r"(?<![的为以和在与及、,，。])[\u4e00-\u9fff“”]{2,20}?"
                  r"(?<![“”])(?:有限公司|公司|合作社|协会|集团|委员会|大学|学院|研究院|研究所|医院|卫生院|中学|小学|"
                  r"银行|基金会|酒店)")
# (a bare suffix just after a quote mark names no body: “公司+基地+农户” is a model of business)
# A government department: an administrative level, its Party committee or government, a field and
# the department's suffix (区委组织部, 县交通运输局, 市民政局), not a word ending alike (干部, 全部, 格局).
_GOV_BODY = re.compile(r"(?:省|市|县|区|州|镇|乡)(?:委|政府)?(?:(?![的了们里在和与及是有个这那])[\u4e00-\u9fff]){1,6}?"
                       r"(?<![干全内外东西南北中大各格布结开当僵])(?:部|局|厅|办公室)(?![分门长])")
_PEOPLE = re.compile(PEOPLE_WORDS)
TITLE_MARKS = re.compile(r"《[^》]{2,40}》")  # a title: of a book, a course, a document
_COINED_NAME = re.compile(rf"“[^“”,，。；;:：!！?？]{{2,12}}”|{TITLE_MARKS.pattern}")
_PLACE_UNIT = re.compile(r"(?:街道|[村镇乡县区市省])$")


def names_place(span: str, known: Iterable[str] = ()) -> bool:
    """Whether a place-like span names a place: "一个村", "每个镇", "全村", "我乡" count or
    point at places and name none; "美丽乡村", "广大农村" end on a word naming a category of
    places, unless a name of the corpus (`known`) ends the span.

    >>> names_place("横一村"), names_place("在一个村"), names_place("全村"), names_place("瓜沥镇")
    (True, False, False, True)
    >>> names_place("个试点村"), names_place("个重点建设村")
    (False, False)
    >>> names_place("美丽乡村"), names_place("广大农村"), names_place("径山村"), names_place("到乡村", ["到乡村"])
    (False, False, True, True)

    A common word right before the unit makes a kind of place, not a name ("服务专业镇", "建中心村"),
    unless it is a proper name in jieba's dictionary ("城关镇"), a time word (an era: "南宋镇") or
    the corpus names the place so:

    >>> names_place("服务专业镇"), names_place("建中心村"), names_place("城关镇"), names_place("南宋镇")
    (False, False, True, True)
    >>> names_place("建中心村", ["中心村"])
    True
    """
    unit = _PLACE_UNIT.search(span)
    if unit is None:
        return True
    if unit.start() == 0 or span[unit.start() - 1] in DETERMINERS | {"个"} or span[0] == "个":
        return False  # (…"1个试点村": a counted kind of village, named by no one)
    if any(span.endswith(k) for k in known):
        return True
    stem = span[: unit.start()]
    common = any(frequent(word, CATEGORY) and not proper(word) and tag(word) != "t"
                 for word in (stem[-n:] for n in (2, 3, 4) if len(stem) >= n))
    return not common and not frequent(span[unit.start() - 1 : unit.end()], CATEGORY)
_FOREIGN_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}")  # 保罗·皮尔斯
_TITLE = re.compile(r"书记|支书|老师|教授|主任|局长|县长|镇长|乡长|村长|主席|同志|先生|女士|院士|专家|经理|董事长")

_OPENING_QUOTES, _CLOSING_QUOTES = "“‘「『\"", "”’」』\""
# Ordinal families that open enumeration items, each with the ordinal's position. "一是", "二要",
# "三靠" are one family: writers mix them within one list ("一要…二是…三要…").
_MARKERS: tuple[tuple[str, re.Pattern], ...] = (
    ("shi", re.compile(rf"^([{CN_DIGITS}]{{1,3}})是")),
    ("shi", re.compile(rf"^([{ORDINALS}])(?:要|靠|抓|来)(?![是求素])")),
    ("paren", re.compile(rf"^[(（]([{CN_DIGITS}]{{1,3}})[)）]")),
    ("dun", re.compile(rf"^([{CN_DIGITS}]{{1,3}})、")),
    ("digit", re.compile(r"^(\d{1,2})[.．、](?!\d)")),
    ("di", re.compile(rf"^第([{CN_DIGITS}]{{1,3}})[,，、:：]")),
    ("order", re.compile(r"^(首先|其次|再次|然后|最后)")),
)
_CLAUSE_FIRST_ITEM = re.compile(r"[,，:：]\s*一(?:是|要)(?![是求素])")
# The usual nesting of official Chinese documents: 一、 above (一) above 1. above 一是 / 第一 / 首先.
MARKER_LEVELS = {"dun": 0, "paren": 1, "digit": 2, "shi": 3, "di": 3, "order": 3}
_ORDER_WORDS = {"首先": 1, "其次": 2, "再次": 3, "然后": 3, "最后": 9}
_LEAD_IN = re.compile(rf"[:：]\s*$|[“\"]?[{CN_DIGITS}\d]+(?:个|项|条|点|大|种)[\u4e00-\u9fff”\"]{{0,8}}[:：,，]?\s*$|"
                      rf"(?:如下|以下|几点|几个方面|包括)[:：,，]?\s*$")


def item_marker(text: str) -> tuple[str, int] | None:
    """(family, ordinal) of the enumeration marker opening `text`, if any.

    >>> item_marker("二是坚持规划引领。"), item_marker("(三)着力提升养老服务"), item_marker("首先,要…")
    (('shi', 2), ('paren', 3), ('order', 1))
    >>> item_marker("三是"), item_marker("一起努力"), item_marker("二要做好空间规划;")
    (None, None, ('shi', 2))
    >>> item_marker("因此,我们学习经验,一要因地制宜;")
    ('shi', 1)
    """
    body = text.lstrip()
    for family, pattern in _MARKERS:
        m = pattern.match(body)
        if m and len(body) > m.end():
            value = _ORDER_WORDS[m.group(1)] if family == "order" else cn_number(m.group(1))
            if value:
                return family, value
    # A first item may open the last clause of a sentence: "因此,我们学习…经验,一要因地制宜,…;".
    m = _CLAUSE_FIRST_ITEM.search(body)
    return ("shi", 1) if m else None


def is_lead_in(text: str) -> bool:
    """A sentence announcing a list that follows: it ends with a colon or with a count of items.

    >>> is_lead_in("就要做到“六个坚持”:"), is_lead_in("主要有以下几点:"), is_lead_in("村里修了路。")
    (True, True, False)
    """
    return bool(_LEAD_IN.search(text.strip().rstrip("”\"")) or _LEAD_IN.search(text.strip()))


def listed_at(text: str, start: int, end: int) -> bool:
    """Whether the name at text[start:end] is one item of an in-sentence list (before 、 or 等,
    after 、, or quoted right beside another quoted name: “甲”“乙”): named there, not described.

    >>> t = "建图书室和爱心驿站等方式。设立“读书角”“爱心驿站”、评选庭院。爱心驿站用积分兑换。"
    >>> [listed_at(t, m.start(), m.end()) for m in re.finditer("爱心驿站", t)]
    [True, True, False]
    >>> listed_at(t, t.index("读书角"), t.index("读书角") + 3)
    True
    """
    quoted_end = end < len(text) and text[end] in _CLOSING_QUOTES
    quoted_start = start > 0 and text[start - 1] in _OPENING_QUOTES
    while end < len(text) and text[end] in _CLOSING_QUOTES:
        end += 1
    while start > 0 and text[start - 1] in _OPENING_QUOTES:
        start -= 1
    beside_quoted = (quoted_end and text[end : end + 1] in _OPENING_QUOTES) or (
        quoted_start and start > 0 and text[start - 1] in _CLOSING_QUOTES)
    return text[end : end + 1] in ("、", "等") or text[start - 1 : start] == "、" or beside_quoted


_ALIAS_CLAUSE = re.compile(rf"(?:{ALIAS_WORDS})[^,，。;；]*")


def lists_only_names(text: str) -> bool:
    """Whether the three or more things a sentence lists are only other names of its subject,
    which answer "有哪些别称" but no question about what it has or does.

    >>> lists_only_names("蓍，又名欧蓍、千叶蓍、锯草，是多年生草本植物。")
    True
    >>> lists_only_names("又名石村，有茶园、竹林、果园。"), lists_only_names("建成茶园、竹林、果园。")
    (False, False)
    """
    return inline_items(text) >= 3 and inline_items(_ALIAS_CLAUSE.sub("", text)) < 3


def inline_items(text: str) -> int:
    """How many items an in-sentence enumeration lists (、-separated or 一是…二是… inside).

    >>> inline_items("打造东掌村、永丰村、西申家庄村、桥沟村。"), inline_items("村里修了路。")
    (4, 0)
    >>> inline_items("从修路到建房,再到办厂,都由村民商量。"), inline_items("从早到晚。")
    (3, 0)
    """
    dun = text.count("、")
    # "从甲到乙,再到丙": a series walked through, three items or more.
    walked = re.search(r"从[^,，。]{1,20}?到.{1,30}?(?:再|又)到", text)
    series = len(re.findall(r"(?:再|又)到", text)) + 2 if walked else 0
    inner = len(re.findall(rf"[{CN_DIGITS}]是", text))
    titles = len(re.findall(r"《[^》]+》", text))
    return max(dun + 1 if dun >= 2 else 0, inner if inner >= 2 else 0, titles if titles >= 2 else 0, series)


# A numbered abbreviation (数字缩略语): "四敢" stands for four things each holding 敢, "五众" for
# five holding 众, "六个坚持" for six holding 坚持. Two things each holding a character are too
# common to tell one ("人民就是江山、江山就是人民" is no spelling of 两山), so three or more.
_ABBREVIATION = re.compile(r"^([三四五六七八九]|十[一二三四五六七八九]?)(?:个|大|项|条)?([\u4e00-\u9fff]{1,2})$")
_CLAUSE = re.compile(r"[^,，;；:：。！？!?]+")


def abbreviation(term: str) -> tuple[int, str] | None:
    """(count, shared part) of a numbered abbreviation, else None.

    >>> abbreviation("三不"), abbreviation("六个坚持"), abbreviation("千万工程"), abbreviation("两山")
    ((3, '不'), (6, '坚持'), None, None)
    """
    m = _ABBREVIATION.match(term.strip("“”\"「」"))
    return (cn_number(m.group(1)), m.group(2)) if m else None


def expansion(text: str, count: int, shared: str) -> tuple[int, int] | None:
    """The span of the clause of `text` listing exactly `count` things with 、, each holding
    `shared`: what a numbered abbreviation stands for.

    >>> expansion("要做到不推、不拖、不等,才能办好。", 3, "不")
    (0, 11)
    >>> expansion("有甲、乙、丙三类。", 3, "不") is None
    True
    """
    for clause in _CLAUSE.finditer(text):
        items = clause.group().split("、")
        if len(items) == count and all(shared in item for item in items):
            return clause.span()
    return None


_IN_CLAUSE = r"[^，,。；;：:、！!？?\s]"
# "要做到几个“坚持”": the counter and the noun a count is asked of, up to the end of the clause.
_COUNT_OF_TERM = re.compile(rf"(?:几|多少)([{COUNTERS}])[“\"]?([\u4e00-\u9fff]{{1,6}}?)[”\"]?(?=[？?，,。！!]|$)")


def counted_term_spans(text: str, question: str) -> list[tuple[int, int]]:
    """Spans of `text` where a slogan in quotes counts what `question` asks the count of: the
    numeral, the counter and the noun asked ("“六个坚持”" for "要做到几个“坚持”", "“三个一批”" for
    "几个“一批”"), though a numeral inside a name states no value otherwise (`value_spans`).

    >>> counted_term_spans("就要做到“六个坚持”:", "要做到几个“坚持”？")
    [(5, 9)]
    >>> counted_term_spans("他是一个坚持原则的人", "要做到几个“坚持”？"), counted_term_spans("有六个村", "有几个村？")
    ([], [])
    """
    m = _COUNT_OF_TERM.search(question)
    if not m:
        return []
    counter, noun = m.groups()
    return [t.span(1) for t in re.finditer(rf"“((?:{NUMBER}|一){counter}{re.escape(noun)})”", text)]




def counts_of(text: str, span: tuple[int, int], head: str) -> bool:
    """Whether the count at `span` of `text` counts nouns ending on `head`: the noun phrase after
    it ("5个生态示范村") or before it in the same clause ("改建项目3个") holds the head (or
    one character of a head with its suffix: 村子 counts 村, 孩子 counts 子女).

    >>> counts_of("计划新建5个生态示范村。", (4, 6), "村"), counts_of("实施道路改建项目3个,总长20公里", (8, 10), "目")
    (True, True)
    >>> counts_of("建设好文化礼堂项目、完成3个乡镇卫生站。", (12, 14), "位")
    False
    >>> counts_of("每镇确定1个试点村", (4, 6), "村子")
    True

    People asked for as 人 ("几个人") are counted by the people measure words or as any people
    noun ("3名以上后备干部"):

    >>> counts_of("储备3名以上后备干部", (2, 4), "人"), counts_of("建了3个服务站", (2, 4), "人")
    (True, False)
    """
    start, end = span
    after = re.match(rf"{_IN_CLAUSE}{{0,10}}", text[end:]).group()
    before = re.search(rf"{_IN_CLAUSE}{{0,12}}$", text[:start]).group()
    if head == "人" and (re.fullmatch(PEOPLE_UNITS, text[end - 1]) or _PEOPLE.search(after)):
        return True
    return any(h in after or h in before for h in head)


_DATE_RANGE = re.compile(_DATE_SPAN)


def in_date_range(text: str, span: tuple[int, int]) -> bool:
    """Whether the date at `span` opens or closes a range of dates ("5月12日至18日", "2024-2027年"),
    which tells both when something began and when it ended.

    >>> in_date_range("5月12日至18日,我参加了培训", (0, 5)), in_date_range("2019年启动", (0, 5))
    (True, False)
    """
    return any(m.start() <= span[0] < m.end() for m in _DATE_RANGE.finditer(text))


def value_spans(text: str, kind: str, unit: str | None = None, tokenizer=None) -> list[tuple[int, int]]:
    """Spans of `text` that state a value of `kind` (in `unit`, for quantities naming one).

    >>> value_spans("以30亩土地折价入股占9%的股份", "quantity", "亩")
    [(1, 4)]
    >>> value_spans("项目投入1.2亿元。", "money"), value_spans("2019年建成", "date")
    ([(4, 9)], [(0, 5)])
    >>> value_spans("建设好区级骨灰堂、村级公墓", "place")
    []
    >>> value_spans("每两周走访一次", "frequency"), value_spans("班车20分钟一班", "frequency")
    ([(0, 3)], [(2, 8)])
    >>> value_spans("一年举办两次", "frequency"), value_spans("2019年启动以来", "frequency")
    ([(0, 6)], [])
    >>> value_spans("三年前建成", "date"), value_spans("20年来坚持", "date"), value_spans("20年来坚持", "duration")
    ([(0, 3)], [], [(0, 3)])
    >>> value_spans("从负债三十多万到一个亿", "money"), value_spans("年满80周岁", "quantity")
    ([(3, 7), (8, 11)], [(2, 6)])
    >>> value_spans("培训班(第一期)开班", "quantity", "第"), value_spans("这是第21届年会", "quantity", "第")
    ([(4, 6)], [(2, 5)])
    >>> value_spans("他们的“云管家”平台上线了", "name")
    [(3, 8)]
    >>> [(t, value_spans(t, "organisation")) for t in ("我跟随区委组织部出发", "干部全部到位")]
    [('我跟随区委组织部出发', [(3, 8)]), ('干部全部到位', [])]

    A numeral inside a name the tokenizer knows (“千万工程”) states no value.
    """
    if kind in PATTERNS:
        spans = [m.span() for m in PATTERNS[kind].finditer(text)]
        if kind == "quantity" and unit == "第":
            # After 第 a lone 一 is an ordinal too ("第一期").
            spans = [m.span() for m in re.finditer(rf"第(?:{NUMBER}|一)", text)]
        elif kind == "quantity" and unit:
            spans = [(s, e) for s, e in spans if re.search(rf"(?:{unit})$", text[s:e].rstrip())]
        elif kind == "quantity":
            # A grade ("通三级公路", "二级") is a rank, no amount: only "几级" asks it.
            spans = [(s, e) for s, e in spans if not text[s:e].rstrip().endswith("级")]
        return _outside_names(text, spans, tokenizer.numbered if tokenizer else ())
    if kind == "title":
        return [m.span() for m in TITLE_MARKS.finditer(text)]
    if kind == "name":  # a coined name, set off by quotes or title marks: “沥家园”, 《…》
        return [m.span() for m in _COINED_NAME.finditer(text)]
    if kind == "person":
        foreign = [m.span() for m in _FOREIGN_NAME.finditer(text)]
        return foreign + (_tagged_spans(text, tokenizer, ("nr",), _person_context) if tokenizer else [])
    if kind == "place":
        known = getattr(tokenizer, "places", ())
        spans = [span for m in _PLACE.finditer(text) if (span := _name_from_word_start(text, m.span(), tokenizer))
                 and names_place(text[slice(*span)], known)]
        feature = unit is not None and unit != TOWNSHIP  # a mountain or a river: no 村, no 镇
        if tokenizer and (not spans or feature):
            # A mountain is no town named after one: 萧山 (a district of the gazetteer) is no 山.
            spans += [(s, e) for s, e in _tagged_spans(text, tokenizer, ("ns",))
                      if not (feature and text[s:e] in known)]
        if unit:
            # "哪个镇" is answered by a town's name with its unit (瓜沥镇), not by 城乡 or 乡镇.
            level = re.compile(rf"(?:{unit})$")
            # The unit must end a name: not 我乡/全镇 (no name), 城乡/古镇 (one word), 乡土/乡亲.
            spans = [(s, e) for s, e in spans if (m := level.search(text, s, e)) and m.start() > s
                     and text[m.start() - 1] not in DETERMINERS
                     and not frequent(text[m.start() - 1 : e]) and not frequent(text[e - 1 : e + 1])]
        return spans
    if kind == "people":  # people named by role or group, for "谁" asking no role
        return [m.span() for m in _PEOPLE.finditer(text)]
    if kind == "organisation":
        spans = sorted([m.span() for m in _ORG.finditer(text)] + [m.span() for m in _GOV_BODY.finditer(text)])
        spans = spans or (_tagged_spans(text, tokenizer, ("nt",)) if tokenizer else [])
        if unit in BODY_GROUPS:  # "哪所大学": a name ending on a school's word
            spans = [(s, e) for s, e in spans if re.search(rf"(?:{unit})$", text[s:e])]
        return spans
    return []


# Characters no place name holds: particles and conjunctions ("贯彻中央及省", "使交通强区").
_NOT_IN_NAME = re.compile(r"[的及和与或并使把将被对在从向于]")


def _name_from_word_start(text: str, span: tuple[int, int], tokenizer) -> tuple[int, int] | None:
    """A place-like span as a name: started where a word starts (a match may begin inside one:
    "大学华家池校区" of 浙江大学华家池校区), holding no particle or conjunction; None when none is left.

    >>> _name_from_word_start("深入贯彻中央及省市要求", (1, 8), None), _name_from_word_start("在横一村", (1, 4), None)
    (None, (1, 4))
    """
    start, end = span
    if tokenizer is not None and start not in (starts := tokenizer.word_starts(text)):
        start = min((s for s in starts if start < s < end - 1), default=end)
    if end - start < 2 or _NOT_IN_NAME.search(text, start, end - 1):
        return None
    return start, end


def _outside_names(text: str, spans: list[tuple[int, int]], names) -> list[tuple[int, int]]:
    """The spans not lying inside an occurrence of one of `names`."""
    inside = [(m.start(), m.end()) for name in names if name in text for m in re.finditer(re.escape(name), text)]
    return [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in inside)]


_TITLE_AFTER = re.compile(rf"(?:、[\u4e00-\u9fff]{{2,4}}?)*[\u4e00-\u9fff]{{0,3}}?(?:{ROLE_WORDS})")
_ROLE_BEFORE = re.compile(rf"(?:{ROLE_WORDS}|员|人)的?$")
_LEADING_WORDS = re.compile(r"^.*(?:特别是|尤其是|比如|例如|其中|是)")  # what the clause says before the role


def role_phrase(text: str, name: str) -> tuple[int, int] | None:
    """The span of the words in `text` saying what the person `name` is, set beside the name in
    its clause: before it ("曾任安吉县农办副主任的任强军", "何斯路村党总支书记何允辉") or as a
    title after it, past other names listed with it ("来自高校的甲、乙教授", "傅临产支部书记");
    the longest, else None.

    >>> t = "特别是曾任县农办副主任的王五、李村现任支部书记赵六,他们作为参与者"
    >>> [t[slice(*role_phrase(t, n))] for n in ("王五", "赵六")]
    ['曾任县农办副主任的王五', '李村现任支部书记赵六']
    >>> t = "无论是来自高校的张三、李四教授,还是王五支部书记"
    >>> [t[slice(*role_phrase(t, n))] for n in ("张三", "李四", "王五")]
    ['来自高校的张三、李四教授', '来自高校的张三、李四教授', '王五支部书记']
    >>> role_phrase("王五讲到了乡村治理", "王五") is None
    True
    """
    best = None
    for m in re.finditer(re.escape(name), text):
        clause_start = max(text.rfind(c, 0, m.start()) for c in ",，;；:：。“”") + 1
        before = _LEADING_WORDS.sub("", text[clause_start : m.start()])
        *listed, own = before.split("、")
        if listed and "的" in listed[0] and all(2 <= len(n) <= 4 for n in listed[1:] + [own] if n):
            # A later name of a list shares the list's description: "来自高校的甲、乙教授".
            described = before[: before.index("的") + 1]
        else:
            described = own
        span = None
        if _ROLE_BEFORE.search(own):
            span = (m.start() - len(own), m.end())
        elif title := _TITLE_AFTER.match(text, m.end()):
            span = (m.start() - len(before) if described.endswith("的") else m.start(), title.end())
        if span and (best is None or span[1] - span[0] > best[1] - best[0]):
            best = span
    return best


def _person_context(text: str, start: int, end: int) -> bool:
    # jieba's tagger guesses names for unknown words; a guess counts beside a title, as
    # Chinese text introduces people ("傅临产支部书记", "任强军老师").
    return bool(_TITLE.search(text[max(0, start - 6) : start] + "|" + text[end : end + 6]))


def _tagged_spans(text: str, tokenizer, flags: tuple[str, ...], context=None) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for pair in tokenizer.tagged(text):
        end = pos + len(pair.word)
        if pair.flag.startswith(flags) and len(pair.word) >= 2 and (
            pair.word in tokenizer.people or context is None or context(text, pos, end)
        ):
            spans.append((pos, end))
        pos = end
    return spans
