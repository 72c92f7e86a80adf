"""Read a question once: what it asks about, what kind of answer it expects, what it states.

`parse(question, history, names)` returns a `Question`:
- `query`: the text to retrieve with. A follow-up ("它后来怎么样了？", "余村呢？") is resolved
  against the conversation; a self-contained question starts a new topic.
- `focus`: the corpus names (places, programmes, people, organisations) the question is about.
- `expected`: the kind of answer, read from the grammar of Chinese questions — interrogative
  words (谁/哪位/哪里/哪个镇/何时/哪年/多久/为什么/怎么/是否 …) and the measure word after
  几/多少 — through one table, `EXPECTED`, first matching row wins.
- `unit`: the measure word a "how many" question counts in (户, 亩, 公里 …), or, for "哪个镇",
  the units a township's name ends in (乡|镇|街道).
- `attribute`: what is asked of the focus ("村主任" in "张家村的村主任是谁"), so a
  refusal can say precisely what the essays lack.
- `constraints`: years, ordinals and other numbers the question states.
Leaves out: retrieval, answer composition and the corpus names themselves (passed in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.lexicon import base_dictionary, frequent, words
from rag.text import CN_DIGITS, ORDINALS, STOPWORDS, cn_number, normalize

PLURAL_DIGITS = "二两三四五六七八九十几"  # "哪三个" asks for several; "哪一个" for one
# Measure words that count things; money, time and size units are handled by their own rows.
COUNTERS = "个位名户人家条项座所处次期届批轮篇本册棵株头只辆台间栋幢套张件种类场门颗支堂节级"
# …and measure words that count parts of what is said or done: "哪三句话", "哪两点", "哪三步"
# ask for several items, though "3点" or "三步远" states no count of things.
ITEM_COUNTERS = COUNTERS + "点句步段层招"
AREA_UNITS = "平方公里|平方千米|平方公尺|平方米|平米|公顷|英亩|亩|(?i:km)[²2]|m²"
LENGTH_UNITS = "公里|千米|厘米|毫米|公分|公尺|英里|海里|米|哩|里|(?i:km|cm|mm)(?![a-zA-Z²2])"
WEIGHT_UNITS = "千克|公斤|毫克|克|吨|斤|(?i:kg)(?![a-zA-Z])"
# Spellings of one unit: "多少厘米" is answered by "2cm".
SAME_UNITS = ("平方公里|平方千米|(?i:km)[²2]", "平方米|平米|m²", "公里|千米|(?i:km)(?![a-zA-Z²2])",
              "厘米|公分|(?i:cm)", "毫米|(?i:mm)", "千克|公斤|(?i:kg)(?![a-zA-Z])")
TIME_UNITS = "小时|分钟|秒"
MONEY_WORDS = (r"钱|资金|经费|投资|投入|收入|营收|产值|利润|收益|挣|赚|花费|花了|成本|预算|补贴|补助|奖金|"
               r"分红|红利|股金|租金|房租|工资|薪|价格|价钱|售价|票价|门票|单价|总价|造价|费用|学费|收费|缴费|交费|开支|开销|"
               r"花销|卖了?|贷款|债|融资|资本|股本|市值|估值|罚款|捐款|(?<!统)筹")  # (统筹: to plan as a whole)
ROLE_WORDS = (r"书记|支书|主任|村长|镇长|乡长|县长|区长|市长|局长|厅长|部长|省长|委员|主席|董事长|总经理|经理|"
              r"科员|科长|处长|选调生|干事|"
              r"负责人|带头人|领导|老师|教授|专家|讲师|作者|校长|院长|站长|队长|组长|会长|社长|创始人|馆长|老板|老总|店主")
# Nouns naming people by role or group: "请谁来编制规划" is answered by "请来专家…".
PEOPLE_WORDS = rf"{ROLE_WORDS}|团队|学者|村民|群众|农民|党员|干部|乡贤|志愿者|企业家|居民|游客|乡亲|能人|年轻人|人群"
ORG_WORDS = (r"单位|部门|公司|企业|机构|组织|协会|合作社|学校|高校|院校|大学|学院|研究院|研究所|医院|中学|小学|"
             r"银行|集团|平台|媒体|团队|社团")
PLACE_WORDS = r"村|镇|乡|县|区|市|省|街道|地方|国家|城市|地区|景区"
# Natural features asked by name: "哪座山", "哪条河" are answered by a name ending so (太行山).
_FEATURE_ASKED = re.compile(r"哪一?[条座个片道]?(山|河|江|湖|溪|岛|峰|泉|湾)(?![村镇乡区县市])")
# Words introducing other names of something: "又名甲、乙、丙" lists names, not things it has.
ALIAS_WORDS = r"又名|又称|别称|别名|俗称|亦称|也称|或称|简称|又叫|也叫|俗名|古称|旧称|又译|学名"
NAMES_ASKED = re.compile(rf"{ALIAS_WORDS}|名字|名称|称呼|叫法|称号|叫什么")
# A question asking something's other names: "X的别名是什么", "在北方被称之为什么".
OTHER_NAMES_ASKED = re.compile(rf"{ALIAS_WORDS}|称之?为什么|称作什么|叫作什么|叫做什么|俗名|别号|外号|绰号")
# A question asking for words someone said or quoted: "引了哪句话", "原话怎么说", "哪句俗话".
QUOTE_ASKED = re.compile(r"哪一?句|什么话|原话|名言|俗话|谚语|古语|诗句|格言")
# A question asking the title of a course, a talk or a text: "那门课的标题", "文章的标题叫什么".
TITLE_ASKED = re.compile(r"(?:课|讲座|报告|文章|书|文件|篇)[^。?？]{0,4}"
                         r"(?:题目|标题|书名|篇名|课名|主题|名字|名称|叫什么)")
# A question asking what something was made into: a verb of change with its result complement
# (成/为) questioned ("改成了什么", "被打造成什么样的村", "弄成啥了"), or what it is used for
# ("后来拿来干什么了").
CHANGE_ASKED = re.compile(r"(?:改造|改建|改|变|转变|转型|打造|建设?|发展|修|翻新|弄|做|搞)(?:成|为)了?"
                          r"(?:一[个片座家处种])?(?:什么|啥|哪|怎样)|"
                          r"(?:拿来|拿去|用来|用作|用于)(?:干|做|搞)?了?(?:什么|啥)")  # what it is used for now
# A question asking what someone or something is by occupation or standing ("X的职业是什么",
# "X的身份是什么"): the sentence introducing X answers ("X，香港漫画家，…").
OCCUPATION_ASKED = re.compile(r"^(?P<subject>[^，,？?的]{2,12})的(?:职业|身份)(?:是|为)(?:什么|啥)")
# A question asking where something lies ("X在哪里", "X位于哪儿", "X的地理位置在哪", "坐落在
# 什么地方"), not where something is done ("在哪里任职" asks an office).
LOCATION_ASKED = re.compile(r"(?:位于|坐落在?|地处|位置(?:在|是)?)(?:哪[里儿]?|何处|什么地方)|"
                            r"在(?:哪[里儿]?|何处|什么地方)[？?]?$")
# A question asking where a name comes from: "X是怎么得名的", "名字的由来", "为什么被称为Y".
NAME_ORIGIN_ASKED = re.compile(r"得名|(?:名字|名称|称号|叫法).{0,4}(?:怎么|如何|由来|来历|来源)|"
                               r"(?:为什么|为何|为啥)(?:被|又|会)?(?:叫|称|誉)")
# Nouns whose "有什么X" / "X是什么" asks for several things: "主要做法是什么" lists the 做法.
LISTED_NOUNS = r"做法|举措|措施|经验|特点|特色|项目|业态|内容|课程"
# Points made in a text, counted by 点/条/项 as its numbered items are ("哪几条建议").
POINT_NOUNS = (r"体会|感悟|启示|意见|建议|原则|要求|理由|原因|要点|好处|优势|收获|教训|结论|规定|任务|目标|观点|"
               r"看法|认识|心得|感受|变化|问题|成效|成绩|亮点")
# Nouns naming a way of doing something: "按什么(发展)思路", "具体办法是什么" ask for a method.
METHOD_NOUNS = r"办法|方法|措施|举措|方式|途径|路径|做法|经验|思路|模式|机制|打法|招数|对策"

# Nouns naming a point of an argument or a situation, said to lie somewhere only figuratively.
ABSTRACT_POINTS = (r"出发点|落脚点|着力点|切入点|突破口|突破点|结合点|增长点|关键点|重点|难点|要点|亮点|痛点|堵点|"
                   r"关键|症结|根源|根本|核心|本质|出路|差距|短板|不足|秘诀|奥秘|精髓|魅力|动力|意义|价值|优势|"
                   r"问题|原因|难处|矛盾|方向|差别|区别|不同")

# "关键在哪里", "突破口和着力点在哪儿": a point of an argument lies somewhere only as a figure of
# speech; what it is answers ("是什么"), not a place.
_FIGURATIVE_WHERE = re.compile(rf"((?:{ABSTRACT_POINTS})(?:和[\u4e00-\u9fff]{{2,3}})?)(?:就|又|究竟|到底|主要|应该|应)?"
                               r"在(?:哪[里儿]?|何处)")

# Nouns of degree, not of size: "多高的评价", "多大的变化" ask how it is described, not a measure.
DEGREE_NOUNS = (r"评价|影响|作用|变化|意义|贡献|成就|成效|效果|热情|决心|信心|压力|难度|代价|反响|关注|期望|期待|"
                r"价值|荣誉|认可|肯定|赞誉|名气|知名度|感触|触动|启发|收获|困难|挑战|勇气|魄力")

# A question asking yes or no: A不A (是不是, 能不能, 可不可以, 行不行), 是否, 能否, a final 吗.
_YES_NO_FORMS = r"([\u4e00-\u9fff])不\1|是否|能否|吗[?？!！。\s]*$"

# Which or how many essays say something: "有几篇提到了X", "X被几位学员提到过", "出自哪篇"
# ask for the essays that say it, one by one, not for a count stated in a sentence.
_ESSAYS_MENTIONING = (r"几(?:篇|位)(?:学员|作者|心得|文章)?[里中]?都?"
                      r"(?:写到|提到|谈到|讲到|说到|提及|涉及|出现|引用|用过|用到)|"
                      r"哪(?:一|几)?篇|在哪(?:些|几)?(?:篇|文章|心得)")

# (expected kind, pattern in the question). First match wins, so the order is part of the rule:
# surveys and lists before single values; reasons before anything "什么"; money before counts.
EXPECTED: tuple[tuple[str, re.Pattern], ...] = (
    ("survey", re.compile(rf"(?<![了有共])几位(?:学员|作者|同志|干部|参训|{ROLE_WORDS})|(?<![了有共])几篇|"
                          r"(?<![了有共第])[两三四五六七八九十](?:位(?:学员|作者)|篇(?:心得|文章))|"
                          rf"学员们|大家都|各自|不同(?:学员|作者|文章)|各位(?:学员|作者|同志|干部|参训|{ROLE_WORDS})|"
                          r"都(?:谈|说|提|讲|写|认为|怎么)|各篇|每篇|每位|各(?:给|谈|说|提|讲|写)|"
                          rf"{_ESSAYS_MENTIONING}")),
    # Where something is in the printed compilation: a page of its table of contents (rag/pages.py).
    ("page", re.compile(r"第几页|哪一?页|多少页|页码")),
    # (a count of items said or asked, then what they are: "归纳为五条，都是啥", "有几条？都是什么";
    # the points a text is summed up in, counted: "总结成几条？", "写了几点体会" — what answers is
    # the points; items asked one by one: "逐条说说", "一一列出")
    ("list", re.compile(rf"哪些|哪几|有几(?:个方面|点|条)|几个方面|分别|列举|包括什么|包含什么|"
                        rf"[成为出了]几[条点](?:{POINT_NOUNS}|{LISTED_NOUNS})?(?![\u4e00-\u9fff])|"
                        rf"逐(?:条|项|一|个)|一一(?:列|说|讲|道)|列出|列一下|罗列|"
                        rf"[{PLURAL_DIGITS}\d][{ITEM_COUNTERS}][^？?]*[？?，,]\s*(?:都|各|具体|分别)?(?:是|有)(?:什么|哪些|啥)|"
                        rf"哪[“\"]?[{PLURAL_DIGITS}]+[\u4e00-\u9fff]|有什么(?:{LISTED_NOUNS})|"
                        rf"(?:{LISTED_NOUNS})(?:主要|具体)?是什么")),
    # "称之为什么", "被誉为什么", "更名为什么" ask what X is called: a verb taking 为, then 什么.
    ("reason", re.compile(r"(?<![称誉成作视改现定名译分列算变转认之])为什么|为何|什么原因|何故|缘何|原因是|怎么会|"
                          r"凭什么|为啥")),
    ("date", re.compile(r"何时|什么时[候间]|哪一?年|哪几[天年]|哪个年份|什么年份|哪一?天|哪个月|几月|几号|几日|"
                        r"哪一?年代|什么年代|什么日子|日期|的时间(?:是|为)?[?？。]*$")),
    # How often ("多久发一班车", "每隔多久", "一年办几次"): a length of time per occurrence, or a
    # count of occurrences per length of time; only a frequency answers it, not a duration.
    ("frequency", re.compile(r"(?:多久|多长时间|几天|几周|几个月|几年|多少天)[^,，。？?]{0,8}?一[次回趟班轮]|"
                             r"每隔?(?:多久|多长时间|几)|隔多久|一[年季月周天日][^,，。？?]{0,6}?(?:几|多少)[次回趟班轮]|"
                             r"频率|频次")),
    ("duration", re.compile(r"多久|多长时间|多少年|几年|多少天|几天|多少个?月|几个月|多少周|几周|多少个?小时|"
                            r"几个?小时|多少个?钟头|几个?钟头|历时多|(?:时间|时长|期限|工期)[^,，。？?]{0,3}?多长")),
    ("money", re.compile(rf"(?:{MONEY_WORDS})[^,，。？?]{{0,6}}(?:多少|几)|(?:多少|几)(?:个)?(?:钱|元|块|万元|亿)|"
                         rf"(?:多少|几)(?![{COUNTERS}])[^,，。？?]{{0,4}}(?:{MONEY_WORDS})|多贵|值多少")),
    ("quantity", re.compile(rf"(?:多少|几)[{COUNTERS}]|"
                            rf"多少(?:{AREA_UNITS}|{LENGTH_UNITS}|{WEIGHT_UNITS}|{TIME_UNITS})|多少面积|"
                            rf"多[大长远高宽深重](?!的?(?:{DEGREE_NOUNS}))|多少|第几|几成|比例|占比|比重|百分之几|几岁")),
    # "谁的职能" asks whose: a body or a role as often as a person, so an open question.
    ("person", re.compile(rf"谁(?!的)|哪一?位|哪个人|什么人|姓什么|姓名|"
                          rf"(?:{ROLE_WORDS})[^,，。？?]{{0,4}}(?:叫什么|名字|是哪(?:位|个人|一位))")),
    # ("哪里毕业的": the school, a body, not a place)
    ("organisation", re.compile(rf"哪(?:个|家|所|一家|一个|一所)?(?:{ORG_WORDS})|什么(?:{ORG_WORDS})|"
                                rf"(?:{ORG_WORDS})[^,，。？?]{{0,4}}(?:叫什么|名字|名称)|"
                                r"(?:在|从)?哪[里儿]?毕业|毕业于哪")),
    ("place", re.compile(rf"哪里|哪儿|什么地方|在哪|何处|何地|位于|地点|哪(?:个|一个|座)?(?:{PLACE_WORDS})|"
                         rf"{_FEATURE_ASKED.pattern}|"
                         rf"(?:归|属于?)哪|哪一?片(?!面)")),  # "是哪一片的": which area (AREA)
    ("yesno", re.compile(rf"{_YES_NO_FORMS}|有没有")),
    ("method", re.compile(rf"怎么|怎样|如何|什么[\u4e00-\u9fff]{{0,2}}(?:{METHOD_NOUNS})|"
                          rf"(?:{METHOD_NOUNS})(?:主要|具体)?(?:是什么|是哪样|是怎样)|"
                          r"采取了什么|靠什么|通过什么|做了什么|干了什么|具体(?!指|是什么|是哪|含义|内容)")),
    ("definition", re.compile(r"什么是|是什么|指什么|是指|什么意思|含义|内涵|定位|叫什么|名称|什么")),
)
# The one who did what the question describes: an interrogative opening its clause
# ("哪个镇的居民能…", "谁提出了…") or a copula's complement ending it ("…，这是哪个村",
# "他住的是哪座城"), not an object or an adjunct of a verb ("毕业于哪所大学", "在哪里发现的").
DOER_ASKED = re.compile(r"(?:^|[，,；;。])(?:请问)?(?:那么?|这|那)?(?:是|为)?(?:哪|谁)|"
                        r"(?:是|为)(?:哪|谁|什么)[^，,。？?；;是]{0,6}(?=[，,。？?；;]|$)")
# A question asking who a named person is: their role, office or standing.
IDENTITY_ASKED = re.compile(r"是谁|什么身份|什么职务|什么职位|担任什么|任什么|做什么的|干什么的|什么人|哪里的|"
                            r"什么来头|什么背景")
# A question asking what an essay is about as a whole ("第二篇讲了什么", "那篇的主要内容"): when it
# names one essay and nothing else, the essay's outline answers it.
GIST_ASKED = re.compile(r"(?:讲|写|谈|说)了?(?:些)?(?:什么|啥)(?:内容)?[？?。！!]*(?:\s|$)|主要内容|主旨|中心思想|"
                        r"大意(?:是(?:什么|啥)|[？?。]*$)")  # not "那句话大意是：…", said by the asker
# A question asking how an essay is laid out: its parts, their headings ("那篇文章分为几个部分",
# "各部分的小标题是什么", "结构是怎样的").
OUTLINE_ASKED = re.compile(r"(?:分|分成|分为|拆成|拆为|由)了?(?:哪|几)[^？?，,。]{0,3}(?:个)?(?:部分|板块|章节|层)|"
                           r"(?:按|用|以)[^？?。]{0,20}分段(?=的|[，,。？?]|$)|"
                           r"(?:哪|几)[^？?，,。]{0,3}(?:个)?部分(?:组成|构成)|小标题|各部分|每个?部分|"
                           r"(?:结构|提纲|框架|目录)(?:是|怎样|如何|怎么)|"
                           r"(?:分|分成|分为)了?[几两三四五六七八九十]段|按(?:哪|什么)[^？?，,。]{0,4}展开")
# A date question asking for a year, which an event without one does not answer.
YEAR_ASKED = re.compile(r"哪一?年(?!代)|什么年份|哪个年份|何年")
# …and one asking for a day, which a year or a month alone does not answer.
DAY_ASKED = re.compile(r"哪一?天|几号|几月几|具体日期|哪个日子")
# The aspects of an event a date question may ask: its start or its completion, a life's birth or
# its death. A date told of another ("2024年实施建设…" for "哪年完工", a year of birth for "何时
# 逝世") does not answer it; "…以来", "自…起" tell a start.
EVENT_ASPECTS = ("启动|开始|开启|起步|发起|成立|创办|创建|创立|建立|设立|开办|开工|动工|推行|实施|首创|始建|以来|"
                 "(?:从|自)[^，,。；;]{1,12}起",
                 "建成|完工|竣工|通车|投用|投入使用|开业|落成|建好|建完|修好|修通|上线|交付|投运|完成|结束|结业|闭幕|收官",
                 "出生|生于|诞生|降生|出世",
                 "逝世|去世|过世|辞世|病逝|病故|卒|殁|死于|死亡|身故|遇害|遇刺|阵亡")
# A building's completion ("什么时候建成", "何时通车") is told with a date, not by an event it
# followed, as the end of a career may be ("赛后…结束运动生涯").
BUILT = re.compile("建成|完工|竣工|通车|投用|投入使用|落成|建好|建完|修好|修通|交付|投运")


def event_aspect(text: str) -> str:
    """The verbs of the aspect of the event a question names (its start or its completion, a birth
    or a death), as a regular expression, or "" when it names none or several.

    >>> event_aspect("这座桥哪年建成通车？") == EVENT_ASPECTS[1], event_aspect("那所学校何时创办？") == EVENT_ASPECTS[0]
    (True, True)
    >>> event_aspect("这座桥哪年修的？"), event_aspect("哪年开工、哪年完工？")
    ('', '')
    >>> event_aspect("他是哪一年去世的？") == EVENT_ASPECTS[3], event_aspect("她生于何时？") == EVENT_ASPECTS[2]
    (True, True)
    """
    named = [verbs for verbs in EVENT_ASPECTS if re.search(verbs, text)]
    return named[0] if len(named) == 1 else ""


def event_told(text: str) -> str:
    """What a sentence dating the event a question asks of must say, as a regular expression: the
    verbs of its aspect (`event_aspect`), or the thing that the question's verb acts on, when it
    names one, whatever verb the sentence uses ("哪年完成道路硬化": "2019年实现道路硬化"); ""
    when the question names no aspect.

    >>> event_told("甲村在哪年完成道路硬化？") == EVENT_ASPECTS[1] + "|道路硬化"
    True
    >>> event_told("这座桥哪年建成通车？") == EVENT_ASPECTS[1], event_told("这座桥哪年修的？")
    (True, '')
    """
    aspect = event_aspect(text)
    acted_on = re.search(rf"(?:{aspect})了?([\u4e00-\u9fff]{{2,8}}?)(?:的|了)?[?？。！!]*$", text) if aspect else None
    return f"{aspect}|{re.escape(acted_on.group(1))}" if acted_on and not re.search(
        "|".join(EVENT_ASPECTS), acted_on.group(1)) else aspect


# A time counted from the asker's own day: what written essays cannot state, unless they use the word.
# (not what something lets one see or look up: "候车时能查看今天的气温吗" asks of a service)
ASKER_TIME = re.compile(r"(?<!查询|了解|知道|预报)(?<![看查])"
                        r"(?:明天|后天|今晚|明晚|明早|下周|下星期|下礼拜|周末|下个月|今天|今日)")
SURVEY_CUE = EXPECTED[0][1]  # "几位学员…", "各篇…": not itself a count asked for
# Words about the essays or their writers, not about what is asked ("几位学员", "各篇心得", "文中",
# "在这十篇里出现过"): they say a question is about the essays, whatever else it asks.
SURVEY_SUBJECT = re.compile(r"几位(?:学员|作者|同志|干部|参训学员)?|几篇(?:心得|文章)?|学员们|大家|"
                            r"(?:在|从)?(?:这|那)?[十几]?篇(?:心得|文章)?[里中]|文中|原文|(?:介绍|文章|心得)[里中]|"
                            r"都?出现过|"
                            r"各篇(?:心得|文章)?|每篇(?:心得|文章)?|[每各]位(?:学员|作者)?|不同(?:学员|作者|文章)")
KIND_NAMES = {
    "person": "姓名", "place": "地点", "organisation": "单位名称", "date": "时间", "duration": "时长",
    "frequency": "频率", "money": "金额", "quantity": "数量", "page": "页码", "list": "清单", "method": "做法",
    "reason": "原因", "definition": "说明", "yesno": "判断", "survey": "看法",
}
# Kinds answered by one value stated in a sentence; the others are answered by passages of text.
VALUE_KINDS = frozenset({"person", "place", "organisation", "date", "duration", "frequency", "money", "quantity"})

# A demonstrative after 的 is a definite description: the clause before it says which one ("种了
# 樱桃的那位书记"), unless that clause is about what was said ("刚才说的那个村") or is the rest of
# what was named ("剩下的那三家").
_DESCRIBED = (r"(?:(?<!的)|(?<=说的)|(?<=讲的)|(?<=提的)|(?<=问的)|(?<=谈的)|(?<=到的)|"
              r"(?<=剩下的)|(?<=其余的)|(?<=余下的))")
# What a demonstrative points to, counted: "这个", "这两项", "那三条".
_COUNTED = r"[两三四五六七八九十]?(?:个|项|家|位|种|条)"
# A follow-up leans on the conversation: a pronoun or demonstrative standing for something
# said before (an opening 其中: among those just named), a continuation word, a bare place
# noun or a bare 村-compound opening the question ("村里…", "村民…", "村集体…" = of the village
# just discussed), the rest of what was named ("剩下的…"), or a bare "X呢？".
ANAPHORA = re.compile(r"^那么?|^其中|^(?:剩下|其余|余下)|^(?:村|镇|乡|区|县)(?:里|上)|^村(?:民|干部|集体|委|两委)|"
                      r"[它他她]们?|其(?!他|中|实|余)|"
                      r"该(?:村|镇|乡|县|区|公司|项目|局|做法)|"
                      rf"{_DESCRIBED}这(?:{_COUNTED}|些|几|里|样|么)|如此|{_DESCRIBED}那(?:{_COUNTED}|些|几|里|样)|"
                      r"^这(?=[跟和与比])|"
                      r"此(?:事|项)")
# Words standing for the thing or place the conversation is about: what a follow-up asks of it
# follows them ("那它的带头人是谁" asks the 带头人 of the village discussed).
_POINTER = re.compile(r"它们?|他们(?:村|镇|乡)|[该这那](?:个)?(?:村|镇|乡|公司|项目)(?![民里委])")
# Words pointing back to one person or one village: "他那堂课…", "这个村…". When the earlier
# question asked who or which village, they stand for the one its answer named.
REFERRING = {"person": re.compile(r"[他她](?!们)|这位|那位|此人"),
             "place": re.compile(r"该村|这个村|那个村|这村(?![民里])|那村|那里|那儿")}


# Where in an essay a question places what it asks: at its end ("在结尾讲…", "文末提到的")
# or its opening ("开头引了哪句诗"). (最后 alone may be the last essay: "最后一篇".)
_ESSAY_PARTS = (("end", re.compile(r"结尾|末尾|文末|篇末|收尾|最后一段|结束语|(?:文章|全文)最后|"
                                   r"最后(?=说|提|表示|表态|强调|写)")),
                ("start", re.compile(r"开头|开篇|第一段")))


def essay_part(text: str) -> str:
    """"end" or "start" when the question places what it asks in that part of an essay, else "".

    >>> essay_part("他在文末提出了什么？"), essay_part("开头引了哪句诗？"), essay_part("最后一篇是谁写的？")
    ('end', 'start', '')
    >>> essay_part("他最后表示要做什么？"), essay_part("最后要达到什么效果？")
    ('end', '')
    """
    return next((part for part, words in _ESSAY_PARTS if words.search(text)), "")


def referring_kind(text: str) -> str:
    """The kind of one thing `text` points back to: "person", "place" or "".

    >>> referring_kind("他那堂课讲了什么？"), referring_kind("这个村有多少人？"), referring_kind("他们怎么看？")
    ('person', 'place', '')
    """
    return next((kind for kind, words in REFERRING.items() if words.search(text)), "")


# Words leaving something out of what is asked: "（不算那些支线）全长多少", "不包括门票的话".
_LEAVING_OUT = re.compile(rf"(?:不算|不含|不包括|不包含|不计|除去|刨去|扣除|去掉)"
                          rf"(?:[这那](?:些|[几{CN_DIGITS}]*[{COUNTERS}])|[{CN_DIGITS}几]+[{COUNTERS}])?"
                          r"([\u4e00-\u9fff]{1,8}?)(?:在内|以外|之外|的话)?(?=[）)，,。?？])")


def left_out(text: str) -> str:
    """The thing a question leaves out of what it asks, or "".

    >>> left_out("主线（不算那些支线）有多长？"), left_out("不包括门票的话，一共花多少钱？")
    ('支线', '门票')
    >>> left_out("一共修了多少公里？")
    ''
    """
    m = _LEAVING_OUT.search(text)
    return m.group(1) if m else ""


# Continuation words lean on the conversation only in a question that names nothing of its own:
# "后来呢" continues, "余村的矿山后来怎么样了" is about 余村.
CONTINUATION = re.compile(r"后来|然后|接着|之后|另外|此外|还有|同样|再说|具体|最终|^最后(?![一个])")
_TRAILING_NE = re.compile(r"^(?:[那这]些|那么?)?(.{1,20}?)呢[?？]?$")
# A follow-up opening on a topic of its own ("那资金这块,…", "至于养老方面呢,…") turns the
# conversation to that topic: what the earlier question was about is no longer its focus.
_OPENING_TOPIC = re.compile(r"^(?:那么?|至于|还有|另外)?[\u4e00-\u9fff“”]{2,12}?"
                            r"(?:这块|这一块|那块|这方面|方面)呢?[,，]")
# A measure named by "X呢？" ("长度呢", "总投资呢"): its amount is asked.
_MEASURE_ASKED_AGAIN = re.compile(r"(面积|占地|长度|里程|高度|宽度|深度|重量|人口|人数|户数|资金|经费|投资|投入|收入|"
                                  r"产值|利润|收益|成本|预算|补贴|造价|费用|价格|票价)呢[?？]?$")
# A word that only asks: 哪/多少/几 with a measure word ("哪一位", "哪家", "多少年").
INTERROGATIVE_WORD = re.compile(rf"(?:哪|多少|几)一?[{COUNTERS}些里儿年天月样种类]?")
_INTERROGATIVE = re.compile(r"什么|怎么样?|怎样|如何|为什么|为何|哪[些里儿个位年天]?|谁|多少|多[大长远高宽深重久]|"
                            r"几|是否|吗|呢|何")
# (第N篇 names an essay by its place in the collection, which no passage states: essays_at_position)
_STATED = re.compile(rf"\d+(?:\.\d+)?|第[{CN_DIGITS}\d]+[{COUNTERS.replace('篇', '')}年]")


# Measure words that count the same things: "第一堂课" is said "第一节课", "第二届" "第二期".
_SAME_COUNT = ("堂节门", "届期", "位名个", "条项点", "次回遍", "座栋幢", "棵株")


def stated(constraint: str, text: str) -> bool:
    """Whether `text` states a number the question stated: as written, or an ordinal with a
    measure word counting the same things.

    >>> stated("第一堂", "第一节课是…"), stated("第一堂", "第二节课"), stated("第一届", "第一名")
    (True, False, False)
    >>> stated("2019", "2019年")
    True
    """
    m = re.fullmatch(rf"(第[{CN_DIGITS}\d]+)([{COUNTERS}])", constraint)
    if m:
        alike = next((group for group in _SAME_COUNT if m.group(2) in group), m.group(2))
        return re.search(rf"{m.group(1)}[{alike}]", text) is not None
    return constraint in text


# A range of numbers: "2024-2027年", "2020年至2024年", "3～5天".
_RANGE_MARK = r"[-—–~～至到]"


def stated_alone(constraint: str, text: str) -> bool:
    """Whether `text` states a number the question stated by itself, not as an end of a range:
    "2024-2027年" covers 2024 but says nothing of that year alone ("2024年当年先建几个").

    >>> stated_alone("2024", "2024年,拟建5个。"), stated_alone("2024", "2024-2027年,建成30个。")
    (True, False)
    """
    if not re.fullmatch(r"\d{4}", constraint):  # a year: other numbers are rarely the end of a range
        return stated(constraint, text)
    return re.search(rf"(?<!\d)(?<!{_RANGE_MARK})(?<!{_RANGE_MARK}\d{{4}}年){constraint}(?!\d)(?!年?{_RANGE_MARK})",
                     text) is not None


# "第二点", "第三条", "第四个方面": the n-th item of an enumeration, not a phrase the text must contain.
_ITEM_ORDINAL = re.compile(rf"第([{ORDINALS}\d]{{1,3}})(?:点|条|项|个?方面|步)")
_CLAUSE_BREAK = re.compile(r"[,，;；:：]")
_ATTRIBUTE_PREFIX = re.compile(r"^(?:的|现任|目前的?|现在的?|当时的?|最初的?|原来的?|之前的?|原|现|[那这](?:位|个))+")


# Colloquial interrogatives, read as their standard forms by every rule here: "啥时候" is
# 什么时候, "咋办" 怎么办, "为啥" 为什么, "几时" 何时, "多会儿" 什么时候.
# Literary ones likewise: "由何人负责" is 由什么人, "有何特点" 有什么特点, "何为X" 什么是X (not
# 任何人, 如何); "哪一类X", "哪种X" ask what kind of X, as 什么X does.
_COLLOQUIAL = (("多会儿", "什么时候"), ("几时", "何时"), ("啥", "什么"), ("咋", "怎么"))
_LITERARY = ((re.compile(r"(?<!任)何(人|种|事|物|样)"), r"什么\1"), (re.compile(r"有何"), "有什么"),
             (re.compile(r"何年"), "哪一年"), (re.compile(r"何[为谓](?=[\u4e00-\u9fff“\"])"), "什么是"),
             # "哪一类设施", "哪种办法": which kind of thing, as 什么 before a noun asks.
             (re.compile(r"哪一?[类种](?=[\u4e00-\u9fff])"), "什么"))


def standard_interrogatives(text: str) -> str:
    """`text` with colloquial and literary interrogatives in their standard forms.

    >>> standard_interrogatives("村里咋样了？为啥？"), standard_interrogatives("合作社几时成立的？")
    ('村里怎么样了？为什么？', '合作社何时成立的？')
    >>> standard_interrogatives("由何人负责，有何特点？"), standard_interrogatives("任何人都能去吗？")
    ('由什么人负责，有什么特点？', '任何人都能去吗？')
    >>> standard_interrogatives("要建哪一类设施？")
    '要建什么设施？'
    """
    for colloquial, standard in _COLLOQUIAL:
        text = text.replace(colloquial, standard)
    for pattern, standard in _LITERARY:
        text = pattern.sub(standard, text)
    return text


@dataclass(frozen=True)
class Question:
    text: str  # as the rules read it: normalised, colloquial interrogatives in standard form
    query: str
    focus: tuple[str, ...] = ()
    expected: str = ""  # a key of KIND_NAMES, or "" for an open question
    unit: str | None = None
    attribute: str = ""
    constraints: tuple[str, ...] = ()
    follow_up: bool = False
    excluded: str = ""  # what the question leaves out ("不算那些支线" → 支线): no value of it answers
    item_kind: str = ""  # for a list: the kind of its items ("哪些村" → place), if the question says
    item_noun: str = ""  # and the noun naming them ("村")
    term: str = ""  # for "什么是X" / "X是什么": the term to define
    value_kind: str = ""  # for a survey: the kind of value asked of each essay ("各篇说的日期")
    asker_time: str = ""  # a time counted from the asker's day ("明天"), if the question says one
    item: int = 0  # n for "第n点/条/个方面": the n-th item of an enumeration is asked
    count: int = 0  # n for "哪三条", "七个环节分别是什么": how many items a list question expects
    part: str = ""  # the noun after 的 whose property is asked ("X的叶子有什么特点" → 叶子)
    asked: str = ""  # the question as the user put it (normalised), for display; "" when `text` is
    topic: str = ""  # what a bare "X方面呢？" follow-up turns the earlier question to ("殡葬")
    named: str = ""  # the noun after 什么 whose particular name is asked ("什么工作法" → 工作法)
    clue: str = ""  # what names the writer by the essay's content ("写“甲乙”的那位" → “甲乙”)
    claimed: tuple[str, ...] = ()  # numbers a question offers for confirmation ("有50亩吧" → 50), to check
    counted: str = ""  # for "多少个X": the head of X (its last character, or two before a suffix 子/儿)
    asks_again: bool = False  # a bare "X呢？" follow-up: the earlier question asked again of X
    essays: frozenset[int] = frozenset()  # the essay a follow-up's 他 writes: the writer asked of before
    essay_part: str = ""  # where in the essay what is asked is said: "end" (在结尾…), "start" (开头…)

    @property
    def shown(self) -> str:
        return self.asked or self.text

    @property
    def asking(self) -> str:
        """What says what is asked: the earlier question for a bare "X呢？", else the text."""
        return self.query if self.asks_again else self.text

    @property
    def kind_name(self) -> str:
        if self.expected == "organisation" and self.unit == BODY_GROUPS[0]:
            return "学校名称"  # "哪所大学", "哪里毕业"
        return KIND_NAMES.get(self.expected, "")


# 几 after a demonstrative or an approximation asks nothing: "这几个村" (these villages), "前几天",
# "好几篇", "十几户"; nor after a verb's 了, 有 or 共 does 几篇/几位 name the essays' writers
# ("一共收了几篇文章" counts them).
_NOT_ASKING_JI = re.compile(r"(?<=[这那前好十])几")
# In a yes/no question 几 before a measure word is "a few": "光靠几个能人行不行".
_YES_NO = re.compile(_YES_NO_FORMS)
_JI_MEASURES = "个位名家条项点户"  # measure words after which 几 may be "a few"
_INDEFINITE_JI = re.compile(rf"几(?=[{_JI_MEASURES}])(?!位(?:学员|作者|同志|干部|参训))")  # not the survey's 几位学员
# Nor does 几 before a noun when the same clause asks with another word after it: "看了几户人家的
# 院子，收拾得怎么样" asks how, of a few households; Chinese asks one thing at a time.
_ASKED_LATER_IN_CLAUSE = re.compile(rf"几(?=[{_JI_MEASURES}][\u4e00-\u9fff][^？?]*?"
                                    r"(?:什么|怎么|怎样|如何|(?<!哪)哪(?!几)|谁))")


# 谁 before 也/都 means anyone or no one, and so does every 谁 of its clause: "谁也不理谁" asks
# nothing.
_UNIVERSAL_WHO = re.compile(r"谁[也都][^,，。？?；;]*")


# An interrogative in the complement of a verb of perceiving or knowing is an embedded question
# when the sentence asks something else too: "哪个镇的居民能看到自己跑了多少步" asks which town
# (the steps are what they can see), "能查看会不会堵车，这是哪个村" too. Alone, it is what is asked
# ("得知消息后做了什么"); and "听到的是什么" asks what was heard (的 makes the verb a noun).
_EMBEDDED_QUESTION = re.compile(r"(?:知道|了解|看到|看见|看出|查看|看看|查到|查询|获知|得知|算出|显示)(?!的)"
                                r"[^，,。？?]{0,12}?(?P<asked>多少|几|什么|谁|哪|是否|([\u4e00-\u9fff])不\2)")


def _without_embedded_questions(text: str) -> str:
    """`text` with the interrogatives of its embedded questions replaced by 某, when another
    interrogative is left to be the question's own.

    >>> _without_embedded_questions("哪个镇的居民能看到自己跑了多少步？")
    '哪个镇的居民能看到自己跑了某步？'
    >>> _without_embedded_questions("得知消息后做了什么？")
    '得知消息后做了什么？'
    """
    stripped = _EMBEDDED_QUESTION.sub(lambda m: m.group(0)[: m.start("asked") - m.start()] + "某", text)
    return stripped if stripped != text and _INTERROGATIVE.search(stripped) else text


# 多大/多高/多深 after an abstract noun asks a degree, which no measure answers: "影响有多大",
# "评价有多高" are open questions, "面积有多大" is not.
_DEGREE_ASKED = re.compile(r"(影响|变化|作用|意义|评价|差距|难度|压力|力度|贡献|效果|成效|潜力|价值|期望|期待|热情|"
                           r"决心|信心|水平|程度|反响|好处|帮助|收获|触动|感触|积极性|满意度|认可度|关注度|知名度)"
                           r"(?:到底|究竟|又|能|会)?有?(?:多大|多高|多深|多远|多重)")


def expected_answer(text: str, kinds=None) -> str:
    """The kind of answer the question expects, by the first matching row of EXPECTED (among
    `kinds`, if given).

    >>> expected_answer("五四村的书记叫什么名字？"), expected_answer("这个村归哪个镇管？")
    ('person', 'place')
    >>> expected_answer("修这条路花了几个钱？"), expected_answer("一共多少户？")
    ('money', 'quantity')
    >>> expected_answer("几位学员说的开班日期一样吗？"), parse("几位学员说的开班日期一样吗？").value_kind
    ('survey', 'date')
    >>> expected_answer("村里各干各的，谁也不理谁，该怎么办？"), expected_answer("大家谁都不愿干，该由谁来牵头？")
    ('method', 'person')
    >>> expected_answer("这件事的影响到底有多大？"), expected_answer("果园的面积有多大？")
    ('', 'quantity')
    >>> expected_answer("他说要破除“各行其是”，点了哪几个部门？")
    'list'
    >>> expected_answer("这件事的关键在哪里？"), expected_answer("这件事的材料放在哪里？")
    ('definition', 'place')
    """
    text = _without_embedded_questions(standard_interrogatives(text))
    text = _DEGREE_ASKED.sub(r"\1", _UNIVERSAL_WHO.sub("", _NOT_ASKING_JI.sub("些", text)))
    text = _FIGURATIVE_WHERE.sub(r"\1是什么", text)
    if _YES_NO.search(text):
        text = _INDEFINITE_JI.sub("些", text)  # "光靠几个能人行不行": a few, not how many
    elif not SURVEY_CUE.search(text):
        text = _ASKED_LATER_IN_CLAUSE.sub("些", text)
    # A survey cue inside quotes is a word mentioned, not used ("破除“各行其是”，点了哪几个部门").
    unquoted = _QUOTED_WORDS.sub("“”", text)
    return next((kind for kind, pattern in EXPECTED if (kinds is None or kind in kinds)
                 and pattern.search(unquoted if kind == "survey" else text)), "")


_QUOTED_WORDS = re.compile(r"“[^“”]{1,20}”")


_DEFINITION_ASKED = re.compile(r"^(?:请问)?(?:什么(?:是|叫)|何为|何谓)(?P<a>.+?)[?？。！!]*$|"
                               r"^(?P<b>.+?)(?:是|指)(?:什么|何物|啥)(?:意思)?[?？。！!]*$")
# What something is likened to or taken as ("把交通比作什么角色", "把党组织看作什么"): what the
# text says it is, in a sentence saying "X是…" of it.
_LIKENED = re.compile(r"把(?P<c>[^，,。？?把]{1,12}?)"
                      r"(?:比作|比喻成|比喻为|比成|看作|看成|当作|当成|视为|视作|称作|称为|喻为)"
                      r"[^，,。？?]{0,10}?(?:什么|啥|何)")
_QUOTES = "“”\"'‘’「」《》"


def defined_term(text: str) -> str:
    """The term a definition question asks about — "什么是X" or "X是什么" — or "" when the
    question asks for an attribute of something ("X的别名是什么") or something else.

    >>> defined_term("什么是“乡里制”？"), defined_term("棱柱是什么？"), defined_term("X的别名是什么？")
    ('乡里制', '棱柱', '')
    >>> defined_term("他把合作社比作什么角色？"), defined_term("作者把村书记看成村里的什么人？")
    ('合作社', '村书记')
    """
    m = _DEFINITION_ASKED.match(text.strip()) or _LIKENED.search(text)
    if not m:
        return ""
    term = next(g for g in m.groups() if g).strip(_QUOTES + " ")
    return term if term and "的" not in term and len(term) <= 20 and not _INTERROGATIVE.search(term) else ""


def survey_value_kind(text: str) -> str:
    """The kind of value a survey asks of each essay: what the question asks once its survey cue
    is left out ("几位学员说的开班日期" → date), or the kind of the items it asks to list
    ("各篇心得里提到了哪些老师" → person).

    >>> survey_value_kind("几位学员说的开班日期一样吗？"), survey_value_kind("各篇心得里提到了哪些老师？")
    ('date', 'person')
    >>> survey_value_kind("几位学员对余村的变化是怎么描述的？")
    ''
    """
    rest = SURVEY_CUE.sub("", text)
    kind = expected_answer(rest, VALUE_KINDS)
    if not kind and expected_answer(rest) == "list":
        item_kind = list_item_kind(rest)[0]
        kind = item_kind if item_kind in VALUE_KINDS else ""
    return kind


def named_noun(text: str) -> str:
    """The noun after 什么 whose particular name or kind is asked ("按什么分配办法" → 分配办法), or ""
    (also when the question asks something of it: "什么理念的发源地").

    >>> named_noun("合作社按什么分配办法分红？"), named_noun("他们靠什么发展路子致富？"), named_noun("什么是两山？")
    ('分配办法', '发展路子', '')
    >>> named_noun("这里是什么理念的发源地？"), named_noun("要加快什么园区的建设？")
    ('', '园区')

    "哪条/哪种/哪项X" asks which X by its name as well:

    >>> named_noun("绿道连着哪条景观路？"), named_noun("他们种的是哪种作物？"), named_noun("要紧挨着哪条街的改造？")
    ('景观路', '作物', '街')
    """
    m = re.search(r"(?:什么|(哪)一?[条种项款门部])([\u4e00-\u9fff]{1,8})", text)
    noun = leading_nouns(m.group(2)) if m else ""
    after = text[m.start(2) + len(noun):] if noun else ""
    # (after a measure word one character is a noun: "哪条路", "哪种鱼")
    least = 1 if m and m.group(1) else 2
    return noun if len(noun) >= least and (not after.startswith("的") or _action_of(after[1:])) else ""


def _action_of(text: str) -> bool:
    """Whether `text` (what follows "什么X的") is a bare verb closing the question ("建设？"):
    "什么X的建设" asks which X is built, while "什么X的发源地" asks a thing of X."""
    import jieba.posseg

    base_dictionary()
    words = [w for w in jieba.posseg.lcut(text) if w.word.strip()]
    return bool(words) and words[0].flag in ("v", "vn") and (len(words) == 1 or words[1].flag in ("x", "y"))


def trailing_nouns(text: str) -> str:
    """The noun phrase `text` ends with, by jieba's part-of-speech tags: its last run of nouns
    (n…, vn, j), without what is before it.

    >>> trailing_nouns("今年要建的3个精品示范村"), trailing_nouns("他学到的发展理念"), trailing_nouns("是")
    ('精品示范村', '发展理念', '')
    """
    import jieba.posseg

    base_dictionary()
    words = []
    for word in reversed(jieba.posseg.lcut(text)):
        # (a unit ending a name is a noun, however the tagger reads it: 样板/村, 合作社)
        if not (word.flag.startswith("n") or word.flag in ("vn", "j") or re.fullmatch(PLACE_WORDS, word.word)
                or re.fullmatch(ORG_WORDS, word.word)):
            break
        words.append(word.word)
    return "".join(reversed(words))


_TOTALLING = {"一共", "共", "总共", "总计", "合计", "大概", "大约", "约", "差不多", "到底", "究竟"}


def topic_before_verb(text: str) -> str:
    """The noun phrase before the verb `text` ends with (its adverbs and aspect particles too):
    "甲村的民宿一共有" → 民宿; "" when a noun does not stand there ("今年要打造").

    >>> topic_before_verb("村里的文化礼堂建了"), topic_before_verb("今年要打造"), topic_before_verb("公墓方面要建")
    ('文化礼堂', '', '公墓')
    """
    import jieba.posseg

    base_dictionary()
    words = jieba.posseg.lcut(text)
    while words and (words[-1].flag.startswith(("v", "d", "u", "p")) or words[-1].word in _TOTALLING):
        words.pop()
    # "养老院方面要建": the noun framed as a topic (方面, 这块), not the frame.
    return trailing_nouns(_TOPIC_FRAME.sub("", "".join(w.word for w in words))) if words else ""


def leading_nouns(text: str) -> str:
    """The noun phrase `text` opens with, by jieba's part-of-speech tags: its first run of nouns
    (n…, vn, j), with the modifiers before it (a verb or an adjective: 授课老师).

    >>> leading_nouns("精品示范村？"), leading_nouns("角度谈乡村治理？"), leading_nouns("授课老师？")
    ('精品示范村', '角度', '授课老师')
    >>> leading_nouns("是什么")
    ''
    """
    import jieba.posseg

    base_dictionary()  # loads jieba's table once, quietly
    words, nouns = [], False
    for word in jieba.posseg.lcut(text):
        noun = word.flag.startswith("n") or word.flag in ("vn", "j")
        if noun:
            nouns = True
        elif nouns or not word.flag.startswith(("v", "a", "b")):
            break
        words.append(word.word)
    return "".join(words) if nouns else ""


_LIST_ADVERBS = "主要|都|分别|具体|究竟|到底"  # between a list's noun and its verb: "X分别是哪几个"


_LIST_REQUEST = re.compile(r"(?:列出|列举|罗列|列一下)(?:一下)?([^，,。？?！!]{2,30}?)[。？?！!\s]*$")


def list_item_kind(text: str) -> tuple[str, str]:
    """(kind, noun) of the items a list question asks for, from the noun after 哪些/哪几(个/对);
    a noun of no value kind is kept for the enumeration naming it ("哪几对概念": 概念).

    >>> list_item_kind("实地考察了哪些村庄？"), list_item_kind("有哪几位老师授课？"), list_item_kind("去了哪些村？")
    (('place', '村庄'), ('person', '老师'), ('place', '村'))
    >>> list_item_kind("哪几位是从大学请来的？")
    ('person', '位')
    >>> list_item_kind("打造哪几个精品示范村？"), list_item_kind("有哪些做法？")
    (('place', '精品示范村'), ('', ''))
    >>> list_item_kind("有哪几点体会？"), list_item_kind("有哪几条经验？"), list_item_kind("分为哪几个方面？")
    (('point', '点'), ('point', '条'), ('', ''))
    >>> list_item_kind("包括哪些项目？"), list_item_kind("要具备哪些条件？"), list_item_kind("分哪几步？")
    (('', ''), ('', ''), ('point', '步'))
    >>> list_item_kind("从哪几个角度谈乡村治理？"), list_item_kind("哪些企业参与了合作？")
    (('', ''), ('organisation', '企业'))
    >>> list_item_kind("他列了哪几对概念？"), list_item_kind("沿着哪几条路来建？"), list_item_kind("提了哪几条建议？")
    (('', '概念'), ('', '路'), ('point', '条'))
    >>> list_item_kind("他学到的发展理念包括哪些？"), list_item_kind("提出的工作原则是哪三句话？")
    (('', '发展理念'), ('', '工作原则'))
    >>> list_item_kind("他提到了哪两个篇章？"), list_item_kind("由哪两个乡镇合并？")
    (('', '篇章'), ('', ''))
    >>> list_item_kind("今年要建的3个样板村是哪几个？"), list_item_kind("要新建的合作社都有哪些？")
    (('place', '样板村'), ('organisation', '合作社'))
    >>> list_item_kind("他们选的三个试点村，分别是哪些？"), list_item_kind("要从哪几个方面推进？")
    (('place', '试点村'), ('', ''))
    >>> list_item_kind("其中以甲乙为主的是哪两个？")
    ('', '')
    >>> list_item_kind("他的经验归纳成几条？分别是哪些？"), list_item_kind("有几点体会，都是什么？")
    (('point', '条'), ('point', '点'))
    >>> list_item_kind("明天几点开始？"), list_item_kind("他把做法归成了五条，都是啥？")
    (('', ''), ('point', '条'))
    >>> [kind for kind, _ in (list_item_kind("下午三点开会，都有哪些人？"), list_item_kind("第三条是哪些？"))]
    ['', '']
    >>> list_item_kind("请列出他在培训中学过的课程。"), list_item_kind("请列出甲镇的示范村。")
    (('title', '课程'), ('place', '示范村'))

    Items asked one by one ("逐条列出", "一条一条说") are a text's numbered points, unless their kind is named:
    >>> list_item_kind("她的经验都有哪些？请逐条说明。"), list_item_kind("去了哪些村？逐个列出。")
    (('point', '条'), ('place', '村'))
    """
    kind, noun = _named_item_kind(text)
    return ("point", "条") if not kind and _ONE_BY_ONE.search(text) else (kind, noun)


_ONE_BY_ONE = re.compile(r"逐(?:条|项|点)|一条一条|一项一项|一点一点")


def _named_item_kind(text: str) -> tuple[str, str]:
    """(kind, noun) of the items by the noun a list question names (`list_item_kind`)."""
    point = re.search(rf"(哪(?:些|几)个?|(?<![第{PLURAL_DIGITS}])[{PLURAL_DIGITS}])(点|条|项|步)(.?)", text)
    # Points of a text are numbered items (一是…, 1.…), not things listed in one sentence; "方面"
    # may be either ("坚持“政府主导、群众主体、社会参与”原则"). A measure word, not the first
    # character of a noun: 项目, 条件, 步骤 are things; nor the measure word of a thing named
    # after it ("哪几条路", "哪几项工程"), unless that thing is a point made ("哪几条经验"). A bare
    # 几 or a number counts them too ("归纳成几条？分别是哪些？", "归成了五条，都是啥"), but 几点,
    # 三点 with no point named are the time.
    counted = leading_nouns(text[point.end(2):]) if point else ""
    clock = point and point.group(2) == "点" and not point.group(1).startswith("哪")  # 几点, 三点: the time
    if point and not frequent(point.group(2) + point.group(3)) and (
            not counted and not clock or re.fullmatch(rf"{POINT_NOUNS}|{LISTED_NOUNS}|{METHOD_NOUNS}", counted)):
        return "point", point.group(2)
    people = re.search(r"哪(?:些|几)位", text) is not None  # 位 counts people, whatever words follow it
    m = re.search(rf"哪(?:些|几)[{COUNTERS}对]?([\u4e00-\u9fff]{{1,8}})", text)  # 对: a pair
    if m and len(m.group(1)) == 1 and m.group(1) in COUNTERS:
        m = None  # "是哪几个？": a measure word and no noun after it
    counted = re.search(rf"哪[{PLURAL_DIGITS}]+[{COUNTERS}]([\u4e00-\u9fff]{{2,8}})", text)
    if not m and counted and (noun := leading_nouns(counted.group(1))) and len(noun) >= 2 and not _noun_kind(noun)[0]:
        return "", noun  # "哪两个篇章": things of no value kind, named by the noun (a kind is read as before)
    if not m:
        # The noun before the question word: "理念包括哪些", "要建的3个样板村是哪几个".
        before = re.search(rf"([\u4e00-\u9fff]{{2,10}}?)[,，]?(?:{_LIST_ADVERBS})?(?:包括|包含|有|是|分为|分成)"
                           rf"哪(?:些|几|[{PLURAL_DIGITS}]+[{ITEM_COUNTERS}])", text)
        if not before:
            # "请列出他学过的课程": the object of a request to list names the items.
            listed = _LIST_REQUEST.search(text)
            noun = trailing_nouns(listed.group(1)) if listed else ""
            return (_noun_kind(noun)[0], noun) if len(noun) >= 2 else ("", "")
        # (jieba reads a noun that is also a verb as one: 工作要求 → 工作/vn 要求/v; then the
        # last four characters stand for the noun)
        noun = trailing_nouns(text[: before.end(1)])
        rest = re.sub(rf"(?:{_LIST_ADVERBS})+$", "", before.group(1))[-4:]
        # ("以甲为主的是哪两个": a clause ending on 的 modifies a noun left out; it is none)
        return (_noun_kind(noun)[0], noun) if len(noun) >= 2 else ("", rest if len(rest) >= 2
                                                                    and not rest.endswith("的") else "")
    if re.match(r"方面|角度|层面", m.group(1)):
        return "", ""  # "从哪几个方面推进…": aspects, of no kind, named by no noun of their own
    # "角度谈乡村治理": 角度, not a 乡; a lone 村 or 镇 is no word to jieba's tagger.
    phrase = leading_nouns(m.group(1)) or m.group(1)
    kind, noun = _noun_kind(phrase)
    if people:
        return "person", noun if kind == "person" else "位"  # "哪几位是从大学请来的": people all the same
    if kind:
        return kind, noun
    # "处理好哪几对关系": items of no value kind, but the enumeration naming 关系 is the one asked.
    named = leading_nouns(m.group(1))
    generic = re.fullmatch(rf"{LISTED_NOUNS}|{METHOD_NOUNS}|方面|角度|内容|工作", named)  # every list is of these
    # (a one-character noun counts after its measure word: "哪几条路" asks for roads)
    counted_after = re.match(rf"哪(?:些|几)[{COUNTERS}]", text[m.start():]) is not None
    return "", named if (len(named) >= 2 or counted_after) and not generic else ""


def _noun_kind(phrase: str) -> tuple[str, str]:
    """(kind, noun) of the value kind a noun phrase names, with the noun up to its kind word
    ("精品示范村" → place), or ("", ""). A place word must end a word of the phrase: 区 of 区域,
    市 of 市场 name no place.

    >>> _noun_kind("精品示范村"), _noun_kind("村庄"), _noun_kind("区域性品牌"), _noun_kind("市场主体")
    (('place', '精品示范村'), ('place', '村庄'), ('', ''), ('', ''))
    """
    for kind, pattern in (("place", PLACE_WORDS + "|村庄|村落|乡镇"), ("organisation", ORG_WORDS),
                          ("person", ROLE_WORDS + r"|人|学员|同志|干部"), ("title", r"课|文件|书|文章|讲座|报告")):
        ends = _word_ends(phrase) if kind == "place" else None
        for end in range(1, min(len(phrase), 8) + 1):
            if re.fullmatch(rf"[\u4e00-\u9fff]{{0,4}}?(?:{pattern})", phrase[:end]) and (ends is None or end in ends):
                return kind, phrase[:end]
    return "", ""


def _word_ends(text: str) -> set[int]:
    """Offsets at which a word of jieba's cut of `text` ends."""
    ends, at = set(), 0
    for word in words(text):
        at += len(word)
        ends.add(at)
    return ends


_HOW_MANY = re.compile(r"多少|(?<![哪这那前好十])几|多[远长大高宽深重]|第几")


def last_how_many(text: str) -> str:
    """`text` from its last how-many on, the one asked: an earlier 几 is "a few" ("跟几家单位
    合办，占多少比例", "几个村子中间的那段路有多长"); the whole text when it has none.

    >>> last_how_many("跟几家单位合办，占多少比例？")
    '多少比例？'
    """
    asks = list(_HOW_MANY.finditer(text))
    return text[asks[-1].start():] if asks else text


def measure_unit(text: str) -> str | None:
    """The unit a "how many / how big" question counts in, as a regular expression: the measure
    word after 几/多少, an ordinal for 第几, or the units of the dimension asked (面积, 多长).

    >>> measure_unit("一共有多少户？"), measure_unit("果园有多少亩？"), measure_unit("是第几届？")
    ('户', '亩', '第')
    >>> measure_unit("有多大面积？") == AREA_UNITS, measure_unit("一共几个？") == f"[{COUNTERS}]"
    (True, True)
    >>> measure_unit("全长多少厘米？"), measure_unit("开放多少个小时？"), measure_unit("跟几家单位合办，占多少比例？")
    ('厘米|公分|(?i:cm)', '小时', None)
    >>> measure_unit("这块地的面积有多大？") == AREA_UNITS, measure_unit("几个村子中间的那段路有多长？") == LENGTH_UNITS
    (True, True)
    >>> measure_unit("甲村住着多少户、多少是党员？"), measure_unit("常住人口有多少？"), measure_unit("有多少劳动力？")
    ('户', '人|名|位|口', '人|名|位|口')
    """
    asked = last_how_many(text)
    unit = _unit_after(asked)
    if unit is None:
        # "住着多少户、多少人口": one of several counts asked in a unit is enough to
        # answer with (an earlier 几 may be "a few"; an earlier 多少 always asks).
        earlier = [m.start() for m in re.finditer("多少", text[: len(text) - len(asked)])]
        unit = next((u for start in reversed(earlier) if (u := _unit_after(text[start:])) is not None), None)
    if unit is None and (noun := re.search(rf"({_COUNT_NOUN})(?:有|是|为|共|约|达|一共|大约|总共)?$",
                                            text[: len(text) - len(asked)])):
        unit = _count_noun_unit(noun.group(1))  # "常住人口有多少"
    if unit is not None:
        return unit
    if re.search(r"面积|占地|多大.{0,2}(?:地|面)", text):
        return AREA_UNITS
    if re.search(r"多长|多远|多高|多深|多宽|里程|长度|高度|身高|体长", text):
        return LENGTH_UNITS
    if re.search(r"多重|重量|体重", text):
        return WEIGHT_UNITS
    return None


# Nouns that are themselves counts of people or households ("多少人口", "人数有多少"),
# with the units they are counted in.
PEOPLE_UNITS = "人|名|位|口"  # the measure words people are counted in
_COUNT_NOUNS = (("人口|人数|劳动力", PEOPLE_UNITS), ("户数", "户"))
_COUNT_NOUN = "|".join(nouns for nouns, _ in _COUNT_NOUNS)


def _count_noun_unit(noun: str) -> str:
    return next(units for nouns, units in _COUNT_NOUNS if re.fullmatch(nouns, noun))


def _unit_after(asked: str) -> str | None:
    """The unit of the how-many opening `asked`: the measure word after it (or its spellings), or
    the unit of a noun that is itself a count (人口); None when it names none."""
    if asked.startswith("第几"):
        return "第"
    if noun := re.match(rf"(?:多少|几)[\u4e00-\u9fff]{{0,3}}?({_COUNT_NOUN})(?![\u4e00-\u9fff])", asked):
        return _count_noun_unit(noun.group(1))  # (before 人 is read as the measure word of 人口)
    # "多少个小时": 个 classifies the unit after it, which is what is counted.
    m = re.match(rf"(?:多少|(?<!哪)几)(?:个(?={TIME_UNITS}))?({AREA_UNITS}|{LENGTH_UNITS}|{WEIGHT_UNITS}|{TIME_UNITS}|"
                  rf"[{COUNTERS}])", asked)
    if m:
        # 个 is the general classifier: a count in any classifier answers it (not 30亩, not 9%);
        # a unit is answered in any of its spellings ("多少厘米": 2cm).
        unit = m.group(1)
        return f"[{COUNTERS}]" if unit == "个" else next(
            (spellings for spellings in SAME_UNITS if re.fullmatch(spellings, unit)), unit)
    return None


def counted_noun(text: str) -> str:
    """The head of the noun counted after 多少个/几个, its last character (Chinese nouns end on
    their head: 示范村 is a 村), or "" when no noun follows. 个 is the general classifier, so a
    count in it says nothing of what is counted unless that noun is beside it.

    >>> counted_noun("能停放多少个车位？"), counted_noun("有几个村搞了试点？"), counted_noun("一共几个？")
    ('位', '村', '')
    >>> counted_noun("开放多少个小时？"), counted_noun("有几个在外地？"), counted_noun("几个村子中间的那段路有多长？")
    ('', '', '')
    >>> counted_noun("挑了几个村子？"), counted_noun("有几个孩子？")
    ('村子', '孩子')
    >>> counted_noun("甲村的民宿一共有几个？"), counted_noun("今年要打造几个？")
    ('宿', '')
    >>> counted_noun("甲村有多少村民？"), counted_noun("有多少面积？"), counted_noun("有多少村民参加了培训？")
    ('民', '', '')
    """
    asked = last_how_many(text)
    ge = re.match(rf"(?:多少|(?<!哪)几)个(?!{TIME_UNITS})", asked)
    bare = re.match(rf"多少(?P<noun>[\u4e00-\u9fff]{{0,4}}(?:{PEOPLE_WORDS}|{PLACE_WORDS}))(?=[？?，,。！!]|$)", asked)
    if bare and not ge:
        # "有多少村民？", "有多少党员": people or places counted with no measure word.
        noun = bare.group("noun")
        return noun[-2:] if noun.endswith(("子", "儿")) else noun[-1]
    rest = asked[ge.end():] if ge else ""
    # (a lone 村 or 镇 is no word to jieba's tagger)
    noun = leading_nouns(rest) or (place.group() if (place := re.match(PLACE_WORDS, rest)) else "")
    if ge and not noun and not re.search(r"[\u4e00-\u9fff]", rest):
        # "甲村的民宿一共有几个？": the count closes the question; its noun is the topic before the verb.
        noun = topic_before_verb(text[: len(text) - len(asked)])
    # 子 and 儿 are suffixes, mostly: a 村子 is a 村, but 孩子 are counted as 子女. Both count.
    return noun[-2:] if noun.endswith(("子", "儿")) else noun[-1] if noun else ""


# "哪个镇/哪个乡镇/哪个街道" asks for a township, which is named with its unit; any of the three
# answers (people say 镇 of a 乡). A county or a city is as often written bare (安吉余村, 浙江杭州).
TOWNSHIP = "乡|镇|街道"
_PLACE_LEVEL = re.compile(r"哪(?:个|一个|座)?(乡镇|镇街|街道|镇|乡)")


# "哪个县/市/区" asks for the county, city or district a place lies in, which Chinese names right
# before the place, with its unit or bare ("安吉县余村", "甲乙村"); "哪一片" for the area, of any
# of these levels or a 新区 (AREA).
AREA = "片"
COUNTY_ASKED = re.compile(rf"哪(?:个|一个)?(县|市|区)|哪一?({AREA})(?!面)")


def county_level(text: str) -> str:
    """The level of the place qualifying another that the question asks for: 县, 市, 区 or AREA; "".

    >>> county_level("甲村属于哪个县？"), county_level("甲村是哪一片的？"), county_level("甲村在哪？")
    ('县', '片', '')
    """
    m = COUNTY_ASKED.search(text)
    return (m.group(1) or m.group(2)) if m else ""


def asked_level(text: str) -> str:
    """The level of place the question names ("哪个乡镇" → 乡镇), or ""."""
    m = _PLACE_LEVEL.search(text)
    return m.group(1) if m else ""


# Kinds of body a question may name, each answered only by a name ending on a word of its group
# ("哪所大学" by 浙江大学 or 某学院, not by 党组织); the other body words (单位, 机构…) take any body.
BODY_GROUPS = ("大学|学院|学校|高校|院校|中学|小学|党校", "公司|企业|集团|合作社|银行|工厂|厂",
               "医院|卫生院|卫生室|诊所")
_BODY_ASKED = re.compile(rf"哪(?:个|家|所|一家|一个|一所)?({ORG_WORDS})|什么({ORG_WORDS})|"
                         r"(?:在|从)?哪[里儿]?(毕业)|(毕业)于哪")


GRADUATION = re.compile("毕业|就读|学历|校友")  # words telling someone's school


def body_kind(text: str) -> str | None:
    """The group of body words (BODY_GROUPS) a question asking a body names, or None.

    >>> body_kind("他是哪所高校的老师？") == BODY_GROUPS[0], body_kind("她在哪里毕业的？") == BODY_GROUPS[0]
    (True, True)
    >>> body_kind("由哪家企业投资？") == BODY_GROUPS[1], body_kind("哪个单位牵头？")
    (True, None)
    """
    m = _BODY_ASKED.search(text)
    word = next((g for g in m.groups() if g), "") if m else ""
    word = "学校" if word == "毕业" else word
    return next((group for group in BODY_GROUPS if word and re.fullmatch(group, word)), None)


def place_level(text: str) -> str | None:
    """The units a place asked for ends in, as a regular expression, when the question names one.

    >>> place_level("张家村归哪个镇管？"), place_level("哪个县？"), place_level("他翻过的是哪座山？")
    ('乡|镇|街道', None, '山')
    """
    if asked_level(text):
        return TOWNSHIP
    feature = _FEATURE_ASKED.search(text)
    return feature.group(1) if feature else None


_PRIORITY = re.compile(r"(?:放|摆|排|列|居)(?:在|到|于)?$")  # "放在第一位": first in importance


# A writer named by rank among the writers of one office or of all ("第一位局长", "第二位
#学员"): the essays in collection order, not a number any passage states.
_NTH_WRITER = re.compile(rf"第([{CN_DIGITS}\d]{{1,2}})位(?=[\u4e00-\u9fff]{{0,6}}?(?:{ROLE_WORDS}|作者|学员))")


def writer_rank(text: str) -> int:
    """n for a writer named as the n-th of an office ("第二位局长"), 0 when none is.

    >>> writer_rank("第一位局长的文章里怎么说？"), writer_rank("第三位作者"), writer_rank("放在第一位的是什么")
    (1, 3, 0)
    """
    m = _NTH_WRITER.search(text)
    return cn_number(m.group(1)) or 0 if m else 0


def stated_constraints(text: str) -> tuple[str, ...]:
    """Numbers and ordinals the question states; the answer must be about those.

    >>> stated_constraints("2023年X区的GDP是多少？"), stated_constraints("第二期培训班什么时候开班？")
    (('2023',), ('第二期',))

    A rank of priority ("把甲放在第一位") says how much something counts, not which one:
    >>> stated_constraints("他们把什么摆在第一位？")
    ()

    …and a writer named by rank names an essay, not a number a passage states:
    >>> stated_constraints("第二位局长怎么说？")
    ()
    """
    return tuple(m.group() for m in _STATED.finditer(text) if not _ITEM_ORDINAL.fullmatch(m.group())
                 and not (m.group().startswith("第") and _PRIORITY.search(text[: m.start()]))
                 and not _NTH_WRITER.match(text, m.start()))


# A value offered for confirmation ("用了快八年了吧", "是不是有两千棵", "有50亩吧"): the question
# asks for that kind of value, and the number it states is the one to check, not one the passage
# must hold.
_CLAIM_CUE = re.compile(r"(?:吧|吗|是吗|对吗|对不对|没错吧|是不是)[?？!！。\s]*$|是不是|是否")
_CLAIMED = re.compile(rf"(?P<ordinal>(?<=是)第|是[^，,。？?]{{0,12}}第)?"
                      rf"(?P<number>\d+(?:\.\d+)?|[{CN_DIGITS}]+)\s*(?:多|余)?\s*"
                      rf"(?P<unit>个月|小时|年|天|周|{AREA_UNITS}|{LENGTH_UNITS}|{WEIGHT_UNITS}|万元|亿元|元|块钱|"
                      rf"%|％|成|倍|[{COUNTERS}])")


def claimed_value(text: str) -> tuple[str, str | None, tuple[str, ...]] | None:
    """(kind, unit, numbers) of the values a question offers for confirmation, or None; the kind
    and unit are those of the last, nearest the question's end.

    >>> claimed_value("这座桥修了差不多九年了吧？"), claimed_value("果园是不是有两千棵树？")
    (('duration', None, ('九',)), ('quantity', '棵', ('两千',)))
    >>> claimed_value("那块地有50亩吧？"), claimed_value("是2019年建的吧？"), claimed_value("一共花了300万元吗？")
    (('quantity', '亩', ('50',)), ('date', None, ('2019',)), ('money', None, ('300',)))
    >>> claimed_value("拿20亩地入股，占了5%的股份，对吗？"), claimed_value("今年是这个节的第八届了吧？")
    (('quantity', '%|％', ('20', '5')), ('quantity', '第', ('八',)))
    >>> claimed_value("第三个村种了哪些果树？"), claimed_value("这三个村都通公交了吗？")
    (None, None)
    """
    if not _CLAIM_CUE.search(text):
        return None
    claims = []
    for m in _CLAIMED.finditer(text):
        number, unit = m.group("number"), m.group("unit")
        # (not an ordinal naming what is asked about, nor a number of things the question is
        # about: "第三个村…吗", "这三个村都通公交了吗"; "是第八届吧" offers an ordinal)
        if (text[max(m.start() - 1, 0) : m.start()] in tuple("第哪这那每各前后头") and not m.group("ordinal")
                or number in ("几", "一")):
            continue
        if m.group("ordinal"):
            kind, measure = "quantity", "第"
        elif unit == "年" and re.fullmatch(r"\d{4}", number):
            kind, measure = "date", None
        elif unit in ("个月", "小时", "年", "天", "周"):
            kind, measure = "duration", None
        elif unit in ("万元", "亿元", "元", "块钱"):
            kind, measure = "money", None
        else:
            kind, measure = "quantity", "%|％" if unit in "%％" else measure_unit(f"多少{unit}")
        claims.append((kind, measure, number))
    if not claims:
        return None
    kind, measure, _ = claims[-1]
    return kind, measure, tuple(number for _, _, number in claims)


_ITEM_COUNT = re.compile(rf"哪([{PLURAL_DIGITS}]+)[\u4e00-\u9fff]|"
                         rf"([{PLURAL_DIGITS}]+)[\u4e00-\u9fff]{{1,4}}?(?:分别|各自?)|"
                         rf"(?<![\d{CN_DIGITS}])([{PLURAL_DIGITS}]+)[{COUNTERS}][\u4e00-\u9fff]{{1,6}}?[,，]?"
                         rf"(?:{_LIST_ADVERBS})?(?:有|是|包括)哪(?:些|几)|"
                         rf"(?<![\d{CN_DIGITS}])([{PLURAL_DIGITS}]+)[{ITEM_COUNTERS}][^？?。]{{0,8}}?"
                         rf"(?:[,，]\s*(?:{_LIST_ADVERBS})?(?:是|有)(?:什么|哪些|啥)|逐(?:条|项|一|个)|一一)")


def item_count(text: str) -> int:
    """How many items a list question says it expects ("哪三条", "七个环节分别是什么"), else 0.

    >>> item_count("这项制度包括哪三条？"), item_count("七个环节分别是什么？"), item_count("列了哪几条？")
    (3, 7, 0)
    >>> item_count("“三务”是哪三务？"), item_count("两个村分别种什么？"), item_count("要建的五个试点村，都有哪些？")
    (3, 2, 5)
    >>> item_count("他把经验归成了五条，都是啥？"), item_count("他写了六点，能逐条说说吗？")
    (5, 6)
    """
    m = _ITEM_COUNT.search(text)
    return (cn_number(next(g for g in m.groups() if g)) or 0) if m else 0


def item_ordinal(text: str) -> int:
    """n when the question asks for the n-th item of an enumeration ("第二点讲的是什么"), else 0.

    >>> item_ordinal("其中第二点讲的是什么？"), item_ordinal("第三个方面呢？"), item_ordinal("第二期什么时候开班？")
    (2, 3, 0)
    """
    m = _ITEM_ORDINAL.search(text)
    return (cn_number(m.group(1)) or 0) if m else 0


_AUTHOR_MENTION = re.compile(rf"{ROLE_WORDS}|局|委|办|中心|政府")
_ROLE_MENTION = re.compile(ROLE_WORDS)
MAX_AUTHOR_MENTION = 8  # characters of a mention before its role word or organisation suffix
_PLURAL_BEFORE = re.compile(r"(?:几|各|两|三|四|诸|多)位$|这些$|那些$")  # "几位局长": each of them


def authors_named(text: str, authors: dict[str, frozenset[int]], roles_only: bool = False,
                  every: bool = False) -> set[int]:
    """The essays whose author the question names (`authors`: author line → its essays): for each
    role word or organisation suffix in the question, the longest stretch ending there whose
    characters occur, in order, in one author line (abbreviations included: "交通局" in
    区交通运输局局长). A stretch found in several different author lines names none.

    >>> authors = {"区交通运输局局长": {1}, "区卫生健康局局长": {2}, "村党支部书记": {3, 4}, "乡长": {5}}
    >>> authors_named("交通局打造了哪些旅游公路？", authors), authors_named("有位村书记说了什么？", authors)
    ({1}, {3, 4})
    >>> authors_named("有位局长怎么看？", authors), authors_named("乡长提到了什么？", authors)
    (set(), {5})
    >>> sorted(authors_named("几位局长怎么看？", authors)), sorted(authors_named("局长们怎么看？", authors))
    ([1, 2], [1, 2])

    A role named in the plural ("几位局长", "局长们") names every essay whose author holds it, and
    so does any role when `every` ("局长写的有几篇"):

    >>> sorted(authors_named("局长写的有几篇？", authors, every=True))
    [1, 2]

    A role named by the field it is in charge of ("管卫生的那位局长") is that field's role:

    >>> authors_named("分管交通的局长说了什么？", authors), authors_named("负责卫生健康的那位局长怎么看？", authors)
    ({1}, {2})

    …and a field's 部门 is its 局: "卫生部门说…" is the 卫生局's essay.

    >>> authors_named("卫生部门说了什么？", authors)
    {2}

    An organisation's suffix names its author only after a word of the organisation's own: the
    "中心" of "服务中心" is not the 中心 of a 发展中心主任.

    >>> line = {"区发展中心主任": {1}}
    >>> authors_named("服务中心建了几个？", line), authors_named("发展中心怎么说？", line)
    (set(), {1})
    """
    text = _DEPARTMENT.sub(r"\1局", _FIELD_OF_ROLE.sub(r"\1", text))
    found: set[int] = set()
    for m in (_ROLE_MENTION if roles_only else _AUTHOR_MENTION).finditer(text):
        # A role word alone ("乡长"), never an organisation's suffix alone (局, "中心", "政府").
        shortest = m.start() + (len(m.group(0)) >= 2 and bool(_ROLE_MENTION.fullmatch(m.group(0))))
        plural = every or bool(_PLURAL_BEFORE.search(text, 0, m.start()) or text.startswith("们", m.end()))
        for start in range(max(0, m.start() - MAX_AUTHOR_MENTION), shortest):
            stretch = text[start : m.end()]
            lines = [line for line in authors if _in_order(stretch, line)]
            if len(lines) == 1 or (plural and lines and start == m.start()):
                found.update(*(authors[line] for line in lines))
                break
    return found


# A role named by the field it is in charge of: "管卫生的那位局长" is a 卫生局长.
_FIELD_OF_ROLE = re.compile(rf"(?:分管|主管|负责|管|抓|搞)([\u4e00-\u9fff]{{2,4}}?)(?:工作)?的(?:那|这)?(?:位|个)?"
                            rf"(?=[\u4e00-\u9fff]{{0,2}}(?:{ROLE_WORDS}))")

_DEPARTMENT = re.compile(r"([\u4e00-\u9fff]{2,4}?)部门")

# A writer or essay named by what the essay says: "写“甲乙”的那位局长", "提出丙丁那篇".
_WRITER_BY_CONTENT = re.compile(r"(?:写|提出|提到|提了|讲|谈)(?:了|过|到)?(?P<clue>[^，,。？?]{2,20}?)"
                                rf"(?:的?(?:那|这)(?:位|篇)|的(?=[\u4e00-\u9fff]{{0,2}}(?:{ROLE_WORDS})))")


def writer_clue(text: str) -> tuple[int, int] | None:
    """The span of the words naming a writer or an essay by what it quotes of it, if the question
    has them: they say whose essay is asked about, not what is asked. Words quoting nothing
    ("写甲村的那篇") may be the topic too, so they are no clue.

    >>> text = "写“甲乙”的那位局长觉得丙是什么？"
    >>> span = writer_clue(text); text[slice(*span)]
    '“甲乙”'
    >>> writer_clue("那位村支书写了什么？") is None, writer_clue("写甲村的那篇怎么说甲村的路？") is None
    (True, True)
    >>> text = "乙和写“甲乙”的村支书各说了什么？"; text[slice(*writer_clue(text))]
    '“甲乙”'
    """
    m = _WRITER_BY_CONTENT.search(text)
    return m.span("clue") if m and re.search(r"[“《\"][^”》\"]+[”》\"]", m.group("clue")) else None


# A writer described by a clause before the role: "种甲果的那位支书", "管养老的这位局长".
_DESCRIBED_WRITER = re.compile(rf"(?P<clause>[^，,。？?“”]{{2,12}}?)的(?:那|这)位"
                               rf"[\u4e00-\u9fff]{{0,4}}?(?:{ROLE_WORDS})|"
                               rf"(?:那|这)位(?P<after>[^，,。？?“”的]{{2,12}})的[\u4e00-\u9fff]{{0,4}}?(?:{ROLE_WORDS})")


def writer_description(text: str) -> str:
    """The clause describing the writer a question names by role ("种甲果的那位支书", "那位种甲果的
    支书" → 种甲果), or "".

    >>> writer_description("种甲果的这位支书怎么说？"), writer_description("那位局长怎么说？")
    ('种甲果', '')
    >>> writer_description("那位种甲果的支书怎么说？")
    '种甲果'
    """
    span = writer_description_span(text)
    return text[slice(*span)] if span else ""


def writer_description_span(text: str) -> tuple[int, int] | None:
    """The span of the clause describing a writer named by role (`writer_description`), or None."""
    m = _DESCRIBED_WRITER.search(text)
    return (m.span("clause") if m.group("clause") else m.span("after")) if m else None


# An essay named by its place in the collection: "第二篇", "最后一篇", "倒数第二篇" (not 篇章).
# "最后那位支书": the writer of the last essay.
_ESSAY_AT = re.compile(rf"(倒数)?第([{CN_DIGITS}\d]{{1,3}})篇(?!章)|(?:最后|最末|末尾)(?:的|那)?一?篇(?!章)|"
                       rf"(?:最后|最末)(?:的|那)?一?位(?=[\u4e00-\u9fff]{{0,2}}(?:{ROLE_WORDS}|作者|学员))")


def essays_at_position(text: str, numbers: list[int]) -> set[int]:
    """The essays a question names by their place in the collection (`numbers`: the essays'
    numbers in collection order).

    >>> essays_at_position("第二篇里那位村支书怎么说？", [1, 2, 3]), essays_at_position("最后一篇讲了啥？", [1, 2, 3])
    ({2}, {3})
    >>> essays_at_position("倒数第二篇的作者是谁？", [1, 2, 3]), essays_at_position("第五篇章", [1, 2, 3])
    ({2}, set())
    >>> essays_at_position("最后那位支书说了啥？", [1, 2, 3]), essays_at_position("最后一位皇帝是谁？", [1, 2, 3])
    ({3}, set())
    """
    found: set[int] = set()
    for m in _ESSAY_AT.finditer(text):
        n = 1 if m.group(2) is None else cn_number(m.group(2))  # "最后一篇": the first from the end
        if n and n <= len(numbers):
            found.add(numbers[-n] if m.group(1) or m.group(2) is None else numbers[n - 1])
    return found


# The words right before "那篇" / "一文", which may recall the essay's title: "甲乙丙丁在“戊”那篇".
_BEFORE_ESSAY = re.compile(r"([^，,。？?！!；;]{4,24}?)的?(?:[那这]一?篇|一文)")


def title_recalled(text: str, titles: dict[int, str]) -> set[int]:
    """The essay (number → title in `titles`) whose title the words before "那篇" or "一文" recall:
    their longest ending that occurs, in order, in one title only and shares four characters in
    a row with it (a title half-remembered, not two words that happen to occur in it).

    >>> titles = {1: "甲乙丙丁在“戊”甲乙丙丁在“己”", 2: "庚辛壬癸心得", 3: "子丑寅卯心得"}
    >>> title_recalled("甲乙丙丁在“己”那篇说了什么？", titles), title_recalled("说心得那篇里的村", titles)
    ({1}, set())
    """
    for m in _BEFORE_ESSAY.finditer(text):
        words = m.group(1)
        for start in range(len(words) - 3):
            stretch = words[start:]
            found = {n for n, title in titles.items() if _in_order(stretch, title)
                     and any(stretch[i : i + 4] in title for i in range(len(stretch) - 3))}
            if found:
                return found if len(found) == 1 else set()
    return set()


def _in_order(chars: str, text: str) -> bool:
    """Whether the characters of `chars` occur in `text` in this order (not necessarily together)."""
    rest = iter(text)
    return all(c in rest for c in chars)


def mentioned(text: str, names) -> list[str]:
    """The names `text` mentions, in order, without names inside a longer one found.

    >>> mentioned("张家村的红色驿站", ["张家", "张家村", "红色驿站", "李村"])
    ['张家村', '红色驿站']
    """
    found: list[str] = []
    for name in sorted(set(names), key=len, reverse=True):
        if name and name in text and not any(name in longer for longer in found):
            found.append(name)
    return sorted(found, key=text.find)


def attribute_of(text: str, focus: tuple[str, ...]) -> str:
    """What the question asks of its last focus name: the words between it and the question word.

    >>> attribute_of("青石村现任村委会主任叫什么名字？", ("青石村",))
    '村委会主任'
    >>> attribute_of("白沙村的茶园面积有多大", ("白沙村",))
    '茶园面积'

    The attribute ends at a clause break: what follows starts another clause.

    >>> attribute_of("白沙村的村主任，叫什么名字？", ("白沙村",))
    '村主任'

    …but a clause between them is the question's own: the focus's clause only sets the scene.

    >>> attribute_of("王老师的观点：办好学校，谁是关键？", ("王老师",))
    ''

    A demonstrative before it only points: "白沙村那位王书记是哪里人" asks of 王书记.

    >>> attribute_of("白沙村那位王书记是哪里人？", ("白沙村",))
    '王书记'
    """
    if not focus:
        return ""
    last = max(focus, key=lambda n: text.rfind(n))
    rest = text[text.rfind(last) + len(last):]
    m = _INTERROGATIVE.search(rest)
    rest = rest[: m.start()] if m else rest
    clauses = _CLAUSE_BREAK.split(rest.lstrip(" ,，、；;：:"))
    if m and any(c.strip() for c in clauses[1:-1]):
        return ""
    rest = clauses[0]
    rest = re.sub(r"(?:是|有|叫|的|在|由|能|要|共|一共|总共|大概|大约|到底|究竟|占地|位于|名字|姓名|名称)+$", "", rest)
    rest = _ATTRIBUTE_PREFIX.sub("", rest.strip(" ,，、“”\"‘’《》?？"))
    rest = rest.strip(" ,，、")
    return rest if 1 <= len(rest) <= 16 else ""


_PART_ASKED = re.compile(r"的(?P<part>[\u4e00-\u9fff]{1,4}?)(?:可以|能)?(?:是|有|呈|(?:概括|归纳|总结)[为成])"
                         r"(?:什么|怎样|怎么样|哪些|何|多)")


# Verbs naming what a person does to use a service: a text telling how states the verb itself
# ("注册时需…", "申请须提交…"), where a process of the world is told in other verbs than the
# question's ("怎么成立的" of "合置三门县").
PROCEDURE_VERBS = ("申请", "办理", "注册", "登录", "登记", "下载", "安装", "报名", "预约", "购买", "买票", "购票",
                   "订票", "缴费", "交费", "充值", "开通", "绑定", "挂号", "领取", "兑换", "报销", "补办", "投诉",
                   "举报", "咨询", "查询")  # not 使用, 参加, 加入: ways of taking part as much as procedures
_HOW = re.compile(r"(?:怎么|怎样|如何)(?!样)(?P<act>[^，,。？?！!；;]+)")


def procedure_asked(text: str) -> tuple[str, str]:
    """(what a "how do I …" question asks to do, its procedure verb), when it is a procedure of
    using a service (one of PROCEDURE_VERBS after 怎么/怎样/如何, the first one its verb); else
    ("", "").

    >>> procedure_asked("甲乙平台如何登录账户？"), procedure_asked("要怎样报名入学？")
    (('登录账户', '登录'), ('报名入学', '报名'))
    >>> procedure_asked("甲县是怎么成立的？"), procedure_asked("怎么样？")
    (('', ''), ('', ''))
    """
    m = _HOW.search(text)
    act = m.group("act").rstrip("的呢吗了") if m else ""
    found = [(act.find(verb), verb) for verb in PROCEDURE_VERBS if verb in act]
    return (act, min(found)[1]) if found else ("", "")


def part_asked(text: str) -> str:
    """The noun after 的 whose property the question asks: what a sentence answering it is about.

    >>> part_asked("青石木的叶子有什么特点？"), part_asked("这种鱼的身体是什么颜色的？"), part_asked("它怎么样？")
    ('叶子', '身体', '')
    >>> part_asked("这项工程的主要特色能归纳为什么？")
    '主要特色'
    """
    m = _PART_ASKED.search(text)
    return m.group("part") if m else ""


def is_follow_up(text: str, content_words: list[str], names_found: list[str], known=None) -> bool:
    """Whether the question leans on the conversation: anaphoric, elliptical ("…呢"), or with no
    content word of its own, or only a short one the corpus uses (`known`: word → whether it
    does; "具体怎么做的" continues, "怎么减肥" does not). A self-contained question starts a new topic.

    >>> is_follow_up("它是怎么分红的？", ["分红"], [])
    True
    >>> is_follow_up("量子计算机的原理是什么？", ["量子", "计算机", "原理"], [])
    False
    >>> is_follow_up("余村呢？", ["余村"], ["余村"]), is_follow_up("具体怎么做的？", ["做"], [])
    (True, True)
    >>> is_follow_up("怎么减肥？", ["减肥"], [], known={"做"}.__contains__)
    False
    """
    if ANAPHORA.search(text) or _TRAILING_NE.match(text) or (CONTINUATION.search(text) and not names_found):
        return True
    own = own_words(content_words)
    return not own or (not names_found and len("".join(own)) <= 2 and (known is None or any(map(known, own))))


# Words saying when, where (方位) or how, or doing grammar's work, name no topic: jieba's tags.
_TOPICLESS_TAGS = frozenset("dtfpmqrcux")


def topic_words(content_words: list[str], tagged) -> list[str]:
    """The own words (`own_words`) saying what a question is about: of two characters or more (a
    single one is mostly a light verb: 背、搞、来), and not those jieba tags (in `tagged`, its
    (word, flag) pairs for the question) as time, position, adverb or function words.

    >>> topic_words(["早先", "背", "负债"], [("早先", "d"), ("背", "v"), ("负债", "n"), ("多少", "m")])
    ['负债']
    """
    tags = dict(tagged)
    return [w for w in own_words(content_words) if len(w) >= 2 and tags.get(w, "n")[0] not in _TOPICLESS_TAGS]


def own_words(content_words: list[str]) -> list[str]:
    """The words of a question saying what it asks about: neither stopwords nor interrogatives.

    >>> own_words(["他", "什么"]), own_words(["他", "用权", "要求"])
    ([], ['用权', '要求'])
    """
    return [w for w in content_words if w not in STOPWORDS and not _INTERROGATIVE.fullmatch(w)]


_TOPIC_FRAME = re.compile(r"^(?:那么?|还有|另外|至于)|(?:方面|这块|这一块|那块|领域|的情况|情况|工作|上)$")


# A topic set before the question ("说到甲，…", "关于甲这方面，…"): what the question is about.
_FRONTED_TOPIC = re.compile(r"^(?:说到|谈到|讲到|提到|说起|关于|对于|至于|针对)“?(?P<topic>[^，,。？?“”]{2,12}?)”?"
                            r"(?:这件事|这个问题|问题|方面|这方面|这块|这一块|的话)?[，,]")


def fronted_topic(text: str) -> str:
    """The topic a question sets before it asks: "说到甲乙，…" → 甲乙; "" when it sets none.

    >>> fronted_topic("说到甲乙，几篇文章都怎么看？"), fronted_topic("关于“丙丁”这方面，有哪些说法？")
    ('甲乙', '丙丁')
    >>> fronted_topic("甲乙是什么？")
    ''
    """
    m = _FRONTED_TOPIC.match(text)
    return m.group("topic") if m else ""


# "那甲乙服务要在哪里…": a follow-up opening on 那 and a subject of its own, then a modal or
# a verb of the question; not a pronoun or a demonstrative's measure word ("那个村", "那他").
_SUBJECT_AFTER_THAT = re.compile(r"^那么?(?![个位些里边时样儿种次他她它你我这])(?P<subject>[\u4e00-\u9fff]{2,10}?)"
                                 r"(?=要|该|应|能|会|得|需|还|又|都|也|是|有|在|怎么|如何|为什么|为何|靠|打算|准备|可以)")


def subject_after_that(text: str) -> str:
    """The subject a follow-up opening on 那 turns the conversation to: "那甲乙服务要在哪几个村
    开展" → 甲乙服务; "" for "那他…", "那个村…", or no subject before its verb.

    >>> subject_after_that("那甲乙服务要在哪几个村开展？"), subject_after_that("那他后来又怎么做？")
    ('甲乙服务', '')
    >>> subject_after_that("那个村有多少户？"), subject_after_that("那丙丁队伍该建成什么样？")
    ('', '丙丁队伍')
    """
    m = _SUBJECT_AFTER_THAT.match(text)
    return m.group("subject") if m else ""


def topic_asked(text: str) -> str:
    """The topic of a bare "X呢？" naming no corpus name: "殡葬方面呢" → 殡葬; "" otherwise.

    >>> topic_asked("资金方面呢？"), topic_asked("那养老这块呢？"), topic_asked("呢？"), topic_asked("那些旧厂房呢？")
    ('资金', '养老', '', '旧厂房')
    """
    m = _TRAILING_NE.match(text)
    topic = _TOPIC_FRAME.sub("", _TOPIC_FRAME.sub("", m.group(1))) if m else ""
    return topic if len(topic) >= 2 else ""


def resolve_follow_up(text: str, history: list[str], names,
                      places=frozenset()) -> tuple[str, tuple[str, ...]]:
    """(query, focus inherited) for a follow-up: the last earlier question that named a corpus
    name gives the topic; "X呢？" asks that earlier question again about X; "他们村…" names the one
    village (town) of `places` the earlier question was about in its place.

    >>> resolve_follow_up("余村呢？", ["五四村是如何筹集资金的？"], ["五四村", "余村"])
    ('余村是如何筹集资金的?', ())
    >>> resolve_follow_up("它是怎么分红的？", ["五四村是如何筹集资金的？"], ["五四村"])
    ('五四村是如何筹集资金的? 它是怎么分红的？', ('五四村',))
    >>> resolve_follow_up("这个村有几家民宿？", ["甲村的书记是谁？"], ["甲村"], {"甲村"})
    ('甲村有几家民宿？', ('甲村',))
    >>> resolve_follow_up("这个村有几家民宿？", ["和美乡村怎么建？"], ["和美乡村"], {"甲村"})[0]
    '和美乡村怎么建? 这个村有几家民宿？'
    >>> resolve_follow_up("乙呢？", ["甲村靠什么致富？", "旧棚改成什么了？"], ["甲村"])[0]
    '甲村靠什么致富? 旧棚改成什么了? 乙呢？'
    """
    last = normalize(history[-1])
    earlier = next((normalize(h) for h in reversed(history) if mentioned(normalize(h), names)), last)
    if earlier != last:
        # "甲村靠什么致富？", "乙棚后来改成什么了？", "丙呢？": the last question, still about 甲村.
        earlier = f"{earlier} {last}"
    earlier_focus = tuple(mentioned(earlier, names))
    bare = _TRAILING_NE.match(text)
    own = mentioned(text, names)
    if bare and own and earlier_focus:
        # "余村呢？": the same question about another name.
        query = earlier
        for old, new in zip(earlier_focus, own, strict=False):
            query = query.replace(old, new)
        return query, ()
    anaphor = _PLACE_ANAPHOR.search(text)
    pointed = [n for n in earlier_focus if anaphor and n in places and n.endswith(anaphor.group("unit"))]
    if len(pointed) == 1:
        # "他们村还办过什么节庆？" after a question about 甲村: 甲村还办过什么节庆 — the village named,
        # not the earlier question's other words, which asked something else.
        return text[: anaphor.start()] + pointed[0] + text[anaphor.end():], earlier_focus
    return f"{earlier} {text}", earlier_focus


# A village, town or township pointed back to: "他们村", "该村", "这个镇" (not 村民, 村里: of it).
_PLACE_ANAPHOR = re.compile(r"(?:他们|她们|该|这个|那个)(?P<unit>村|镇|乡)(?![民里委干集])")


_ASKED_HOW_MANY = re.compile(rf"(?:几|多少|哪些|哪几)[{COUNTERS}]?")


def earlier_items(earlier: str) -> tuple[str, str] | None:
    """(kind, noun) of the things an earlier question asked about by number or by list
    ("打造几个示范村" → place, 示范村), or None.

    >>> earlier_items("今年要打造几个示范村？"), earlier_items("他讲了什么？"), earlier_items("那3个样板村都有哪些？")
    (('place', '示范村'), None, ('place', '样板村'))
    """
    earlier = normalize(earlier)
    m = _ASKED_HOW_MANY.search(earlier)
    noun = leading_nouns(earlier[m.end():]) if m else ""
    # (or the things it asked for by list: "3个样板村都有哪些")
    found = list_item_kind(f"哪些{noun}") if noun else list_item_kind(earlier)
    return found if found[0] else None


def parse(question: str, history: list[str] | tuple[str, ...] = (), names=(), tokenize=None,
          common=frozenset(), places=frozenset(), continued: bool = False, known=None) -> Question:
    """The question read once. `names`: corpus names to look for; `tokenize`: text → content words
    (the BM25 tokenizer); `common`: names so frequent across the corpus that they mark no focus
    (the corpus's own subject, such as 千万工程); `places`: the names that are places (a follow-up's
    "这个村" names one of them); `continued`: read it as a follow-up whatever its words (the
    conversation's topic is what an elliptical question off the corpus alone is about); `known`:
    word → whether the corpus uses it (see `is_follow_up`).

    >>> q = parse("五四村的村支书名字是什么？", names=["五四村"])
    >>> q.focus, q.expected, q.attribute
    (('五四村',), 'person', '村支书')
    >>> parse("那人才这块,他打算怎么做？", ["五四村筹了多少钱？"], names=["五四村"]).focus
    ()

    A follow-up's attribute is what it asks of the thing its 它 (这个村…) stands for:

    >>> parse("那它的带头人是谁？", ["甲村靠什么致富？"], names=["甲村"]).attribute
    '带头人'
    """
    asked = normalize(question)
    text = standard_interrogatives(asked)
    history = [normalize(h) for h in history if isinstance(h, str) and h.strip()]
    words = tokenize(text) if tokenize else re.findall(r"[\u4e00-\u9fff]{2,}|[A-Za-z0-9]+", text)
    # Names in the words saying whose essay it is ("写“甲乙”的那位…") are not what is asked about.
    span = writer_clue(text)
    clue = text[slice(*span)] if span else ""
    # …nor names in the clause describing a writer ("去过甲村的那位支书") unless said again.
    described = writer_description_span(text)
    own = mentioned(text[: span[0]] + text[span[1]:] if span else text, names)
    rest = text[: described[0]] + text[described[1]:] if described else text
    describing = {n for n in own if described and n in text[slice(*described)] and n not in rest}
    follow_up = bool(history) and (continued or is_follow_up(text, words, own, known))
    # Retrieval reads the question as asked, less the words naming the writer.
    query, inherited = (asked.replace(clue, "", 1) if clue and clue in asked else asked, ())
    if follow_up:
        query, inherited = resolve_follow_up(asked, history, names, places)
        if not clue and (carried := writer_clue(query)):
            # "这个村还有什么家底？" after "写“甲乙”的这位组长…": still that writer's essay,
            # and still not about 甲乙.
            clue = query[slice(*carried)]
            query = query[: carried[0]] + query[carried[1]:]
            inherited = tuple(n for n in inherited if n not in clue)
    if _OPENING_TOPIC.match(text):
        inherited = ()
    focus = tuple(n for n in own if n not in common and n not in describing) or tuple(
        n for n in inherited if n not in common)
    # "X呢？" asks the earlier question again, about X: its kind of answer is the earlier one's.
    asks_again = follow_up and bool(_TRAILING_NE.match(text)) and not expected_answer(text)
    # (the last question, not the topic's: "甲村有哪些业态？", "旧棚改成什么了？", "乙呢？"), unless
    # what it names is itself a measure: "那段路的长度呢？" asks how long, whatever came before.
    measure = _MEASURE_ASKED_AGAIN.search(text) if asks_again else None
    kind_source = (f"{measure.group(1)}是多少" if measure else
                   standard_interrogatives(query if own else normalize(history[-1])) if asks_again else text)
    expected = expected_answer(kind_source)
    claim = claimed_value(kind_source) if expected in ("", "yesno") else None
    item_kind, item_noun = list_item_kind(kind_source) if expected == "list" else ("", "")
    if expected == "list" and follow_up and not item_kind and history:
        # "那以甲为主的有哪几个？" after "要打造几个示范村": the things the earlier question counted.
        item_kind, item_noun = earlier_items(history[-1]) or (item_kind, item_noun)
    unit = (measure_unit(kind_source) if expected == "quantity" else
            place_level(kind_source) if expected == "place" else
            body_kind(kind_source) if expected == "organisation" else None)
    constraints = stated_constraints(text)
    if claim:
        # "有50亩吧": answered by the amount the essays give, whether or not it is 50.
        expected, unit = claim[0], claim[1]
        constraints = tuple(c for c in constraints if not any(number in c for number in claim[2]))
    return Question(
        text=text, query=query, focus=focus, expected=expected, unit=unit,
        counted=counted_noun(kind_source) if expected == "quantity" else "",
        topic=topic_asked(text) if asks_again and not own else "",
        named=named_noun(kind_source),
        attribute=attribute_of(text, tuple(own)) or (attribute_of(text, (pointer.group(),)) if follow_up and not own
                                                       and (pointer := _POINTER.search(text)) else ""),
        constraints=constraints, claimed=claim[2] if claim else (),
        follow_up=follow_up, excluded=left_out(text),
        item_kind=item_kind, item_noun=item_noun,
        # ("把甲比作什么？" then "那乙呢？": what 乙 is, said of 乙 itself)
        term=(defined_term(text) or (topic_asked(text) if asks_again and not own else ""))
        if expected == "definition" else "",
        value_kind=survey_value_kind(text) if expected == "survey" else "",
        asker_time=m.group(0) if (m := ASKER_TIME.search(text)) else "",
        item=item_ordinal(text),
        count=item_count(text) if expected == "list" else 0,
        part=part_asked(text),
        asked=asked if asked != text else "",
        clue=clue,
        asks_again=asks_again,
        essay_part=essay_part(text),
    )
