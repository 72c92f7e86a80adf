"""Answers on text nobody here wrote: a folder corpus of short encyclopedia-style articles (made up
for this test, in the manner of Chinese Wikipedia) answered by the real model and index.

What it checks is general, not about the essays: a question about an article's subject is
answered by the sentence that says what was asked, not by the one that names the subject;
"什么是X" by the sentence defining X, "X的别名" by the one giving its other names (not by a list
of them when its features are asked), "X的叶子" by the sentence opening on the leaves; a reason by
the sentence stating a cause, and a reason stated before "因此…" comes with it (with no cause said,
the judgement stated before the claim asked about); "把X比作什么" by the sentence saying what X is;
a saying asked for by the one quoting it; "多久…一次" by a frequency, or not at all."""

from __future__ import annotations

import pytest

from rag.evaluate.metrics import strip_markers

ARTICLES = {
    "0001_carp.txt": ("青鳞鲤", "青鳞鲤是鲤形目鲤科的一种淡水鱼，分布于长江中下游的湖泊。"
                      "本鱼体呈青灰色，背部较暗，腹部银白。体长可达40公分。以水草、螺类和小虾为食。繁殖期在4至6月，产卵于浅水草丛中。"),
    "0002_tea.txt": ("云雾白茶", "云雾白茶产于高山茶园，是当地的传统名茶。茶园海拔八百米以上，终年云雾缭绕。"
                     "其芽叶细嫩，满披白毫。因此当地人称它为白茶。冲泡后汤色浅黄，滋味鲜爽。"),
    "0003_bridge.txt": ("石拱桥", "石拱桥的桥面常有雕刻装饰。石拱桥是以石料砌筑拱圈的桥梁，是中国古代最常见的桥型之一。"
                        "许多地方的石拱桥已有数百年历史，至今仍在通行。"),
    "0005_plan.txt": ("社区绿化规划", "社区绿化已有十年历史。做好社区绿化，一要因地制宜，选用本地树种；"
                      "二要留足养护经费，做到专款专用；三要发动居民参与，建立认养制度。社区还将举办摄影比赛。"),
    "0006_tea_village.txt": ("白沙村茶产业", "余杭白沙村通过发展茶产业走上了致富路。白沙村的茶园面积达到三千亩，"
                             "每年吸引大量游客前来采茶。"),
    "0007_stone_village.txt": ("红枫村", "红枫村隶属青石镇，村里保存着十几棵古枫树。红枫村的枫叶节每年十一月举行。"),
    "0008_shrub.txt": ("金边木", "金边木，又名金叶木、黄边树、镶边草，是一种常绿灌木。"
                       "叶片卵形，边缘金黄色，长3至5厘米。花小，白色，春季开放。"),
    "0009_museum.txt": ("山城博物馆", "老馆屋顶多次漏雨，文物受潮，因此博物馆决定关闭老馆。"
                        "山城博物馆的老馆在2015年关闭，新馆于2018年开放，共有六个展厅。"),
    "0010_fern.txt": ("银背蕨", "银背蕨是凤尾蕨科的一种多年生蕨类植物，产于华南山地林下。"
                      "其叶卵状三角形，背面覆有银白色粉末。山民常采银背蕨的叶子入药，晒干后运到镇上出售。"),
    "0011_vine.txt": ("紫金藤", "紫金藤是一种攀援藤本植物，藤蔓可长达十米，攀附在树干上生长。"
                      "在山区，人们俗称它山葫芦、野葫芦、吊瓜藤。果实秋季成熟，紫红色。"),
    "0012_bridge.txt": ("长河大桥", "长河大桥是连接长河南北两岸的一座公路桥，"
                        "位于青州市东郊，是当地最重要的过江通道之一。"
                        "长河大桥由青州市交通局主持修建，1998年动工，2002年建成通车。大桥建成以前，两岸居民只能依靠渡船往来，"
                        "遇到汛期常常停航，十分不便。长河大桥通车后，南岸的农产品可以直接运到城区销售，带动了沿岸乡镇的发展。"
                        "每逢节假日，长河大桥上游人如织，不少市民专程来到桥头拍照留念。长河大桥也因此成为青州市的一张名片，"
                        "多次出现在城市宣传片中。当地政府还在长河大桥南侧修建了滨河公园，供市民休闲散步。"
                        "2015年，长河大桥进行了一次全面检修，更换了全部伸缩缝和照明设施，检修期间实行单向通行。"
                        "2020年起，长河大桥每晚开启景观灯光，成为青州夜景的重要组成部分。"
                        "如今长河大桥日均车流量超过三万辆次，早晚高峰时段交通繁忙，交警部门在桥头两端设置了执勤岗亭。"
                        "长河大桥周边还开通了三条公交线路，方便两岸居民出行。"
                        "大桥为双塔斜拉桥结构，全长1860米，主跨420米，桥面宽26米，设双向四车道。"
                        "桥塔高约130米，采用钢筋混凝土结构。斜拉索共有168根，呈扇形布置。"
                        "大桥设计使用寿命为100年，可抵御百年一遇的洪水。"),
    "0013_pavilion.txt": ("望江亭", "望江亭位于城东江边，是一座两层木亭，名字在当地无人不知。"
                          "清代一位知县登亭远眺，题写“望江”二字，亭子由此命名。"),
    "0014_coop.txt": ("青溪合作社", "青溪村地处山区，以种茶为生。近年来，青溪村号召年轻人回乡创业。"
                      "青溪合作社由青溪村的十二户农户发起成立。"
                      "合作社的茶园委托绿源茶业有限公司统一管理，收益按股分红。社员的技术培训由县委组织部牵头安排。"
                      "围绕青溪合作社的经营宗旨，合作社每年召开两次社员大会。"
                      "合作社章程经全体社员表决通过，其经营宗旨是共同致富、风险共担。"),
    "0015_painter.txt": ("陈墨林", "陈墨林是清代画家，擅长山水。清嘉庆五年(1800年)，陈墨林出生于苏州府的一个书香门第。"
                         "他早年师从本地画师，中年游历各地。清同治三年(1864年)，陈墨林病逝于杭州，终年六十四岁。"),
    "0016_library.txt": ("北山图书馆", "1995年，青州市政府决定新建北山图书馆。北山图书馆位于城北的北山路12号，"
                         "藏书八十万册，每周一闭馆。"),
    "0017_cartoonist.txt": ("林小舟", "林小舟，台湾漫画家，1970年生于台中。林小舟重视培养新人，曾创办漫画工作室，"
                            "指导过多位年轻作者从事漫画创作。其作品多次获奖。"),
    "0018_orchard.txt": ("山前村果园", "山前村位于青石镇南部，全村种植柑橘两千亩。近年来，村里给每棵果树装上了传感器。"
                         "果农用手机便可查到果树的浇水记录和土壤湿度。"),
    "0019_parks.txt": ("青石镇公园建设", "2021-2025年，青石镇计划建成公园12个。"
                       "2021年，全镇先期完工公园3个。"),
    "0020_service.txt": ("社区服务中心", "社区服务中心成立于2010年，设有六个服务窗口。"
                         "今年的志愿服务周定在3月5日至3月11日。社区工作的实质就是为居民解决实际困难。围绕这一理念，中心需要更加重视居民的日常诉求，把每一件小事办好。中心每年组织两次志愿活动。"),
    "0021_station.txt": ("青石车站", "全镇的游客大多从青石车站出发，前往镇上的各个景点。青石车站建于1990年。"
                         "青石车站作为连接山区与城区的交通枢纽，是全镇对外联系的门户。车站每天发车四十班。"),
    "0022_town.txt": ("苏溪镇", "“三分山水七分田”。苏溪镇地处丘陵，山林和耕地交错，镇上的老人常讲起当年修水库的故事。"
                      "苏溪镇以种植水稻和茶叶为主，2016年起举办茶叶交易会，每年举办两次。"),
    "0023_clinic.txt": ("乡村诊所改革", "乡村诊所推进数字化服务，最后要变成全县的示范诊所。诊所还组织医生学习线上问诊。"
                        "通过几年改革，诊所逐步实现从“病人找医生”到“医生找病人”。"),
    "0004_lake.txt": ("镜湖", "镜湖位于山谷之中，湖水清澈见底。湖面面积约2.3平方千米，最深处达18米。"
                      "每年秋季，大批候鸟在湖边停留。"),
}


@pytest.fixture(scope="module")
def outside(tmp_path_factory, encoder):
    from rag import build, store
    from rag.assistant import Assistant
    from rag.config import Settings
    from rag.text import Tokenizer

    root = tmp_path_factory.mktemp("outside")
    (root / "corpus").mkdir()
    for name, (title, body) in ARTICLES.items():
        (root / "corpus" / name).write_text(f"{title}\n{body}\n", encoding="utf-8")
    settings = Settings(corpus=root / "corpus", index_dir=root / "index")
    build.build_index(settings, encoder=encoder, progress=False)
    index = store.load(settings.index_dir)
    return Assistant(settings, index, encoder, Tokenizer(index.terms))


@pytest.mark.parametrize("question, said, not_said", [
    ("青鳞鲤的身体是什么颜色的？", "青灰色", "鲤形目"),
    ("青鳞鲤主要以什么为食？", "水草", "鲤形目"),
    ("青鳞鲤的繁殖期在什么时候？", "4至6月", "鲤形目"),
])
def test_a_question_about_the_subject_is_answered_by_what_it_asks(outside, question, said, not_said):
    answer = outside.ask(question)
    assert answer.answerable and said in answer.answer and not_said not in answer.answer


def test_a_part_asked_about_is_answered_by_the_sentence_opening_on_it(outside):
    answer = outside.ask("银背蕨的叶子是什么样的？")
    assert answer.answerable and answer.answer.startswith("其叶卵状三角形")


def test_what_is_x_is_answered_by_the_sentence_defining_x(outside):
    answer = outside.ask("什么是石拱桥？")
    assert answer.answer.startswith("石拱桥是以石料砌筑拱圈的桥梁")


def test_a_reason_stated_before_its_consequence_comes_with_it(outside):
    answer = outside.ask("云雾白茶为什么被称为白茶？")
    assert "满披白毫" in answer.answer and "称它为白茶" in answer.answer


def test_a_reason_is_the_sentence_stating_a_cause_not_the_one_echoing_the_question(outside):
    answer = outside.ask("山城博物馆的老馆为什么关闭？")
    assert answer.answerable and answer.answer.startswith("老馆屋顶多次漏雨")


def test_a_reason_never_said_as_a_cause_starts_from_the_judgement_before_the_claim(outside):
    """No sentence says 因为; the best one restates the claim asked about, and the judgement just
    before it ("…的实质就是…") is the premise it was drawn from."""
    answer = outside.ask("社区服务中心为什么要更加重视居民的日常诉求？")
    assert answer.answerable and answer.answer.startswith("社区工作的实质就是为居民解决实际困难")


def test_what_something_is_likened_to_is_the_sentence_saying_what_it_is(outside):
    """"把X比作什么": the sentence saying "X作为…，是…" of X, not one only naming X."""
    answer = outside.ask("当地人把青石车站比作全镇的什么？")
    assert answer.answerable and answer.answer.startswith("青石车站作为连接山区与城区的交通枢纽")


def test_a_saying_asked_for_may_be_a_sentence_quoted_on_its_own(outside):
    """"用哪句话来形容": a saying the text quotes as a sentence of its own, with no verb of saying."""
    answer = outside.ask("介绍苏溪镇时，开头用了哪句话来形容当地？")
    assert answer.answerable and answer.answer.startswith("“三分山水七分田”")


def test_how_often_is_answered_by_a_frequency_not_a_date(outside):
    answer = outside.ask("苏溪镇的茶叶交易会多久办一次？")
    assert answer.answerable and "每年举办两次" in answer.answer
    assert not outside.ask("山前村的果树多久浇一次水？").answerable  # its sentences state no frequency


def test_other_names_of_the_subject_are_no_list_of_its_features(outside):
    answer = outside.ask("金边木有哪些特点？")
    assert answer.answerable and "卵形" in answer.answer
    assert "黄边树" in outside.ask("金边木有哪些别名？").answer


def test_other_names_asked_are_answered_by_the_sentence_giving_them(outside):
    answer = outside.ask("紫金藤的别名是什么？")
    assert answer.answer.startswith("在山区，人们俗称它山葫芦")


def test_search_puts_first_the_half_of_a_paragraph_the_answer_quotes(outside):
    """A paragraph cut in two: the half naming the subject most ranks first by fusion; the answer
    reads the other half's "日均车流量", and hybrid search follows it (the second stage)."""
    question = "长河大桥通车后每天有多少车辆经过？"
    parsed, _, vector, tokens = outside.query(question)
    fused = outside.retriever.search(vector, tokens, 5, "hybrid", None, outside.authors_named(parsed))
    assert "日均车流量" not in fused[0].chunk.text and "日均车流量" in fused[1].chunk.text
    assert "日均车流量" in outside.ask(question).answer
    assert "日均车流量" in outside.search(question, k=5).hits[0].chunk.text


def test_an_elliptical_question_whose_words_one_passage_holds_is_answered_not_refused(outside):
    """"伸缩缝是哪一年更换的" names no subject and is far in meaning from every sentence, yet one
    passage holds its words; a question off the corpus's topic holds few of them."""
    answer = outside.ask("伸缩缝是哪一年更换的？")
    assert answer.answerable and "2015年" in answer.answer
    assert not outside.ask("量子计算机的原理是什么？").answerable


def test_where_a_name_comes_from_is_answered_by_the_sentence_saying_it(outside):
    answer = outside.ask("望江亭的名字是怎么来的？")
    assert answer.answer.startswith("清代一位知县登亭远眺")


def test_a_list_opened_inside_a_sentence_is_followed_through_its_items(outside):
    answer = outside.ask("做好社区绿化要抓哪几件事？")
    assert all(item in answer.answer for item in ("因地制宜", "留足养护经费", "发动居民参与"))
    assert "摄影比赛" not in answer.answer


def test_a_value_that_only_repeats_the_question_does_not_answer_it(outside):
    told = outside.ask("红枫村归哪个镇管？")
    assert told.answerable and "青石镇" in told.answer
    untold = outside.ask("白沙村归余杭区哪个镇管？")  # "余杭白沙村" names no town
    assert not untold.answerable and "白沙村" in untold.answer


@pytest.mark.parametrize("question, body", [
    ("青溪合作社社员的技术培训是哪个部门安排的？", "县委组织部"),  # a department: level, field and 部
    ("青溪村的合作社请谁来管理茶园？", "绿源茶业有限公司"),  # 谁 of a thing holding no role
])
def test_who_did_something_may_be_answered_by_a_body(outside, question, body):
    answer = outside.ask(question)
    assert answer.answerable and body in answer.answer


def test_what_a_thing_of_the_subject_is_comes_from_the_sentence_saying_it(outside):
    """"X的经营宗旨是什么": the sentence saying what it is ("其经营宗旨是…"), not the one that
    only uses the words ("围绕…的经营宗旨")."""
    answer = outside.ask("青溪合作社的经营宗旨是什么？")
    assert answer.answerable and "共同致富" in answer.answer
    composer = outside.composer
    using, saying = (next(r for r in range(len(outside.index.sentences)) if composer.text(r).startswith(start))
                     for start in ("围绕青溪合作社", "合作社章程"))
    assert composer._stating_row("经营宗旨", [using, saying], [1.0, 0.95]) == saying


def test_a_page_asked_of_a_corpus_without_a_table_of_contents_is_refused(outside):
    answer = outside.ask("镜湖那篇印在第几页？")
    assert not answer.answerable and answer.answer == "资料没有带页码的目录，无法回答页码。"


def test_a_date_asked_of_a_death_is_the_date_told_with_a_verb_of_death(outside):
    """"逝世的时间": the year told with 病逝, not the year of birth in the sentence before it."""
    answer = outside.ask("陈墨林逝世的时间是？")
    assert "1864" in answer.answer and "1800" not in answer.answer


def test_where_something_is_is_answered_by_the_sentence_saying_where_it_lies(outside):
    """"X在哪": the sentence with 位于, not the one naming the city that decided to build it."""
    answer = outside.ask("北山图书馆在哪？")
    assert "北山路12号" in answer.answer


def test_an_occupation_asked_is_answered_by_the_sentence_introducing_the_subject(outside):
    """"X的职业是什么": the opening "X，台湾漫画家，…", not the sentence about the work X does."""
    answer = outside.ask("林小舟的职业是什么？")
    assert "台湾漫画家" in answer.answer


def test_which_place_did_something_is_answered_with_the_topic_its_paragraph_named_first(outside):
    """The sentence saying what was done ("果农用手机便可查到…") leaves its village to the
    paragraph's first sentence; the answer quotes both, not the first alone."""
    answer = outside.ask("哪个村的果农在手机上能查到果树浇了多少水？")
    assert "山前村" in answer.answer and "手机" in answer.answer


def test_a_year_asked_is_answered_by_the_sentence_stating_it_alone_not_a_range_it_ends(outside):
    """"2021年建成了多少": the count stated for 2021, not the plan for 2021-2025 that starts then."""
    answer = outside.ask("青石镇在2021年建成了多少个公园？")
    assert "3个" in answer.answer and "12个" not in answer.answer


@pytest.mark.parametrize("question", ["志愿服务周从几号开始？", "志愿服务周是哪天结束的？"])
def test_a_range_of_dates_tells_when_something_began_and_ended(outside, question):
    """"3月5日至3月11日" dates the start and the end of what it dates, though no verb says so."""
    answer = outside.ask(question)
    assert answer.answerable and "3月5日至3月11日" in answer.answer


def test_who_was_called_on_is_answered_by_the_people_standing_where_who_stood(outside):
    """"号召谁回乡": people named by group (年轻人) answer a question whose 谁 follows a verb, when
    they follow that verb in the sentence."""
    answer = outside.ask("青溪村号召谁回乡创业？")
    assert answer.answerable and "号召年轻人回乡创业" in answer.answer


def test_a_question_naming_an_articles_subject_is_answered_from_passages_about_it(outside):
    """"望江亭有多少年历史": the article titled 望江亭 (a title its own text uses) gives no age; the
    stone bridges' "已有数百年历史" is about other things, so it is never the answer."""
    assert {"望江亭", "石拱桥", "紫金藤"} <= outside.composer.subject_titles
    answer = outside.ask("望江亭有多少年历史？")
    assert "石拱桥" not in answer.answer and all(c.hit.chunk.title == "望江亭" for c in answer.citations)


def test_words_quoted_from_a_sentence_point_at_it(outside):
    """"从“甲”变成什么": a phrase the text writes once, quoted by the question, points at the
    sentence quoting it, though another sentence echoes more of the question's words."""
    answer = strip_markers(outside.ask("诊所推进数字化服务，最后要从“病人找医生”变成什么？").answer)
    assert "医生找病人" in answer

