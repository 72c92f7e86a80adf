"""The question stage: one grammar table row per expected kind, written from generic templates
("X的Y叫什么名字", "X归哪个镇管", "花了几个钱"), follow-up vs new topic, stated constraints."""

from __future__ import annotations

import pytest

from rag.question import (
    AREA_UNITS,
    COUNTERS,
    DAY_ASKED,
    EXPECTED,
    OUTLINE_ASKED,
    expected_answer,
    is_follow_up,
    measure_unit,
    parse,
)

# One entry per row of EXPECTED; the templates use made-up names, never evaluation questions.
TEMPLATES = {
    "survey": ["几位学员对张家村都写了什么？", "学员们怎么看垃圾分类？", "不同作者对旅游开发各自有什么看法？",
               "说到垃圾分类，各位作者都写了什么？",
               "两位作者各写了哪些村？", "每篇心得都提到了哪个村？"],
    "page": ["甲乙那篇印在第几页？", "这一节在目录上标的是哪一页？", "这篇页码多少？"],
    "list": ["甲镇有哪些特色产业？", "这项制度包括哪五条？", "请列举几个主要措施。", "请列出他学过的课程。",
             "两个村分别种什么？",
             "这家合作社的经验是什么？", "这家民宿的特色是什么？", "他讲了哪三点？", "口号是哪两句话？",
             "改造分哪三步？", "公园的八景具体是哪八景？", "他提了几条建议？都是什么？",
             "他把经验归纳成五条，都是啥？", "这些做法能逐条说说吗？", "他把做法总结成几条？",
             "她写了几点体会？"],
    "reason": ["为什么要先修路？", "李家村为何能吸引游客？", "停办的原因是什么？"],
    "date": ["这座桥是哪一年建成的？", "合作社什么时候成立的？", "活动在几月几号举行？", "古井是什么年代挖的？",
             "老桥通车的时间是？", "合作社是啥时候成立的？", "工厂几时开工的？", "合作社于何年成立？"],
    "frequency": ["班车多久发一趟？", "多长时间开一次会？", "每隔多久检查一次？", "这个节一年办几次？"],
    "duration": ["改造用了多久？", "工程历时多长时间？", "他在村里干了多少年？", "图书室一天开放多少个小时？",
                 "修路的工期有多长？"],
    "money": ["修这条路花了几个钱？", "项目总投资是多少？", "村集体一年能挣多少？", "门票卖多少钱？",
              "这座桥的造价是多少？", "股东能分到多少红利？",
              "那家企业注册资本多少？",
              "参加培训要交多少学费？"],
    "quantity": ["一共多少户？", "这个园区有多大面积？", "全村有几名党员？", "他排第几？", "文集一共收了几篇文章？",
                 "服务网络分几级？", "设施按几级来统筹？", "村里修了几条路？", "一共开了几条线路？",
                 "有多少户分到了红利？", "图书室藏书多少册？"],
    "person": ["王家村的书记叫什么名字？", "合作社的社长叫啥？", "这门课是谁讲的？", "合作社的负责人姓什么？",
               "由哪位老师授课？", "该项目由何人负责？"],
    "organisation": ["这个项目由哪个部门负责？", "民宿是哪家公司经营的？", "他毕业于哪所大学？", "他是哪里毕业的？",
                     "方案是哪所高校设计的？"],
    "place": ["这个村归哪个镇管？", "培训在哪里举办？", "基地位于什么地方？", "水库建在哪条河上？",
              "这个村是哪一片的？"],
    "yesno": ["这项补贴是否还在发放？", "村里有没有养老院？", "外地人能申请吗？", "光靠几个能人行不行？"],
    "method": ["他们是怎么解决资金问题的？", "如何调动村民的积极性？", "采取了什么措施？",
               "合作社按什么经营模式运作？", "他们的具体办法是什么？", "他们咋把路修通的？"],
    "definition": ["什么是“两山”理念？", "这个口号是什么意思？", "该村的定位是什么？", "“三不”具体指什么？",
                   "这项改革的难点在哪里？", "两者的区别究竟在哪儿？"],
}


@pytest.mark.parametrize("question,kind", [
    ("几位学员写的开班日期一样吗？", "date"), ("各篇心得说的村子有多少户？", "quantity"),
    ("几位学员说的考察日期是哪几天？", "date"),
    ("几位学员对张家村都写了什么？", ""), ("几篇文章里都提到了哪位老师？", "person"),
])
def test_the_kind_of_value_a_survey_asks_of_each_essay(question, kind):
    """The survey cue (几位, 几篇) is no count asked for; what remains says what each essay is asked."""
    q = parse(question)
    assert q.expected == "survey" and q.value_kind == kind


@pytest.mark.parametrize("question", ["这种草在北方被称之为什么？", "这座湖被誉为什么？", "合并后医院更名为什么？",
                                      "过敏的反应表现为什么？"])
def test_a_verb_taking_wei_before_shenme_asks_no_reason(question):
    """"称之为 + 什么" asks what something is called; only 为什么 standing alone asks why."""
    assert expected_answer(question) not in ("reason", "")
    assert expected_answer("它为什么被称为天池？") == "reason"
    # "谁的" asks whose: a body's or a role's as often as a person's.
    assert expected_answer("这是谁的职责？") == "" and expected_answer("这件事由谁负责？") == "person"


@pytest.mark.parametrize("question,asked", [("那篇文章分了哪几个部分？", True), ("各部分的小标题是什么？", True),
                                            ("这篇心得由哪三部分组成？", True), ("全文的结构是怎样的？", True),
                                            ("文章分几段来写？", True), ("这篇心得是按什么思路展开的？", True),
                                            ("村里分了哪几个片区？", False), ("这一部分讲了什么？", False),
                                            ("分三批完成改造？", False), ("作者把“甲”拆成了哪三层意思？", True),
                                            ("文章是按哪几句话分段的？", True),
                                            ("用三句“从…来”打头分段，都怎么说的？", True),
                                            ("水费是按用量分段收的吗？", False)])
def test_a_question_about_how_an_essay_is_laid_out(question, asked):
    """Its parts and their headings, not what one part says."""
    assert bool(OUTLINE_ASKED.search(question)) == asked


@pytest.mark.parametrize("question", ["几位局长对养老怎么看？", "有几篇提到了张家村的合作社？",
                                      "李家村被几位学员提到过？", "“一村一品”这句话出自哪篇？",
                                      "在哪些心得里提到了古桥？"])
def test_which_or_how_many_essays_say_something_is_a_survey(question):
    """"几位局长", "有几篇提到了X", "出自哪篇": the essays saying it are asked for, one by one;
    "有几位村干部", "收了几篇文章" still count."""
    assert expected_answer(question) == "survey"
    assert expected_answer("五四村有几位村干部？") == expected_answer("文集一共收了几篇文章？") == "quantity"


@pytest.mark.parametrize("question,kind", [("他看了附近几户人家的院子，收拾得怎么样？", "method"),
                                           ("有几个村采用了什么模式？", "method"),
                                           ("全村有几户人家？他们靠什么致富？", "quantity"),
                                           ("合作社有几名社员？", "quantity")])
def test_ji_before_a_noun_is_a_few_when_the_clause_asks_with_another_word(question, kind):
    """"看了几户人家的院子，…怎么样" asks how, of a few households: a clause asks one thing, by
    the interrogative after 几; a 几 its own clause asks with still counts."""
    assert expected_answer(question) == kind


@pytest.mark.parametrize("question,kind", [("哪个镇的居民在手机上能查到自己交了多少电费？", "place"),
                                           ("游客出发前可以查看会不会堵车，这是哪家公司的服务？", "organisation"),
                                           ("他得知消息后做了什么？", "method"),
                                           ("站在山顶听到的是什么声音？", "definition")])
def test_an_interrogative_after_a_verb_of_knowing_is_embedded_when_another_is_asked(question, kind):
    """"能查到交了多少电费" says what can be seen; the question asks 哪个镇. Alone ("得知消息后做了
    什么"), or after a verb made a noun by 的 ("听到的是什么"), the interrogative is what is asked."""
    assert expected_answer(question) == kind


@pytest.mark.parametrize("question,doer", [("哪个镇的居民最早用上了自来水？", True), ("谁带头修了这条路？", True),
                                            ("山脚下有座老茶厂，改成了民宿，这是哪个村？", True),
                                            ("他当年住的是哪座城？", True),
                                            ("这位画家毕业于哪所学校？", False), ("这块石碑在哪里出土的？", False)])
def test_the_doer_is_asked_by_an_interrogative_opening_its_clause_or_completing_a_copula(question, doer):
    """"哪个镇的居民…" and "…，这是哪个村" ask who or where did what is described; "毕业于哪所
    学校" asks an object, "在哪里出土" an adjunct."""
    from rag.question import DOER_ASKED

    assert bool(DOER_ASKED.search(question)) is doer


@pytest.mark.parametrize("question,kind", [("这几个村打算往哪方面发展？", ""), ("前几天的会讲了什么？", "definition"),
                                           ("好几篇心得都写了他，他是谁？", "survey")])
def test_ji_after_a_demonstrative_asks_no_number(question, kind):
    """"这几个", "前几天", "好几篇" point at or approximate a number; only a bare 几 asks one."""
    assert expected_answer(question) == kind


@pytest.mark.parametrize("question,kind", [("三位作者对甲乙各怎么看？", "survey"),
                                           ("两篇文章写的丙丁有何不同？", "survey"),
                                           ("第二篇文章写了什么？", "definition"), ("局长写的有两篇吗？", "yesno")])
def test_writers_or_essays_counted_in_the_question_ask_a_survey(question, kind):
    """"三位作者", "两篇文章": what several writers wrote; "第二篇" is one essay, "有两篇" a count checked."""
    assert expected_answer(question) == kind


def test_colloquial_interrogatives_are_read_as_standard_ones_and_shown_as_asked():
    """啥, 咋, 几时 ask what 什么, 怎么, 何时 ask; the question is shown as the user put it."""
    q = parse("王家村是靠啥挣钱的？")
    assert q.expected == parse("王家村是靠什么挣钱的？").expected == "method"
    assert q.shown == "王家村是靠啥挣钱的?" and q.query == q.shown


def test_x_ne_asks_the_earlier_question_again_with_its_kind_of_answer():
    """"李家村呢？" after a "how" question is a "how" question about 李家村; "资金方面呢？" turns the
    earlier question to a topic, which the answer's sentences must say."""
    names = ["张家村", "李家村"]
    q = parse("李家村呢？", ["张家村是怎么筹集资金的？"], names)
    assert (q.expected, q.focus, q.topic) == ("method", ("李家村",), "")
    q = parse("公墓方面呢？", ["张家村今年有哪些硬指标？"], names)
    assert (q.expected, q.focus, q.topic) == ("list", ("张家村",), "公墓")


def test_which_n_of_a_measure_word_asks_for_n_items_named_before_it():
    """"哪三句话", "哪两步": a numeral and a measure word after 哪 ask for that many items; the
    noun before 是/有 names them ("规划目标" is what the enumeration should be of)."""
    q = parse("镇里提出的规划目标是哪三句话？")
    assert (q.expected, q.count, q.item_noun) == ("list", 3, "规划目标")
    assert parse("由哪两个乡镇合并？").item_noun == ""


def test_a_township_level_asked_for():
    assert parse("张家村归哪个镇管？").unit == parse("李庄属于哪个街道？").unit == "乡|镇|街道"
    assert parse("张家村在哪个县？").unit is None and parse("张家村在哪里？").unit is None


def test_an_items_ordinal_is_no_stated_constraint():
    q = parse("民政局的第三条经验是什么？")
    assert q.item == 3 and q.constraints == ()
    literal = parse("第二期培训班什么时候开班？")
    assert literal.constraints == ("第二期",) and literal.item == 0


def test_a_time_counted_from_the_askers_day():
    assert parse("明天张家村开不开门？").asker_time == "明天" and parse("这周末去哪玩？").asker_time == "周末"
    assert parse("2024年打造几个村？").asker_time == "" and parse("今年先打造几个？").asker_time == ""
    # what a service lets one look up is no time of the question
    assert parse("在车站能查看明天的车次吗？").asker_time == ""
    assert parse("候车时可以查看今天的气温吗？").asker_time == ""


def test_every_row_of_the_table_has_templates():
    assert [kind for kind, _ in EXPECTED] == list(TEMPLATES)


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_grammar_table_row(kind):
    for template in TEMPLATES[kind]:
        assert expected_answer(template) == kind, template


@pytest.mark.parametrize("question,kind", [
    ("有哪三个村？", "list"), ("是哪几家企业？", "list"), ("讲的是哪一堂课？", ""), ("是哪一个方案？", ""),
    ("王老师讲的是哪一堂课？", ""), ("那位老师是哪位？", "person"), ("主任是哪一位？", "person"),
])
def test_one_of_several_is_not_a_list_and_a_role_word_is_not_a_person_question(question, kind):
    assert expected_answer(question) == kind


def test_definition_term():
    from rag.question import defined_term

    assert defined_term("什么是积分超市？") == "积分超市" and defined_term("《乡村振兴法》是什么？") == "乡村振兴法"
    assert defined_term("积分超市的规则是什么？") == "" and defined_term("它是什么时候建的？") == ""


@pytest.mark.parametrize("question,unit", [
    ("一共多少户？", "户"), ("占地多少亩？", "亩"), ("全长多少公里？", "公里|千米|(?i:km)(?![a-zA-Z²2])"),
    ("有多大面积？", AREA_UNITS),
    ("排第几名？", "第"), ("有几个？", f"[{COUNTERS}]"), ("有多少？", None), ("一共上了几堂课？", "堂"),
    ("打算建几级？", "级"), ("图书角藏书几册？", "册"),
    # a count asked by a noun that is itself one, after 多少 or before it
    ("乙镇一共多少人口？", "人|名|位|口"), ("甲村的常住人口是多少？", "人|名|位|口"), ("户数共多少？", "户"),
    # of several counts asked, the one with a unit (an earlier 几 may be "a few"; an earlier 多少 asks)
    ("甲村住着多少户、多少是外来的？", "户"), ("和几家企业合伙，占多少比例？", None),
])
def test_measure_word_after_how_many(question, unit):
    assert measure_unit(question) == unit


@pytest.mark.parametrize("question,head", [
    ("能摆下多少个摊位？", "位"), ("有几个村参加了？", "村"), ("建了多少个示范点？", "点"), ("一共几个？", ""),
    ("开放多少个小时？", ""), ("有几个在外地？", ""), ("几个村子中间的那段路有多长？", ""),
])
def test_the_noun_a_count_in_the_general_classifier_counts(question, head):
    """个 classifies anything, so "多少个摊位" is answered only by a count of 摊位 (its head, 位)."""
    from rag.question import counted_noun

    assert counted_noun(question) == head


@pytest.mark.parametrize("question,kind,unit", [
    ("那片果园有80亩吧？", "quantity", "亩"), ("是不是种了三千棵树？", "quantity", "棵"),
    ("这个节办了快二十年了吧？", "duration", None), ("是2015年通的车吗？", "date", None),
    ("修这条路花了500万元吗？", "money", None),
])
def test_a_value_offered_for_confirmation_asks_for_that_kind_of_value(question, kind, unit):
    """"有80亩吧" is answered by the area the text gives, whatever it is: the number is checked,
    not required in the passage."""
    q = parse(question)
    assert (q.expected, q.unit) == (kind, unit) and q.claimed and not set(q.claimed) & set(q.constraints)


@pytest.mark.parametrize("question", ["这三个村都通公交了吗？", "第二个村有民宿吗？", "那个村有没有祠堂？"])
def test_a_number_naming_what_is_asked_about_offers_no_value(question):
    assert parse(question).claimed == ()


@pytest.mark.parametrize("question,kind", [
    ("这件事的影响有多大？", ""), ("大家的评价到底有多高？", ""), ("两个村的差距有多大？", ""),
    ("这块地的面积有多大？", "quantity"), ("那座塔有多高？", "quantity"), ("这条路有多长？", "quantity"),
])
def test_how_big_of_an_abstract_noun_asks_a_degree(question, kind):
    """多大/多高 of an effect, a judgement or a gap asks how much in words; no measure answers it."""
    assert expected_answer(question) == kind


def test_focus_attribute_and_constraints():
    names = ["张家村", "张家", "“红色驿站”", "红色驿站"]
    q = parse("张家村现任党支部书记叫什么名字？", names=names)
    assert q.focus == ("张家村",) and q.expected == "person" and q.attribute == "党支部书记"
    q = parse("2023年第三批红色驿站建了多少个？", names=names)
    assert q.focus == ("红色驿站",) and q.constraints == ("2023", "第三批")
    # 第N篇 names an essay by its place in the collection: no passage states it.
    assert parse("第三篇里红色驿站建了多少个？", names=names).constraints == ()
    # A name too common to mark a focus (the corpus's own subject) is not one.
    assert parse("张家村的红色驿站有什么特色？", names=names, common={"红色驿站"}).focus == ("张家村",)


@pytest.mark.parametrize("question,follows", [
    ("它是怎么分红的？", True), ("该村后来怎么样了？", True), ("还有别的做法吗？", True), ("具体怎么做？", True),
    ("那今年打算建几个？", True), ("村里有多少户？", True), ("李家村呢？", True),
    ("村民怎么参与分红？", True), ("村集体一年收入多少？", True), ("这几个村里哪个先通了公交？", True),
    ("这么做有什么好处？", True), ("其中哪两个通了公交？", True),
    ("把这两项做完要多久？", True), ("那三条路谁来修？", True), ("这跟去年比多了多少？", True),
    ("最后做成了什么？", True), ("最终效果如何？", True), ("最后一篇是谁写的？", False),
    ("量子计算机的原理是什么？", False), ("李家村的村民怎么参与分红？", False), ("明天杭州天气怎么样？", False),
    ("<img src=x onerror=alert(1)>", False), ("李家村有哪些民宿？", False),
    ("那位书记后来怎么说？", True), ("刚才说的那个合作社有几名社员？", True),
    ("办了养蜂合作社的那位书记，是从哪年开始养蜂的？", False), ("种茶叶的这个村有几家茶厂？", False),
])
def test_follow_up_or_new_topic(question, follows):
    q = parse(question, history=["张家村是如何筹集资金的？"], names=["张家村", "李家村"])
    assert q.follow_up is follows
    if follows:
        assert "张家村" in q.query or "李家村" in q.query
    else:
        assert q.query == q.text and "张家村" not in q.focus


def test_a_question_read_as_continued_takes_the_conversations_focus():
    """`continued`: the caller knows the question is about nothing of its own (the assistant
    found it off the corpus alone); it is then a follow-up whatever its words."""
    history = ["张家村靠什么办法筹到钱的？"]
    assert not parse("按什么分红？", history=history, names=["张家村"]).follow_up
    q = parse("按什么分红？", history=history, names=["张家村"], continued=True)
    assert q.follow_up and q.focus == ("张家村",)


def test_a_short_question_in_words_the_corpus_never_uses_starts_a_new_topic():
    history = ["张家村靠什么办法筹到钱的？"]
    known = {"做", "分红"}.__contains__
    assert parse("具体怎么做？", history=history, names=["张家村"], known=known).follow_up
    assert not parse("怎么减肥？", history=history, names=["张家村"], known=known).follow_up


def test_bare_name_follow_up_asks_the_same_question_again():
    q = parse("李家村呢？", history=["张家村是如何筹集资金的？"], names=["张家村", "李家村"])
    assert q.query == "李家村是如何筹集资金的?" and q.focus == ("李家村",)


def test_follow_up_inherits_the_focus_of_the_topic_question():
    history = ["张家村是如何筹集资金的？", "那个公司由谁经营？"]
    q = parse("它后来是怎么分红的？", history=history, names=["张家村"])
    assert q.focus == ("张家村",) and q.query.startswith("张家村是如何筹集资金的?")


def test_a_follow_up_opening_on_a_topic_of_its_own_leaves_the_earlier_focus():
    """"那X这块,…": the conversation turns to X; the earlier question's place is no longer asked."""
    q = parse("那资金这块,他打算怎么做？", history=["张家村修了多少路？"], names=["张家村"])
    assert q.follow_up and q.focus == ()
    assert parse("他打算怎么做？", history=["张家村修了多少路？"], names=["张家村"]).focus == ("张家村",)


def test_no_history_means_no_follow_up():
    assert is_follow_up("它是怎么分红的？", ["分红"], [])  # anaphoric, but nothing to lean on:
    assert parse("它是怎么分红的？").follow_up is False


def test_words_quoting_the_essay_name_its_writer_and_leave_the_focus_and_query():
    quoting = parse("写“甲乙”的那位局长怎么看丙村？", names=["甲乙", "丙村"])
    assert quoting.clue == "“甲乙”" and quoting.focus == ("丙村",) and "甲乙" not in quoting.query
    # words quoting nothing may be the topic as well: they stay
    plain = parse("写丙村的那篇里怎么说修路的？", names=["丙村"])
    assert plain.clue == "" and plain.focus == ("丙村",) and "丙村" in plain.query


def test_a_follow_up_keeps_the_writer_the_earlier_question_named_by_a_quote():
    """"这个村还有什么家底？" after "写“甲乙”的这位组长…": still that writer's essay (the clue),
    and the quoted words are still neither the focus nor what retrieval reads."""
    q = parse("这个村还有什么家底？", history=["写“甲乙”的这位组长打算怎么干？"], names=["甲乙"])
    assert q.follow_up and q.clue == "“甲乙”" and q.focus == () and "甲乙" not in q.query
    own = parse("写“丙丁”的那位呢？", history=["写“甲乙”的这位组长打算怎么干？"], names=["甲乙", "丙丁"])
    assert own.clue == "“丙丁”"


def test_a_bare_which_ones_after_a_count_lists_what_was_counted():
    """"其中…的是哪几个？" after "要建几个示范村": villages, as the earlier question counted."""
    q = parse("其中以旅游为主的是哪几个？", ["今年要建几个示范村？"])
    assert (q.expected, q.item_kind, q.item_noun) == ("list", "place", "示范村")


@pytest.mark.parametrize("word,asks", [("哪一位", True), ("哪家", True), ("多少年", True), ("几个", True),
                                       ("一位", False), ("哪吒", False), ("多少钱", False)])
def test_words_that_only_ask(word, asks):
    from rag.question import INTERROGATIVE_WORD

    assert bool(INTERROGATIVE_WORD.fullmatch(word)) is asks


@pytest.mark.parametrize("question,asks", [("那座旧仓库后来改为什么用途？", True),
                                           ("甲村被改建成一座什么样的公园？", True),
                                           ("老厂房变成啥了？", True), ("旧校舍被弄成啥了？", True),
                                           ("那片荒地后来拿来干什么了？", True), ("他为什么改变主意？", False),
                                           ("成为示范村要什么条件？", False), ("钱从哪里筹来？", False)])
def test_a_verb_of_change_with_its_result_questioned(question, asks):
    from rag.question import CHANGE_ASKED

    assert bool(CHANGE_ASKED.search(question)) is asks


@pytest.mark.parametrize("question,asks", [("他上的那门课，标题是什么？", True), ("那篇文章的标题叫什么？", True),
                                           ("这门课讲了哪些内容？", False), ("课后作业是什么？", False)])
def test_a_question_asking_a_title(question, asks):
    from rag.question import TITLE_ASKED

    assert bool(TITLE_ASKED.search(question)) is asks


@pytest.mark.parametrize("question,asks", [("那座纪念馆在哪里？", True), ("老码头位于哪儿？", True),
                                           ("这座小城的地理位置在哪？", True), ("甲村坐落在什么地方？", True),
                                           ("他最初在哪里任职？", False), ("她在哪里出生的？", False),
                                           ("钱从哪里来？", False)])
def test_a_question_asking_where_something_lies(question, asks):
    from rag.question import LOCATION_ASKED

    assert bool(LOCATION_ASKED.search(question)) is asks


@pytest.mark.parametrize("question,aspect", [("他是哪一年去世的？", 3), ("她生于何时？", 2), ("这座桥哪年建成？", 1),
                                             ("那位画家哪年病逝？", 3)])
def test_a_date_asked_of_a_birth_or_a_death(question, aspect):
    from rag.question import EVENT_ASPECTS, event_aspect

    assert event_aspect(question) == EVENT_ASPECTS[aspect]


@pytest.mark.parametrize("question,told", [
    ("甲村在哪年完成道路硬化？", "道路硬化"), ("那座桥哪年建成通车？", ""), ("那座桥哪年建成的？", ""),
])
def test_a_date_of_an_event_is_told_by_its_aspect_or_by_the_thing_it_acts_on(question, told):
    """"哪年完成道路硬化" is answered by "2019年实现道路硬化": the thing completed, named, tells the
    event whatever verb the sentence uses; a question naming no such thing keeps to the verbs."""
    from rag.question import EVENT_ASPECTS, event_told

    assert event_told(question) == EVENT_ASPECTS[1] + (f"|{told}" if told else "")


def test_a_list_question_counting_its_items_before_the_noun():
    """"五个试点村，都有哪些": a numeral and a measure word before the noun say how many items;
    the noun, across the comma, says their kind."""
    q = parse("甲镇今年定的五个试点村，都有哪些？")
    assert (q.expected, q.count, q.item_kind, q.item_noun) == ("list", 5, "place", "试点村")


def test_x_ne_after_a_follow_up_asks_the_last_question_again_about_the_earlier_topic():
    """"甲村靠什么致富？", "旧仓库后来改成什么了？", "那些旧水渠呢？": the last question (a
    change) asked again of 旧水渠, still about 甲村 — not the first question (a method)."""
    q = parse("那些旧水渠呢？", ["甲村靠什么致富？", "旧仓库后来改成什么了？"], ["甲村"])
    assert (q.expected, q.focus, q.topic, q.asks_again) == ("definition", ("甲村",), "旧水渠", True)
    assert "旧仓库" in q.query and "甲村" in q.query


@pytest.mark.parametrize("question,subject", [("甲某的职业是什么？", "甲某"), ("那位歌手的身份是什么？", "那位歌手"),
                                              ("甲村的书记是谁？", None), ("他的工作经历是什么？", None)])
def test_a_question_asking_an_occupation_names_its_subject(question, subject):
    from rag.question import OCCUPATION_ASKED

    found = OCCUPATION_ASKED.match(question)
    assert (found.group("subject") if found else None) == subject


@pytest.mark.parametrize("question,kind", [("这项工作受到多高的赞誉？", ""), ("村里有多大的变化？", ""),
                                           ("对村民有多大影响？", ""), ("这座楼有多高？", "quantity"),
                                           ("那片林子多大？", "quantity"), ("老人家多大年纪？", "quantity")])
def test_how_high_a_praise_is_no_measure(question, kind):
    """多大/多高 before a noun of degree (评价, 变化, 影响) asks how it is described."""
    assert expected_answer(question) == kind


def test_a_measure_named_by_ne_asks_its_amount_whatever_came_before():
    q = parse("那段路的长度呢？", ["甲村要修几条路？"], names=["甲村"])
    assert (q.expected, q.asks_again) == ("quantity", True) and "公里" in q.unit
    assert parse("总投资呢？", ["甲村要修几条路？"], names=["甲村"]).expected == "money"
    assert parse("乙村呢？", ["甲村要修几条路？"], names=["甲村", "乙村"]).expected == "quantity"


def test_a_day_asked_is_not_a_year_asked():
    assert DAY_ASKED.search("桥计划哪天通车？") and DAY_ASKED.search("几月几号开班？")
    assert not DAY_ASKED.search("桥是哪年通车的？") and not DAY_ASKED.search("培训了几天？")


def test_a_count_framed_as_a_topic_counts_the_noun_not_the_frame():
    """"公墓方面要建几个": 公墓 are counted, not 方面."""
    assert parse("公墓方面要建几个？").counted == "墓" and parse("养老这块要建几个？").counted == "老"


def test_the_rest_of_what_was_named_leans_on_the_conversation():
    assert parse("剩下的那三家主打什么？", ["哪几家合作社以种茶为主？"]).follow_up
    assert not parse("种了樱桃的那位书记姓什么？", ["哪几个村以种茶为主？"]).follow_up


def test_a_follow_up_selecting_among_listed_things_asks_for_those_things():
    """"其中以甲为主的是哪两个？" after "那3个样板村都有哪些？": 样板村, places."""
    q = parse("其中以甲乙为主的是哪两个？", ["那3个样板村都有哪些？"])
    assert (q.follow_up, q.item_kind, q.item_noun, q.count) == (True, "place", "样板村", 2)


def test_x_ne_after_a_definition_asks_what_x_itself_is():
    """"那乙呢？" after "甲把丙比作什么？": the sentence saying what 乙 is answers (乙 is the term)."""
    q = parse("那乙方呢？", ["甲把丙方比作什么？"])
    assert (q.expected, q.asks_again, q.term) == ("definition", True, "乙方")
    assert parse("丙方是什么？").term == "丙方"


def test_a_place_in_the_clause_describing_a_writer_is_no_focus_unless_said_again():
    """"去过甲村的那位支书…": 甲村 says which writer, not what is asked; said again after the
    description, it is the topic too."""
    names = ["甲村", "乙园"]
    assert parse("去过甲村的那位支书说，乙园建了多少年？", names=names).focus == ("乙园",)
    assert parse("去过甲村的那位支书说，甲村建了多少年？", names=names).focus == ("甲村",)
    assert parse("那位支书说，甲村建了多少年？", names=names).focus == ("甲村",)
