"""Compose an extractive answer from retrieved passages, by the kind of answer expected, or refuse.

The answer is copied from the passages, never rewritten: whole sentences, or, when a sentence is
longer than the budget, the run of its clauses around the value asked for (marked "…"). A
sentence's score is its cosine to the question, plus the IDF-weighted share of the question's
words it contains, plus a prior for the rank of its passage, plus PART_BONUS when it opens on the
part the question asks about ("X的叶子有什么特点": "叶为披针形…"). The parsed question
(rag/question.py) decides the rest:
- focus: every quoted sentence comes from a passage naming each focus name (or an alias); items
  of a list count as naming it when the lead-in's passage does;
- values (person, place, organisation, date, duration, money, quantity in a unit): the best
  sentence stating a value of that kind (rag/evidence.py), within TYPE_MARGIN of the best
  sentence; ≤ VALUE_BUDGET characters;
- lists: the whole enumeration the best enumeration sentence belongs to — a lead-in followed
  past its colon into its items, an item with its siblings, a sentence listing three or more
  things — one item per line; ≤ LIST_BUDGET characters;
- surveys ("几位学员…都谈了什么"): one glimpse per essay; methods and reasons: up to MAX_RUN
  consecutive sentences, ≤ LIST_BUDGET characters, a reason from the sentence stating a cause
  (由于…, 为了…, …因此…) within CAUSE_MARGIN of the best, a name's origin from the sentence
  saying it (得名, 命名…); anything else: the best sentence and a close second.
An answer never ends on a colon: an open answer whose last sentence announces a list gets it.

Refusals say why:
- a value asked of something named (a focus, or a role's holder), a count in a stated unit,
  a township ("哪个镇") or a sum of money that no sentence of the passages states:
  "资料提到了五四村，但没有写其村支书的姓名。";
- no retrieved passage names every focus name;
- the question names nothing of the corpus, continues no conversation, no sentence comes
  close in meaning (OFF_TOPIC_SIMILARITY, chosen on the dev split; a survey is judged without
  the words naming the essays' writers, "几位学员…") and no passage holds most of its words
  (ON_TOPIC_COVERAGE of their IDF mass: "核心保护区有多大" is elliptical, not off-topic);
- the question counts time from the asker's own day ("后天", "今晚") and the corpus never uses
  that word: written essays cannot say what happens then;
- a number or an ordinal the question states ("2023年", "第二期") is in none of the passages;
- a list of a stated length ("哪三条", "七个环节分别是什么", three or more) of something named
  that no enumeration of that length in the passages gives;
- a method, reason or definition asked of a programme or practice the passages name only as one
  item of a list ("建图书室和爱心驿站等方式"): "资料只在列举中提到了爱心驿站，没有写其做法。".
The nearest passages then go to `related`, labelled as possibly related.
Leaves out: reading the question (question.py), sentence access and clause windows
(passages.py), enumerations (lists.py), retrieval, and LLM answers (llm.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from typing import Callable

import numpy as np

from rag.evidence import (
    TITLE_MARKS,
    abbreviation,
    counted_term_spans,
    counts_of,
    expansion,
    in_date_range,
    is_lead_in,
    listed_at,
    names_place,
    role_phrase,
    value_spans,
)
from rag.lexicon import frequent
from rag.lists import LIST_BUDGET, LIST_MARGIN, TYPE_MARGIN, VALUE_BUDGET, Enumerations
from rag.passages import Piece, clause_spans, is_heading_like, opens_on, strip_words
from rag.places import ADMIN_SUFFIXES, PLACE_SUFFIXES, unknown_places
from rag.question import (
    ALIAS_WORDS,
    AREA,
    BUILT,
    CHANGE_ASKED,
    DAY_ASKED,
    DOER_ASKED,
    GRADUATION,
    IDENTITY_ASKED,
    INTERROGATIVE_WORD,
    LOCATION_ASKED,
    NAME_ORIGIN_ASKED,
    NAMES_ASKED,
    OCCUPATION_ASKED,
    OTHER_NAMES_ASKED,
    QUOTE_ASKED,
    ROLE_WORDS,
    SURVEY_SUBJECT,
    TITLE_ASKED,
    VALUE_KINDS,
    YEAR_ASKED,
    Question,
    asked_level,
    county_level,
    event_told,
    procedure_asked,
    stated,
    stated_alone,
)
from rag.schema import Answer, Citation, Hit
from rag.store import Index
from rag.text import QUOTED, SENTENCE_END, Tokenizer

ANSWER_PASSAGES = 5  # passages an answer may quote from
SURVEY_PASSAGES = 8
# Kinds of value a survey reads in every essay ("各篇说的培训日期"): the passages retrieved for the
# question come from a few essays only, so each other essay's best passage stating one follows them
# (rag.assistant), up to SURVEY_PASSAGES more.
SURVEYED_AMOUNTS = ("date", "duration", "frequency", "money", "quantity")
MAX_SENTENCES = 2
MAX_SURVEY_SENTENCES = 4
MAX_PARAGRAPHS = 8  # an essay of more paragraphs than this has no outline in its paragraphs' openings
MAX_RUN = 3  # consecutive sentences for a method or a reason
SCORE_MARGIN = 0.05  # a second sentence must score within this of the best
CAUSE_MARGIN = 0.1  # a reason's sentence stating a cause may score this much lower (CMRC trial, eval/NOTES.md)
# Kinds of value a sentence may leave to its paragraph's topic, and how many sentences back it is looked for.
TOPIC_CHAINED = frozenset({"place", "person", "organisation"})
TOPIC_REACH = 2
SHORT_SENTENCE = 60  # characters; a best sentence shorter than this brings the next one along
SURVEY_MARGIN = 0.15
SURVEY_GLIMPSE = 60  # characters at least of each essay's sentence in a survey answer
OVERLAP_WEIGHT = 0.3
RANK_PRIOR = 0.1  # added as RANK_PRIOR / rank of the passage
PART_BONUS = 0.1  # added to a sentence opening on the part asked about (CMRC trial, eval/NOTES.md)
TITLE_NAME_CHARS = 12  # a document title longer than this is a headline, not a name
TITLE_QUALIFIER = re.compile(r"\s*[（(][^）)]*[）)]\s*$")  # "格斗天王 (电视剧)": which 格斗天王
OFF_TOPIC_SIMILARITY = 0.73  # chosen on the dev split; see eval/NOTES.md
ON_TOPIC_COVERAGE = 0.5  # …unless one passage holds this share of its IDF mass (dev, CMRC trial)
MIN_TOPIC_CHARS = 4  # a survey without its writers' words must keep this much to be judged again
NOT_FOUND = "资料中未找到关于“{topic}”的内容。"
OFF_TOPIC = "问题与资料内容不相关"  # the refusal reason of a question off the corpus's topic
# A question asking what questions someone raised or kept asking: "想着哪几个问题", "提出了什么问题".
QUESTIONS_ASKED = re.compile(r"(?:哪|几|什么|啥)[^，,。？?]{0,3}(?:问题|疑问)")
# A sentence pointing back to the questions just asked: "这些问题一直萦绕…", "以上问题…".
POINTS_TO_QUESTIONS = re.compile(r"^(?:这些|这几个|这三个|这两个|以上|上述)(?:问题|疑问)")
ROLE_SYNONYMS = {"支书": "书记", "村长": "主任", "一把手": "书记"}
ROLE = re.compile(ROLE_WORDS)
WHICH_PERSON = re.compile("哪一?位")
GROUPED = re.compile(r"这些|这几|这两|等")  # items named, then taken as a group
_CONSEQUENCE_WORDS = "因此|所以|因而|故而|于是|由此|从而"
CONSEQUENCE = re.compile(rf"(?:{_CONSEQUENCE_WORDS}|正因如此|也因此|故)")
# Words by which a sentence gives other names of its subject ("又名甲、乙", "俗称甲", "被称为甲").
NAMING = re.compile(rf"{ALIAS_WORDS}|称为|称作|叫做|叫作|誉为")
# Words quoted as said: after a verb of saying ("指出“…”", "正所谓“…”") or before "的话", "这句话".
QUOTED_SPEECH = re.compile(r"(?:指出|说过?|讲过?|讲到|谈到|所谓|强调|常说|有句话|俗话|引用|写道|告诉我们)"
                           r"[^，,。“”]{0,3}[：:,，]?\s*[“「\"]|[”」]\s*[^，,。“”]{0,10}(?:的话|这句话|这番话)|"
                           r"^\s*[“「][^“”「」]{4,60}[”」][。！!]?\s*$")  # (a saying quoted on its own)
# A verb of change with its result (成/为): "将废弃的矿山改造为观光区", "由…变成…"; not a noun
# beginning with 成 ("建设成果", "发展成效").
CHANGE_STATED = re.compile(r"(?:改造|改建|改|变|转变|转化|转型|打造|建设|建|发展|升级|蜕变)"
                           r"(?:成|为)(?![果效功熟本员立长绩就])|"
                           r"(?:从前|以前|过去|原来)[^。；;]{0,20}(?:现在|如今)")  # "从前是…现在是…"
# What a question asks to be said, and the words of a sentence saying it: words quoted as said,
# a title, a change with its result.
SAID_AS_ASKED = ((QUOTE_ASKED, QUOTED_SPEECH), (TITLE_ASKED, TITLE_MARKS), (CHANGE_ASKED, CHANGE_STATED))
# Nouns after 什么 that stand for a question word ("什么时候": when, "什么地方": where) or are too
# general to be named by a kind of them ("从事何种工作" is answered by "当工人").
_GENERAL_NOUNS = r"时候|时间|地方|意思|样子|东西|原因|缘故|工作|事情|内容|方面"
# Nouns for a name given to something: "什么称号" is answered by the quoted name it was given.
NAME_NOUNS = r"名号|称号|名头|头衔|雅号|别号|招牌|名片|定位|口号"
POINTED_SENTENCES = 2  # a term quoted from this many sentences or fewer points at them (eval/NOTES.md)
# Words by which a sentence says where something lies.
LOCATED = re.compile(r"位于|坐落|座落|地处|地理位置")
# Words by which a sentence says where a name comes from.
NAME_ORIGIN = re.compile(r"得名|命名|取名|赐名|起名|名字来源|名称来源|由来|故称|故名|因而称|因此称|称之为|被称为|名为")
QUOTED_TERM = re.compile(r"[“\"]([^“”\"]{2,6})[”\"]")  # a term the question quotes
MAX_QUOTED_PHRASE = 20  # characters of a coined phrase in quotes; longer quotes are sayings
# A sentence whose subject is the writer or the writer's unit, after at most a short opener ("下一步,").
WRITER_TURN = re.compile(r"^[^，,。]{0,6}[，,]?(?:我们|我[区乡镇村县市局])")
# Words by which a sentence judges what something is or rests on ("…的实质就是…", "基础在于…").
JUDGEMENT = re.compile(r"就是|实质|本质|核心|关键|根本|前提|基础|在于")
# Words by which a sentence states a cause or a purpose (a lone 故 is left out: 故事, 故乡), or
# why something matters ("事关…", "关乎…": the reason it is stressed), or what it hinges on
# ("成功的关键在于…", "根源在于…").
CAUSE = re.compile(rf"因为|由于|为了|之所以|原因|导致|致使|以致|以便|以免|鉴于|出于|事关|关乎|攸关|关系到|关系着|"
                   rf"(?:关键|根源|根本|秘诀|诀窍|奥秘)就?在于|{_CONSEQUENCE_WORDS}")


def _inserted_kind(noun: str) -> str:
    """A pattern for a modified noun of four characters or more with a kind word between its
    modifier and its two-character head ("传统产业" → "传统板材产业"; Chinese compounds end on
    their head), or one matching nothing for a shorter noun.

    >>> bool(re.search(_inserted_kind("传统产业"), "结合传统板材产业优势")), _inserted_kind("产业")
    (True, '(?!)')
    """
    if len(noun) < 4:
        return "(?!)"
    return rf"{re.escape(noun[:-2])}[^\W的之]{{1,4}}{re.escape(noun[-2:])}"


def with_marker(sentence: str, n: int) -> str:
    """Put [n] before the sentence's closing punctuation; a clause ending in a semicolon
    closes with a full stop instead, since the answer quotes it on its own.

    >>> with_marker("一举数得。", 2), with_marker("誉为“实事”。", 1), with_marker("无标点", 3)
    ('一举数得[2]。', '誉为“实事”[1]。', '无标点[3]')
    >>> with_marker("过上了现代化生活;", 1)
    '过上了现代化生活[1]。'
    """
    body = sentence.rstrip()
    if body.endswith((";", "；")):
        body = body[:-1] + "。"
    tail = len(body)
    while tail > 0 and body[tail - 1] in SENTENCE_END:
        tail -= 1
    return f"{body[:tail]}[{n}]{body[tail:]}"


def refusal(question: str, hits: list[Hit], reason: str, text: str = "") -> Answer:
    """A refusal saying what is missing; `text` replaces the generic "资料中未找到…" sentence."""
    topic = question.rstrip("?？!！。 ")
    return Answer(question, text or NOT_FOUND.format(topic=topic), False, [], hits, reason=reason)




class Composer(Enumerations):
    """Scores the sentences inside passages against a parsed question and writes the answer."""

    def __init__(self, index: Index, tokenizer: Tokenizer, idf: Callable[[str], float],
                 encode: Callable[[str], np.ndarray] | None = None,
                 coverage: Callable[[list[str]], float] | None = None) -> None:
        super().__init__(index, tokenizer)
        self.idf = idf
        self.encode = encode
        self.coverage = coverage  # the share of a question's IDF mass its best BM25 passage holds
        self._said: dict[str, bool] = {}
        self._used: dict[str, int] = {}  # words → how many sentences use them
        self._around: dict[str, str] = {}

    def only_listed(self, name: str, spellings: set[str], hits: list[Hit]) -> bool:
        """Whether a programme or practice (not a place or a person) is named in the passages only
        as an item of in-sentence lists ("建图书室和爱心驿站等方式"), never described."""
        if name in self.tokenizer.people or name.endswith(tuple(PLACE_SUFFIXES)) or name in self.place_names:
            return False
        found = [listed_at(hit.chunk.text, m.start(), m.end()) for hit in hits for spelling in spellings
                 for m in re.finditer(re.escape(spelling), hit.chunk.text)]
        return bool(found) and all(found)

    @cached_property
    def place_names(self) -> set[str]:
        """Every spelling of the gazetteer's places."""
        return {s for n in self.index.names.of_kind("place") for s in (n.name, *n.aliases)}

    def is_place(self, name: str) -> bool:
        """A place of the gazetteer, or a village's name the dictionary holds: two or three
        characters and 村 (南呈村, named once: too rare for the gazetteer, a village all the same;
        not a longer coinage ending alike, “…第一村”)."""
        return name in self.place_names or (3 <= len(name) <= 4 and name.endswith("村") and names_place(name)
                                            and name in self.dictionary_words)

    @cached_property
    def subject_titles(self) -> frozenset[str]:
        """The documents' titles that their own text uses ("魏玩", "格斗天王 (电视剧)" → 格斗天王):
        each names what its document is about, as an article of an encyclopedia is titled. An
        essay's headline is not repeated in its body, so a collection of essays has none."""
        titles = set()
        for essay, body in zip(self.index.essays, self.index.essay_texts, strict=True):
            name = TITLE_QUALIFIER.sub("", essay.title).strip()
            if 2 <= len(name) <= TITLE_NAME_CHARS and name in body:
                titles.add(name)
        return frozenset(titles)

    def about_subject(self, question: str, hits: list[Hit]) -> list[Hit]:
        """The passages of `hits` about a document's subject the question names (its title, in
        the passage's text or as its document's title), when any are; else `hits`. ("魏玩的著作":
        not another article's "著作有…".)"""
        named = [t for t in self.subject_titles if t in question]
        about = [h for h in hits if any(t in h.chunk.title or t in h.chunk.text for t in named)]
        return about or hits

    def sentences_using(self, words: str) -> int:
        """How many sentences of the corpus use `words` (remembered per words, as `corpus_says`)."""
        if words not in self._used:
            self._used[words] = sum(words in self.text(row) for row in range(len(self.index.sentences)))
        return self._used[words]

    @cached_property
    def dictionary_words(self) -> frozenset[str]:
        """The tokenizer's dictionary words, for membership tests (its list is kept sorted)."""
        return frozenset(self.tokenizer.words)

    def bare_village(self, name: str) -> set[str]:
        """A village outside the gazetteer is written without its 村 too ("南宋镇永丰有…" of
        永丰村), unless the bare name is a common word (振兴 of 振兴村): {that spelling} or {}."""
        bare = name[:-1]
        return {bare} if (name not in self.place_names and self.is_place(name) and len(bare) >= 2
                          and not frequent(bare)) else set()

    def spellings(self, name: str, aliases: dict[str, set[str]] | None = None) -> set[str]:
        """Every way the corpus writes `name`: itself, its aliases, a village without its 村."""
        return set((aliases or {}).get(name, ())) | {name} | self.bare_village(name)

    def turns_away(self, row: int, focus: set[str]) -> bool:
        """Whether sentence `row`, continuing an answer about a place (`focus`: every spelling of
        the question's names), turns to another subject: it names another place of the corpus of
        the same level (村 for a village) and not the focus, or turns to the writer's own unit
        ("下一步,我们应…", "我乡可…")."""
        text = self.text(row)
        return self.about_another_place(row, focus) or (
            not any(f in text for f in focus) and bool(WRITER_TURN.match(text.strip())))

    def about_another_place(self, row: int, focus: set[str]) -> bool:
        """Whether sentence `row` names another place of the corpus of the same level as the
        question's place (`focus`: its spellings), and not the place itself."""
        text = self.text(row)
        if any(f in text for f in focus):
            return False
        levels = {f[-1] for f in focus if self.is_place(f)}
        return any(p in text for p in self.place_names if p[-1] in levels and not any(p in f or f in p for f in focus))

    def names_a_thing(self, phrase: str) -> bool:
        """Whether a phrase ends in a noun (jieba's tag n…, or a name of the dictionary):
        "小火车票价" does, "茶叶一年能卖" and "当了" do not."""
        words = list(self.tokenizer.tagged(phrase))
        return bool(words) and (words[-1].flag.startswith("n") or words[-1].flag == "vn")

    def corpus_says(self, word: str) -> bool:
        """Whether any text of the corpus uses `word` (remembered per word)."""
        if word not in self._said:
            self._said[word] = any(word in text for text in self.index.sources.values())
        return self._said[word]

    def quoted_around(self, term: str) -> str:
        """The longer quoted phrase every use of `term` in the corpus sits in ("乙丙" only ever in
        “甲乙丙丁”), or "" when the corpus uses it on its own too, or not at all.

        A part of a coined phrase is explained only where the essays explain it; when they never
        write it alone, nothing they say is about it alone. (Remembered per term, as corpus_says.)"""
        if term not in self._around:
            self._around[term] = self._quoted_around(term)
        return self._around[term]

    def _quoted_around(self, term: str) -> str:
        outer = set()
        for text in self.index.sources.values():
            for m in re.finditer(re.escape(term), text):
                opened, closed = text.rfind("“", 0, m.start()), text.find("”", m.end())
                inner = text[opened + 1 : closed] if opened >= 0 and closed >= 0 else ""
                if not inner or "”" in text[opened:m.start()] or inner == term or len(inner) > MAX_QUOTED_PHRASE:
                    return ""
                outer.add(inner)
        return next(iter(outer)) if len(outer) == 1 else ""

    # ---------------------------------------------------------------- scoring

    def sentence_scores(self, query_vector: np.ndarray, query_tokens: list[str], rows: list[int],
                        ranks, question: str = "",
                        writers: frozenset[int] = frozenset()) -> tuple[np.ndarray, np.ndarray]:
        """(scores, cosines) of sentences `rows` whose passages have retrieval rank(s) `ranks`:
        cosine + OVERLAP_WEIGHT * IDF-weighted share of the question's words + RANK_PRIOR / rank.

        The words of an essay's title are what every sentence of it is about: they count as said
        by each of its sentences, and the cosine is averaged with the cosine to the question
        without them (`question` given), so "黄鳍紫鱼的身体是什么颜色的" is answered by "体呈淡蓝红色",
        not by the sentence that names 黄鳍紫鱼 (eval/NOTES.md: issue 11, subject words); so do the
        author line's words in the essays of `writers` (`implied_tokens`)."""
        raw = self.index.sentence_vectors[rows] @ query_vector
        cosine = raw.copy()
        words = set(query_tokens)
        without: dict[str, np.ndarray] = {}
        for i, row in enumerate(rows):
            subject = words & self.implied_tokens(row, writers)
            rest = strip_words(question, subject) if subject and self.encode is not None else ""
            if len(rest) >= 2:
                if rest not in without:
                    without[rest] = self.encode(rest)
                cosine[i] = (raw[i] + float(self.index.sentence_vectors[row] @ without[rest])) / 2
        wanted = {t: self.idf(t) for t in words}
        total = sum(wanted.values())
        overlap = np.array([sum(w for t, w in wanted.items()
                                if t in self.tokens(r) or t in self.implied_tokens(r, writers))
                            / total if total else 0.0 for r in rows])
        return cosine + OVERLAP_WEIGHT * overlap + RANK_PRIOR / np.asarray(ranks, dtype=float), raw

    # ---------------------------------------------------------------- the answer

    def compose(self, question: Question, hits: list[Hit], query_vector: np.ndarray, query_tokens: list[str],
                aliases: dict[str, set[str]] | None = None, names_writer: bool = False,
                writers: set[int] | frozenset[int] = frozenset(), within: frozenset[int] = frozenset()) -> Answer:
        """The sentences of the top passages that answer the question, with citations, or a refusal.
        A question naming an essay's writer (`names_writer`: "某局局长认为…") is about the essays,
        however far its wording is from their sentences; one naming what a writer says (`writers`:
        their essays) is answered from those essays when the passages retrieved hold any of them;
        one placing what it asks in part of an essay ("在结尾说…") from its sentences (rows `within`)."""
        q = question
        if q.topic:
            # "殡葬方面呢？" after "…在养老服务上…": the topic takes the place of what the earlier
            # question was about, but not of the place the conversation is about.
            q = replace(q, focus=tuple(f for f in q.focus if f in self.place_names))
        if not hits:
            return refusal(q.shown, hits, "没有检索到段落")
        if q.asker_time and not self.corpus_says(q.asker_time):
            # "后天张家村的天气": the essays were written before; they use no such word.
            return refusal(q.shown, hits, f"问题问的是提问当时的“{q.asker_time}”，资料中没有这样的内容")
        if not any(f in q.text for f in q.focus) and (unknown := unknown_places(self.tokenizer.tagged(q.text),
                                                                                self.corpus_says)):
            # "甲村的书记是谁" of a village no essay mentions: nothing here is about it.
            reason = f"资料中没有提到{'、'.join(unknown)}"
            return refusal(q.shown, hits, reason, text=reason + "。")
        # A numbered abbreviation is spelt out too where the essay lists what it stands for.
        # A quoted abbreviation the essays never write ("“四真”分别是哪四真") may still be spelt out.
        quoted = tuple(QUOTED_TERM.findall(q.text))
        expansions = {t: found for t in dict.fromkeys(q.focus + ((q.term,) if q.term else ()) + quoted)
                      if (found := self._expansion(t, hits))}
        spellings = [self.spellings(f, aliases) | (
            {self.text(expansions[f][0])[slice(*expansions[f][1])]} if f in expansions else set()) for f in q.focus]
        if spellings:
            focused = [h for h in hits if names_every(h.chunk.text, spellings)]
            if not focused:
                reason = f"检索到的段落没有同时提到{'、'.join(q.focus)}"
                return refusal(q.shown, hits, reason, text=f"资料中未找到同时涉及{'、'.join(q.focus)}的内容。")
            hits_for_answer = focused
        else:
            hits_for_answer = self.about_subject(q.text, hits)
        if writers:
            # "乡长打算怎么发展产业": what that writer wrote, not another essay's words.
            hits_for_answer = [h for h in hits_for_answer if h.chunk.essay in writers] or hits_for_answer
        if within:
            hits_for_answer = ([h for h in hits_for_answer if within & set(self.index.sentence_rows(h.row))]
                               or hits_for_answer)
        if expansions and q.expected in ("definition", "list", "method", ""):
            # "“四敢”指什么": the clause listing the four things it stands for, wherever in the essay.
            row, span = next(iter(expansions.values()))
            return self._write(q.shown, [self.window(row, span, VALUE_BUDGET)], {}, hits)
        people = [f for f in q.focus if f in self.tokenizer.people]
        if people and IDENTITY_ASKED.search(q.text) and (found := self._identity(people[0], hits_for_answer)):
            # "任强军是谁": the words set beside the name saying what the person is.
            return self._write(q.shown, [found], {}, hits)
        listed = [f for f, names in zip(q.focus, spellings, strict=True)
                  if (q.expected in ("method", "reason", "definition") or q.expected == "list" and not q.item_kind)
                  and self.only_listed(f, names, hits_for_answer)]
        if len(listed) >= 2 and GROUPED.match(q.text[max(q.text.rfind(f) + len(f) for f in listed):].lstrip("”\"")):
            # "甲、乙这些品牌是为了什么": the items asked of as a group, which the list is about.
            listed = []
        if q.expected == "method" and (procedure := self._procedure_unsaid(q, hits_for_answer)):
            # "甲平台如何登录": no passage says 登录; what they say of 甲 is no instructions.
            reason = (f"资料提到了{'、'.join(q.focus)}，但没有写怎么{procedure}" if q.focus
                      else f"资料中未找到怎么{procedure}的说明")
            return refusal(q.shown, hits_for_answer, reason, text=reason + "。")
        embedded = [(t, outer) for t in dict.fromkeys(((q.term,) if q.term else ()) + quoted)
                    if q.expected == "definition" and t not in expansions and (outer := self.quoted_around(t))]
        if embedded:
            # "“乙丙”指什么": the essays write it only inside “甲乙丙丁”, never explain it.
            term, outer = embedded[-1]
            text = f"资料只在“{outer}”中提到了{term}，没有写它具体指什么。"
            return refusal(q.shown, hits_for_answer, text.rstrip("。"), text=text)
        if listed:
            # "爱心驿站具体是怎么运作的": the passages name it only as one item of a list.
            what = {"definition": "它是什么", "list": "其具体内容"}.get(q.expected, f"其{q.kind_name}")
            text = f"资料只在列举中提到了{'、'.join(listed)}，没有写{what}。"
            return refusal(q.shown, hits_for_answer, text.rstrip("。"), text=text)
        # A run of sentences about a named place stops where the text turns to another subject.
        focus_spellings = set().union(*spellings) if any(self.is_place(f) for f in q.focus) else set()
        survey = q.expected == "survey"
        listing = q.expected == "list" or q.item > 0  # a list, or one item of it ("第二点")
        # A value is checked by its kind, so it may come from deeper: as deep as a list's items.
        depth = SURVEY_PASSAGES if survey or listing or q.expected in VALUE_KINDS else ANSWER_PASSAGES
        if survey and q.value_kind in SURVEYED_AMOUNTS:
            depth = len(hits_for_answer)  # (with each essay's best passage stating such a value, after them)
        pool = hits_for_answer[:depth]
        owner: dict[int, Hit] = {}
        for hit in pool:
            for row in self.rows_in(hit, headings=listing):
                owner.setdefault(row, hit)  # overlapping passages share sentences: keep the better-ranked
        # A sentence asking a question of its own ("如何…？") answers none.
        rows = [r for r in owner if not self.text(r).rstrip().endswith(("？", "?"))]
        rows = [r for r in rows if r in within] or rows
        if not rows:
            return refusal(q.shown, hits, "段落中没有完整的句子")
        ranks = np.array([owner[r].rank for r in rows])
        scores, cosine = self.sentence_scores(query_vector, query_tokens, rows, ranks, q.text, frozenset(writers))
        if q.part:
            # "X的叶子有什么特点": a sentence opening on the part asked ("叶为披针形") describes it.
            scores = scores + PART_BONUS * np.array([opens_on(self.text(r), q.part) for r in rows])
        # A follow-up is on the conversation's topic whatever its own words.
        # A term quoted from the essays ("“甲乙”这个词…") is their topic, however far the words around it.
        cited = any(len(t) >= 2 and self.corpus_says(t) for t in quoted)
        if (not spellings and not q.follow_up and not names_writer and not cited
                and float(cosine.max()) < OFF_TOPIC_SIMILARITY
                and not self._on_topic_without_writers(q.text, rows)
                and not self._said_in_one_passage(query_tokens)):
            return refusal(q.shown, hits, OFF_TOPIC)
        if q.topic and (keep := [i for i, r in enumerate(rows) if q.topic in self.text(r)]):
            # "殡葬方面呢？": the earlier question asked again about 殡葬, from sentences saying it.
            rows, scores = [rows[i] for i in keep], scores[keep]
            owner = {r: owner[r] for r in rows}
        if q.constraints:
            # A number or year the question states must be in the passage quoted: prefer those.
            keep = [i for i, r in enumerate(rows) if all(stated(c, owner[r].chunk.text) for c in q.constraints)]
            if keep:
                rows, scores = [rows[i] for i in keep], scores[keep]
                owner = {r: owner[r] for r in rows}
        said = [t for t in quoted
                if len(t) >= 2 and t not in q.clue and 0 < self.sentences_using(t) <= POINTED_SENTENCES]
        if said and q.expected in ("definition", "method", "reason", "") and (
                keep := [i for i, r in enumerate(rows) if all(t in self.text(r) for t in said)]):
            # "从“甲乙”转变成什么": words quoted from the essays, written in a sentence or two, point
            # at the sentence quoting them (the run of sentences after it may still follow: `owner`
            # keeps them all); a term many sentences use (“千万工程”, an article's subject) or one
            # naming the writer ("写“丙”的那位") points nowhere.
            rows, scores = [rows[i] for i in keep], scores[keep]
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        ranked_rows, ranked_scores = [rows[i] for i in order], [float(scores[i]) for i in order]
        enumerated = q.expected == "list"
        pieces = self._item_pieces(q.item, ranked_rows, ranked_scores, enumerated) if q.item else []
        asked = [] if pieces or not QUESTIONS_ASKED.search(q.text) else self._questions_pointed_to(
            ranked_rows, ranked_scores)
        if asked:
            # "他心里一直想着哪几个问题": the writer's own questions ("如何…？如何…？"), which the
            # sentence pointing back to them ("这些问题一直萦绕…") names.
            pieces, enumerated = self._fit(asked, LIST_BUDGET), True
        elif pieces:  # "第二点讲的是什么": that item, whatever the question word; its line stands alone
            enumerated = True
        elif q.expected in VALUE_KINDS:
            pieces = self._value_pieces(q, ranked_rows, ranked_scores, set().union(*spellings), focus_spellings)
            # Refuse when the question asks a value of something named (a village, a role's
            # holder), a count in a unit it states ("多少名学员"), a sum of money, which only an
            # amount answers ("造价是多少": not 38.6公里), a frequency, which only a frequency answers
            # ("多久发一班车": not "2019年以来"), or a body by its kind ("哪家公司",
            # "哪所大学"), which only a body's name answers; "谁发明了…" names no holder,
            # and its agent may be anyone or anything, so the open answer follows, as for "什么时候"
            # (answered by events as often as by dates; "哪一年" only by a date). Chosen on dev and
            # the CMRC trial: eval/NOTES.md.
            precise = (spellings or (q.expected == "person" and ROLE.search(q.text))
                       or (q.expected in ("quantity", "place") and q.unit)
                       or (q.expected == "place" and LOCATION_ASKED.search(q.text))
                       or q.expected in ("money", "organisation", "frequency")
                       or (q.expected == "date" and (YEAR_ASKED.search(q.text) or DAY_ASKED.search(q.text)
                                                     or BUILT.search(q.text))))
            if not pieces and precise:
                reason = missing_reason(q, self.names_a_thing)
                return refusal(q.shown, hits_for_answer, reason, text=reason + "。")
        elif q.expected == "list":
            pieces = self._list_pieces(q, ranked_rows, ranked_scores)
            if not pieces and q.count >= 3 and spellings:
                # "七个环节分别是什么" of something named that no passage lists that many of. Two
                # things are joined by 和 as often as listed, so a count of two refuses nothing.
                reason = f"资料提到了{'、'.join(q.focus)}，但没有列出所问的{q.count}项内容"
                return refusal(q.shown, hits_for_answer, reason, text=reason + "。")
            if not pieces and q.item_kind == "place" and not any(
                    value_spans(self.text(r), q.item_kind, None, self.tokenizer)
                    for r, x in zip(ranked_rows, ranked_scores, strict=True) if x >= ranked_scores[0] - LIST_MARGIN):
                # "分布在哪些乡镇": no sentence near the best names any 乡镇 at all.
                reason = "资料中没有列出所问的地点"
                return refusal(q.shown, hits_for_answer, reason, text=reason + "。")
        elif survey:
            typed = [(r, score) for r, score in zip(ranked_rows, ranked_scores, strict=True)
                     if q.value_kind and value_spans(self.text(r), q.value_kind, None, self.tokenizer)]
            # "各篇说的日期": what each essay says of that kind, when some sentence says it.
            survey_rows, survey_scores = ([r for r, _ in typed], [x for _, x in typed]) if typed else (
                ranked_rows, ranked_scores)
            pieces = self._survey_pieces(survey_rows, survey_scores, owner, set(query_tokens))
        elif NAME_ORIGIN_ASKED.search(q.text) and (origin := self._first_within(
                ranked_rows, ranked_scores, CAUSE_MARGIN, self._says(NAME_ORIGIN))) is not None:
            # "X是怎么得名的": from the sentence saying where the name comes from ("故而得名").
            pieces = self._run_pieces(origin, owner, reason=True, focus=focus_spellings)
        elif q.named and q.expected in ("method", "definition", "") and (
                named := self._named_row(q, ranked_rows, ranked_scores, owner, spellings)) is not None:
            # "按什么分配办法": the sentence giving the noun its particular name ("“五众”工作法").
            if q.expected == "method":
                pieces = self._run_pieces(named, owner, focus=focus_spellings)
            else:
                pieces = self._open_from(named, ranked_rows, ranked_scores, owner, query_tokens, focus_spellings)
        elif (saying := self._said_as_asked(q, ranked_rows, ranked_scores)) is not None:
            # "引了哪句话", "那门课的标题", "改成了什么": the sentence saying that, not the one
            # echoing the question.
            pieces = self._open_from(saying, ranked_rows, ranked_scores, owner, query_tokens, focus_spellings)
        elif (occupation := OCCUPATION_ASKED.match(q.text)) and (introducing := self._first_within(
                ranked_rows, ranked_scores, TYPE_MARGIN, self._introduces(occupation.group("subject")))) is not None:
            # "X的职业是什么": the sentence introducing X ("X，香港漫画家，…"), not one about its work.
            pieces = self._open_from(introducing, ranked_rows, ranked_scores, owner, query_tokens, focus_spellings)
        elif q.expected == "method":
            pieces = self._run_pieces(ranked_rows[0], owner, focus=focus_spellings)
        elif q.expected == "reason":
            pieces = self._run_pieces(self._cause_row(ranked_rows, ranked_scores, owner), owner, reason=True,
                                      focus=focus_spellings)
        elif q.expected == "definition" and (q.term or OTHER_NAMES_ASKED.search(q.text) or (
                q.part and self._stating_row(q.part, ranked_rows, ranked_scores) is not None)):
            # "什么是X": the sentence defining X; "X的别名是什么": the one giving its other names;
            # "X的宗旨是什么": the one saying what it is ("其宗旨是…"), not one only using the word.
            defining = (self._defining_row(q.term, ranked_rows, ranked_scores) if q.term else
                        self._first_within(ranked_rows, ranked_scores, TYPE_MARGIN, self._says(NAMING))
                        if OTHER_NAMES_ASKED.search(q.text) else self._stating_row(q.part, ranked_rows, ranked_scores))
            if defining is not None and focus_spellings and self.turns_away(defining, focus_spellings):
                defining = None  # a sentence about another place or the writer's own unit
            if defining is not None:
                pieces = self._open_from(defining, ranked_rows, ranked_scores, owner, query_tokens, focus_spellings)
        if not pieces:
            pieces = self._open_pieces(ranked_rows, ranked_scores, owner, query_tokens, focus_spellings)
            last = pieces[-1][0]
            if self.text(last).rstrip().endswith((":", "：")) and self.enumeration(last):
                # An answer never ends on a colon: the list it announces follows.
                pieces = pieces[:-1] + self._fit(self.enumeration(last), LIST_BUDGET)
                enumerated = True
        if spellings:
            # Every quoted sentence comes from a passage naming the focus, lists followed past
            # their passage included; an answer about another village is a wrong answer.
            # Items after a lead-in or a heading are about what its passage is about.
            def names_focus(piece: Piece) -> bool:
                text = self.hit_for(piece[0], hits, owner).chunk.text
                return names_every(text, spellings)

            first = self.text(pieces[0][0])
            anchored = (is_lead_in(first) or enumerated and is_heading_like(first)) and names_focus(pieces[0])
            about = pieces if anchored else [p for p in pieces if names_focus(p)]
            pieces = about or self._open_pieces(ranked_rows, ranked_scores, owner, query_tokens, focus_spellings)
        cited = {self.hit_for(r, hits, owner).row for r, _, _ in pieces}
        cited_text = "".join(self.index.chunks[i].text for i in cited)
        missing = [n for n in q.constraints if not stated(n, cited_text)]
        if missing:
            return refusal(q.shown, hits, f"资料中没有提到问题中的“{'、'.join(missing)}”")
        return self._write(q.shown, pieces, owner, hits, as_list=enumerated and len(pieces) > 1)

    def _procedure_unsaid(self, q: Question, hits: list[Hit]) -> str:
        """The procedure a "how do I …" question asks ("登录账户"), when its verb (登录) is in none
        of the passages an answer may quote; "" otherwise."""
        procedure, verb = procedure_asked(q.text)
        said = any(verb in h.chunk.text for h in hits[:ANSWER_PASSAGES])
        return procedure if procedure and not said else ""

    def _expansion(self, term: str, hits: list[Hit]) -> tuple[int, tuple[int, int]] | None:
        """(sentence row, clause span) listing what a numbered abbreviation stands for ("四敢":
        干部敢为、地方敢闯、企业敢干、群众敢首创), in the essays of the retrieved passages naming it,
        best-ranked first; when none names it, in any essay, those retrieved first (the essays may
        list what they never abbreviate). None when `term` is no such abbreviation or no clause
        lists it."""
        parts = abbreviation(term)
        if parts is None:
            return None
        naming = [h.chunk.essay for h in hits if term in h.chunk.text]
        every = [h.chunk.essay for h in hits] + [e.number for e in self.index.essays]
        for essay in dict.fromkeys(naming or every):
            for row in self.essay_rows(essay):
                span = expansion(self.text(row), *parts)
                if span:
                    return row, span
        return None

    def _identity(self, name: str, hits: list[Hit]) -> Piece | None:
        """The fullest role phrase set beside a person's name ("曾任安吉县农办副主任的任强军") in
        the sentences of the passages an answer may quote, windowed around it; None if none."""
        best: tuple[int, int, tuple[int, int]] | None = None  # (length, row, span), the first of the longest
        for hit in hits[:SURVEY_PASSAGES]:
            for row in self.rows_in(hit):
                span = role_phrase(self.text(row), name)
                if span and (best is None or span[1] - span[0] > best[0]):
                    best = (span[1] - span[0], row, span)
        return self.window(best[1], best[2], VALUE_BUDGET) if best else None

    def _given(self, value: str, q: Question, given: set[str]) -> bool:
        """Whether a value only repeats what the question says (its own names, their spellings):
        "余杭白沙村" does not tell which town 白沙村 belongs to."""
        if any(number in value for number in q.claimed):
            return False  # "有1500多棵吧" is confirmed by the sentence giving 1500多棵
        words = [w for w in self.tokenizer.tokenize(value) if len(w) >= 2 or w.isdigit()]
        return value in q.text or bool(words) and all(w in q.text or w in q.query or w in given for w in words)

    def _value_pieces(self, q: Question, rows: list[int], scores: list[float], given: set[str],
                      focus: set[str] = frozenset()) -> list[Piece]:
        """The best sentence stating a value of the expected kind that the question does not
        already state, windowed around the value when the sentence is long. A person asked by
        role ("主任是谁") must be named beside that role; "由谁…" without a role may be answered
        by an organisation, or by people named by role or group ("请来专家…") too, but not a
        question asking a name ("书记叫啥名字"); a body asked by name may be named in quotes,
        but not by what the corpus is about (“千万工程”). With `focus` (a place's spellings), a
        sentence about another place of its level states nothing about it."""
        # (a date or an amount asked of a role's holder, "书记是哪年上任的", is stated beside the role too)
        roles = attribute_terms(q.attribute, self.tokenizer) if q.expected == "person" or ROLE.search(
            q.attribute) else set()
        # "哪年建成的": a date of the event's completion, told with a verb saying so (or of the thing
        # completed, named).
        aspect = event_told(q.text) if q.expected == "date" else ""
        asks_name = bool(NAMES_ASKED.search(q.text))
        # What is asked of a thing that holds no role ("合作社办的厂子请谁来管理", "乙镇动员谁返乡")
        # may be done by a body, or by people named by group, whatever other words the question has.
        # ("哪位…" asks a person, never a body: "带队的是哪位领导" is not answered by 区委组织部)
        bodies = (q.expected == "person" and not any(ROLE.search(t) for t in roles) and not asks_name
                  and not WHICH_PERSON.search(q.text))
        groups = bodies
        # …but people named by group are common words: beside a word of the question (an
        # attribute, "乙镇动员谁返乡"), they answer only where 谁 stood, next to that word ("动员青年").
        slot = who_slot(q.text, self.tokenizer) if bodies and roles else None
        # "平台叫什么名字": a body's name is often a coined one, in quotes ("“沥家园”").
        # "X在哪里": a body's premises place it too ("在浙江大学华家池校区").
        premises = q.expected == "place" and bool(LOCATION_ASKED.search(q.text))
        kinds = [q.expected] + (["organisation"] if bodies or premises else []) + (["people"] if groups else []) + (
            ["name"] if q.expected == "organisation" and asks_name else [])
        near = [row for row, score in zip(rows, scores, strict=True) if score >= scores[0] - TYPE_MARGIN]
        if q.expected == "place" and focus and (level := county_level(q.text)):
            # "余村属于哪个县": the place qualifying it where a sentence names it ("安吉县余村").
            for row in rows:
                if span := self._qualifier(row, focus, level):
                    return [self.window(row, span, VALUE_BUDGET)]
            return []  # no place of that level is said of it: its 镇 is no answer to 哪个区
        if q.expected == "place" and LOCATION_ASKED.search(q.text):
            # "X在哪里": the sentence saying where it lies (位于, 地处…), whatever its place words
            # ("城北的北山路12号"), not one naming a place for another reason ("…市政府决定新建X").
            for row in near:
                located = LOCATED.search(self.text(row))
                if located and not (focus and self.about_another_place(row, focus)):
                    end = next(e for _, e in clause_spans(self.text(row)) if e >= located.end())
                    return [self.window(row, (located.start(), end), VALUE_BUDGET)]
        # "2024到2027年间建成多少个": a sentence holding every number the question states first.
        stating = [row for row in near if q.constraints and all(stated(c, self.text(row)) for c in q.constraints)]
        # …and of those, first the sentences stating them alone, not as the ends of a range.
        stating = sorted(stating, key=lambda row: not all(stated_alone(c, self.text(row)) for c in q.constraints))

        day = q.expected == "date" and DAY_ASKED.search(q.text)  # "哪天": not a year or a month alone

        def value_spans_in(row: int) -> list[tuple[int, int]]:
            text = self.text(row)
            if q.excluded and q.excluded in text:
                return []  # "（不算那些支线）有多长": a length of the branches is not asked
            terms = counted_term_spans(text, q.text) if q.expected == "quantity" else []
            spans = [span for kind in kinds for span in value_spans(text, kind, q.unit, self.tokenizer) + terms
                     if not self._given(text[span[0] : span[1]], q, given)
                     and not (kind == "quantity" and q.counted and not counts_of(text, span, q.counted))
                     and not (kind == "date" and day and not re.search("[日号]", text[span[0] : span[1]]))
                     and not (kind == "name" and self.index.widespread({text[span[0] + 1 : span[1] - 1]}))
                     and not (kind == "people" and slot is not None and not fills_slot(text, span, slot))]
            # A range of dates tells when something began and when it ended, whatever its verbs.
            told = not aspect or re.search(aspect, text) or any(in_date_range(text, span) for span in spans)
            # "从哪所大学毕业": a school told as the one graduated from, not one named for another reason.
            graduated = not GRADUATION.search(q.text) or GRADUATION.search(text)
            ok = spans and (not roles or any(t in text for t in roles)) and told and graduated
            return spans if ok else []

        for row in stating + [row for row in near if row not in stating]:
            if focus and self.about_another_place(row, focus):
                continue  # "2019年" of another village is no date of the one asked about
            spans = value_spans_in(row)
            if spans:
                return [self.window(row, spans[0], VALUE_BUDGET)]
            if q.expected in TOPIC_CHAINED and row == near[0] and not asks_name and DOER_ASKED.search(q.text):
                chained = self._topic_of(row, value_spans_in)
                if chained:
                    return chained
        return []

    def _qualifier(self, row: int, spellings: set[str], unit: str) -> tuple[int, int] | None:
        """The span of the place of level `unit` (县, 市, 区, or AREA: any) that qualifies a place of `spellings`
        in sentence `row`, standing right before it with its unit or bare ("安吉县余村",
        "甲区乙丙村": 甲区, not 乙, a 镇 the corpus names so); None when none does."""
        text = self.text(row)
        for m in (m for s in spellings for m in re.finditer(re.escape(s), text)):
            end = m.start()
            for word, flag in reversed(list(self.tokenizer.tagged(text[max(0, end - 8):end]))):
                start = end - len(word)
                place = flag.startswith("ns") or word in self.place_names or word[-1] in ADMIN_SUFFIXES
                if not place or len(word) < 2:
                    break
                if (word[-1] in ADMIN_SUFFIXES if unit == AREA else word.endswith(unit)) or (
                        word[-1] not in ADMIN_SUFFIXES and not any(
                        self.corpus_says(word + township) for township in "镇乡")):
                    return start, end
                end = start
        located = LOCATED.search(text)
        if located and mentions_any(text, spellings):
            # "甲村位于乙县丙镇": the place of that level after the word saying where it lies.
            return next((span for span in value_spans(text, "place", unit, self.tokenizer)
                         if span[0] >= located.end()), None)
        return None

    def _topic_of(self, row: int, spans_in: Callable[[int], list[tuple[int, int]]]) -> list[Piece]:
        """Sentence `row` after the earlier sentence of its paragraph naming its subject, when they
        fit VALUE_BUDGET together: Chinese names a topic once and drops it from the sentences that
        follow ("梅林村作为样板村，…。村民出行可以…"), so the sentence saying what was done may not
        say who or where. Only for a question asking who or where did it (question.DOER_ASKED), and
        not for a name asked of a thing ("网站叫什么": a name is the thing's own, not a subject
        left out)."""
        earlier = row
        while not self.opens_paragraph(earlier) and row - earlier < TOPIC_REACH and self.same_essay(row, earlier - 1):
            earlier -= 1
            spans = spans_in(earlier)
            if spans:
                first = self.window(earlier, spans[0], VALUE_BUDGET)
                last = self.window(row, (0, 0), VALUE_BUDGET)
                if (first[2] - first[1]) + (last[2] - last[1]) <= VALUE_BUDGET:
                    return [first, last]
                return []
        return []

    def _said_in_one_passage(self, query_tokens: list[str]) -> bool:
        """Whether one passage holds most of the question's words, weighted by IDF: an elliptical
        question ("核心保护区有多大") is far in meaning from every sentence, yet its words are
        the passage's; a question off the corpus's topic has words the corpus lacks."""
        # An interrogative the stop list lacks ("哪一位", "哪家") is a word no passage uses: it
        # would weigh most in that share, and it asks, it names no topic.
        asked = [t for t in query_tokens if not INTERROGATIVE_WORD.fullmatch(t)]
        return self.coverage is not None and self.coverage(asked) >= ON_TOPIC_COVERAGE

    def _on_topic_without_writers(self, question: str, rows: list[int]) -> bool:
        """Whether a question about the essays is on their topic once the words about the essays
        or their writers ("几位学员", "每篇文章", "在文中出现过") are left out: they say the
        question is about the essays, and pull its vector and its words away from any one
        sentence of them. What remains must be close to a sentence, or said in one passage."""
        rest = SURVEY_SUBJECT.sub("", question).strip("，,、的 ")
        if self.encode is None or len(rest) < MIN_TOPIC_CHARS or rest == question:
            return False
        return (float((self.index.sentence_vectors[rows] @ self.encode(rest)).max()) >= OFF_TOPIC_SIMILARITY
                or self._said_in_one_passage(self.tokenizer.tokenize(rest)))

    def outline(self, question: str, number: int, hits: list[Hit]) -> Answer | None:
        """The headings of essay `number`'s parts, in order, one line each ("那篇文章分了哪几个
        部分"); in an essay without part headings, the opening sentence of each of its paragraphs
        (three to MAX_PARAGRAPHS of them), which is where such an essay states each part's point;
        else None."""
        essay = next((e for e in self.index.essays if e.number == number), None)
        if essay is None:
            return None
        tops = list(dict.fromkeys(s.heading_path[0] for s in essay.sections if s.heading_path))
        rows = self.essay_rows(number)
        lines = [next((r for r in rows if _bare(self.text(r)) == _bare(heading)  # "一是…。" heads its part too
                       or (is_heading_like(self.text(r)) and heading.strip() in self.text(r))), None)
                 for heading in tops]
        what = f"《{essay.title}》（{essay.author}）" if essay.author else f"《{essay.title}》"
        head = f"{what}分{len(tops)}部分："
        if not tops:
            lines = [r for r in self.paragraph_openings(number) if not is_heading_like(self.text(r))]
            head = f"{what}共{len(lines)}段，各段开头："
            if not 3 <= len(lines) <= MAX_PARAGRAPHS:
                return None
        if len(lines) < 2 or None in lines:
            return None
        pieces = [(r, self.index.sentences[r].start, self.index.sentences[r].end) for r in lines]
        answer = self._write(question, pieces, {}, hits, as_list=True)
        return replace(answer, answer=f"{head}\n{answer.answer}")

    def _survey_pieces(self, rows: list[int], scores: list[float], owner: dict[int, Hit],
                       words: set[str]) -> list[Piece]:
        """The best sentence of each passage, new essays first, while close enough to the best."""
        chosen, passages, essays = [], set(), set()
        for prefer_new_essay in (True, False):
            for row, score in zip(rows, scores, strict=True):
                hit = owner[row]
                if len(chosen) == MAX_SURVEY_SENTENCES or score < scores[0] - SURVEY_MARGIN:
                    break
                if row in chosen or hit.row in passages or (prefer_new_essay and hit.chunk.essay in essays):
                    continue
                chosen.append(row)
                passages.add(hit.row)
                essays.add(hit.chunk.essay)
        return self._glimpses(chosen, words)

    def _questions_pointed_to(self, rows: list[int], scores: list[float]) -> list[int]:
        """The run of question sentences ("如何…？") right before the best sentence within
        LIST_MARGIN that points back to them ("这些问题…"), in its paragraph; [] when none does."""
        for row, score in zip(rows, scores, strict=True):
            if score < scores[0] - LIST_MARGIN:
                return []
            if not POINTS_TO_QUESTIONS.match(self.text(row).strip()):
                continue
            run, before = [], row - 1
            while (before >= 0 and self.same_essay(row, before) and not self.opens_paragraph(before + 1)
                   and self.text(before).rstrip().rstrip("”\"'’」").endswith(("？", "?"))):
                run.insert(0, before)
                before -= 1
            if len(run) >= 2:
                return run
        return []

    def _glimpses(self, rows: list[int], words: set[str]) -> list[Piece]:
        """What several essays say, each sentence windowed to its share of the budget around the
        clause sharing the most of `words` (the question's words, or the place's spellings)."""
        share = max(VALUE_BUDGET // max(len(rows), 1), SURVEY_GLIMPSE)
        return [self.window(r, self.best_clause(r, words), share) for r in rows]

    @staticmethod
    def _first_within(rows: list[int], scores: list[float], margin: float,
                      wanted: Callable[[int], bool]) -> int | None:
        """The best-scoring row within `margin` of the best for which `wanted` holds, if any."""
        for row, score in zip(rows, scores, strict=True):
            if score < scores[0] - margin:
                return None
            if wanted(row):
                return row
        return None

    def _introduces(self, subject: str) -> Callable[[int], bool]:
        """Whether a sentence opens on `subject` and says what it is, by apposition or copula
        ("X，香港漫画家，…", "X（1929－），…", "X是…")."""
        return self._says(re.compile(rf"^\s*{re.escape(subject)}(?:[（(][^）)]*[）)])?(?:[,，]|是|为)"))

    def _names(self, noun: str) -> Callable[[int], bool]:
        """Whether a sentence gives a `noun` its particular name: a quoted name or title just
        before it ("“五众”工作法", "以“一园、两路、三区”为发展思路"), or one ending on it
        ("沿着“甲乙环湖路”修建" for 路) that is not what the whole corpus is about (“千万工程”)."""
        before = re.compile(rf"[”》](?:为|的)?{re.escape(noun)}")
        ending = re.compile(rf"“([^“”]{{1,12}}{re.escape(noun)})”")
        return lambda row: bool(before.search(self.text(row))) or any(
            not self.index.widespread({m.group(1)}) for m in ending.finditer(self.text(row)))

    def _named_row(self, q: Question, rows: list[int], scores: list[float], owner: dict[int, Hit],
                   spellings: list[set[str]]) -> int | None:
        """The best sentence within TYPE_MARGIN of the best that gives the noun asked (`q.named`)
        its particular name. When the best sentence does not use the noun at all, the best naming a
        kind of it by a word just before it ("以花卉苗木、茶叶笋竹产业为主导" for "什么产业"), from
        the best sentence's essay or a passage naming the question's focus, and stating the question's
        numbers ("1992年4月…担任什么职务": not "外交职务" of other years). A noun with a modifier
        names its kind between the two ("什么传统产业": "传统板材产业"). Nouns standing for a
        question word or too general ("什么时候", "什么东西") name no kind."""
        noun = q.named
        quoted = self._first_within(rows, scores, TYPE_MARGIN, self._names(noun))
        if quoted is None and re.fullmatch(NAME_NOUNS, noun):
            # "甲村打出的名号": a name is what is asked, so one quoted or given by a verb of naming
            # (誉为, 称为) in a sentence naming the focus answers, whatever noun the sentence puts
            # after it (“…第一村”定位).
            quoted = self._first_within(rows, scores, TYPE_MARGIN, lambda row: bool(
                QUOTED.search(self.text(row)) or NAMING.search(self.text(row)))
                and names_every(self.text(row), spellings))
        if quoted is not None or re.fullmatch(_GENERAL_NOUNS, noun):
            return quoted
        kind = re.compile(rf"[^\W的之这那该此其各等个种类是和与及]{re.escape(noun)}|{_inserted_kind(noun)}")
        if noun in self.text(rows[0]) and kind.search(self.text(rows[0])):
            return None  # the best sentence names a kind of it itself ("…以茶产业为主")

        def names_a_kind(row: int) -> bool:
            text, passage = self.text(row), owner[row].chunk.text
            return (bool(kind.search(text)) and all(stated(c, text) for c in q.constraints)
                    and (self.same_essay(row, rows[0]) or bool(spellings)
                         and names_every(passage, spellings)))

        return self._first_within(rows, scores, TYPE_MARGIN, names_a_kind)

    def _defining_row(self, term: str, rows: list[int], scores: list[float]) -> int | None:
        """The best sentence within TYPE_MARGIN of the best that defines `term` ("X是…", "X，即…",
        "X作为…，是…": a role in apposition before the copula)."""
        copula = re.compile(rf"^.{{0,6}}{re.escape(term)}[”’」》\"]?(?:[（(][^）)]*[）)])?[,，]?"
                            rf"(?:作为[^，,。；;]{{1,40}}[，,])?(?:是|指|即|为|就是)")
        return self._first_within(rows, scores, TYPE_MARGIN, lambda row: bool(copula.search(self.text(row).strip())))

    def _stating_row(self, noun: str, rows: list[int], scores: list[float]) -> int | None:
        """The best sentence within TYPE_MARGIN of the best that says what `noun` is: the noun
        followed by a copula anywhere in it ("其宗旨是坚持…"), not only using it."""
        copula = re.compile(rf"{re.escape(noun)}[”’」》\"]?(?:是|为|即|就是|在于)(?!什么|否)")
        return self._first_within(rows, scores, TYPE_MARGIN, lambda row: bool(copula.search(self.text(row))))

    def _cause_row(self, rows: list[int], scores: list[float], owner: dict[int, Hit]) -> int:
        """The best sentence, within CAUSE_MARGIN of the best, that states a cause or a purpose
        (由于…, 为了…, …所以…) or is followed in its passage by one stating the consequence
        ("因此…"); else the judgement just before the best sentence, if any; else the best sentence."""
        def states_cause(row: int) -> bool:
            following = row + 1
            return bool(CAUSE.search(self.text(row))) or (
                following in self.rows_in(owner[row]) and bool(CONSEQUENCE.match(self.text(following).strip())))

        found = self._first_within(rows, scores, CAUSE_MARGIN, states_cause)
        if found is None and rows[0] - 1 in self.rows_in(owner[rows[0]]) and JUDGEMENT.search(self.text(rows[0] - 1)):
            # "为什么说要关注需求": no cause said, the best sentence restates the claim; a judgement
            # just before it ("…的实质就是…") is the premise it was drawn from, so the answer starts there.
            return rows[0] - 1
        return rows[0] if found is None else found

    def _run_pieces(self, row: int, owner: dict[int, Hit], reason: bool = False,
                    focus: set[str] = frozenset()) -> list[Piece]:
        """A method or a reason: the best sentence and up to MAX_RUN - 1 sentences after it in its
        passage, while they fit LIST_BUDGET (400 characters for methods: a short sentence setting
        the scene brings the long one that says how). A reason's best sentence that states the
        consequence ("因此…") starts from the sentence before it, which holds the cause. With
        `focus` (the spellings of a place the question names), the run ends before a sentence
        that `turns_away` from it."""
        passage = set(self.rows_in(owner[row]))
        if reason and CONSEQUENCE.match(self.text(row).strip()) and row - 1 in passage:
            row -= 1
        run, total = [row], len(self.text(row))
        following = row + 1
        while (len(run) < MAX_RUN and following in passage and total + len(self.text(following)) <= LIST_BUDGET
               and not (focus and self.turns_away(following, focus))):
            run.append(following)
            total += len(self.text(following))
            following += 1
        return self._fit(run, LIST_BUDGET)

    def _said_as_asked(self, q: Question, rows: list[int], scores: list[float]) -> int | None:
        """The best sentence within TYPE_MARGIN of the best that says what the question asks to
        be said (SAID_AS_ASKED, in order), if any."""
        for asked, says in SAID_AS_ASKED:
            row = self._first_within(rows, scores, TYPE_MARGIN, self._says(says)) if asked.search(q.text) else None
            if row is not None:
                return row
        return None

    def _says(self, words: re.Pattern) -> Callable[[int], bool]:
        """Whether a sentence holds `words` (a pattern of what it must say)."""
        return lambda row: bool(words.search(self.text(row)))

    def _open_from(self, row: int, rows: list[int], scores: list[float], owner: dict[int, Hit],
                   query_tokens: list[str], focus: set[str] = frozenset()) -> list[Piece]:
        """The open answer starting from `row`, one of the ranked `rows`, chosen for what it says."""
        at = rows.index(row)
        return self._open_pieces([row] + rows[:at] + rows[at + 1:], [scores[at]] + scores[:at] + scores[at + 1:],
                                 owner, query_tokens, focus)

    def _open_pieces(self, rows: list[int], scores: list[float], owner: dict[int, Hit],
                     query_tokens: list[str], focus: set[str] = frozenset()) -> list[Piece]:
        """The best sentence, with the next one when it only sets the scene, and a close second;
        with `focus` (a place's spellings), neither when it `turns_away` from the place."""
        def stays(row: int) -> bool:
            return not (focus and self.turns_away(row, focus))

        chosen = [rows[0]]
        # A short best sentence often only sets the scene ("2009年,…准备建一个旅游集散中心");
        # the sentence after it, in the same passage, tends to carry the substance.
        following = rows[0] + 1
        if (len(self.text(rows[0]).strip()) < SHORT_SENTENCE and following in self.rows_in(owner[rows[0]])
                and stays(following)):
            chosen.append(following)
        for row, score in zip(rows[1:], scores[1:], strict=True):
            if len(chosen) >= MAX_SENTENCES or score < scores[0] - SCORE_MARGIN:
                break
            if row not in chosen and stays(row):
                chosen.append(row)
        pieces = []
        for row in chosen:
            s = self.index.sentences[row]
            if s.end - s.start > VALUE_BUDGET:
                words = set(query_tokens)
                piece = self.window(row, self.best_clause(row, words), VALUE_BUDGET)
            else:
                piece = (row, s.start, s.end)
            if sum(e - b for _, b, e in pieces) + piece[2] - piece[1] > VALUE_BUDGET and pieces:
                break
            pieces.append(piece)
        return pieces

    def compose_per_essay(self, question: str, hits: list[Hit], query_vector: np.ndarray, query_tokens: list[str],
                          spellings: set[str], related: list[Hit]) -> Answer:
        """One citation per essay: from each hit (one per essay), its best sentence naming the place."""
        owner: dict[int, Hit] = {}
        chosen = []
        for hit in hits:
            rows = [r for r in self.rows_in(hit) if mentions_any(self.text(r), spellings)] or self.rows_in(hit)
            if not rows:
                continue
            scores, _ = self.sentence_scores(query_vector, query_tokens, rows, hit.rank)
            best = rows[int(np.argmax(scores))]
            owner[best] = hit
            chosen.append(best)
        if not chosen:
            return refusal(question, related, "段落中没有完整的句子")
        # Sentences saying something of it first, best passage first; those only naming it in a
        # roll-call of places ("参观了梅林村、五四村、余村") after them.
        chosen.sort(key=lambda row: named_in_passing(self.text(row), spellings))
        answer = self._write(question, self._glimpses(chosen, spellings), owner, hits, in_order=True)
        answer.related = [h for h in related if h.row not in {c.hit.row for c in answer.citations}]
        return answer

    def _write(self, question: str, pieces: list[Piece], owner: dict[int, Hit], hits: list[Hit],
               as_list: bool = False, in_order: bool = False) -> Answer:
        """The answer quoting `pieces`, in reading order (essay, then position) unless `in_order`."""
        by_row = {r: self.hit_for(r, hits, owner) for r, _, _ in pieces}
        if not in_order:
            pieces = sorted(pieces, key=lambda p: (by_row[p[0]].chunk.essay, p[1]))
        numbers: dict[int, int] = {}
        quotes: dict[int, list[Piece]] = {}
        parts = []
        for row, start, end in pieces:
            hit = by_row[row]
            n = numbers.setdefault(hit.row, len(numbers) + 1)
            quotes.setdefault(hit.row, []).append((row, start, end))
            s = self.index.sentences[row]
            body = self.index.sources[s.source][start:end].strip()
            body = ("…" if start > s.start else "") + body + ("…" if end < s.end else "")
            parts.append(with_marker(body, n))
        hit_of = {h.row: h for h in by_row.values()}
        citations = [
            Citation(n, hit_of[i],
                     "".join(self.index.sources[hit_of[i].chunk.source][a:b].strip() for _, a, b in quotes[i]),
                     tuple((a, b) for _, a, b in quotes[i]))
            for i, n in numbers.items()
        ]
        related = [h for h in hits if h.row not in numbers]
        return Answer(question, ("\n" if as_list else "").join(parts), True, citations, related)


def _bare(line: str) -> str:
    """A line without its surrounding space and closing punctuation."""
    return line.strip().rstrip("。．.：:；;")


def named_in_passing(text: str, spellings: set[str]) -> bool:
    """Whether every mention of the spellings stands in an enumeration (beside 、, before 等 or
    以及): the sentence names the thing among others rather than saying something of it.

    >>> named_in_passing("参观了白沙村、青石村以及红岩村。", {"青石村"}), named_in_passing("青石村建了茶园。", {"青石"})
    (True, False)
    """
    spans = [m.span() for s in spellings for m in re.finditer(re.escape(s), text)]
    return bool(spans) and all(text[max(a - 1, 0):a] == "、" or text[b:b + 1] in ("、", "等")
                               or text[b:b + 2] == "以及" for a, b in spans)


def mentions_any(text: str, spellings: set[str]) -> bool:
    return any(s and s in text for s in spellings)


def names_every(text: str, spellings: list[set[str]]) -> bool:
    """Whether `text` names every one of several things, each by one of its spellings."""
    return all(mentions_any(text, s) for s in spellings)


_WHO = re.compile(r"谁")
# Said between 谁 and its verb ("谁来管", "谁最先提出"):
_LIGHT_WORDS = frozenset({"来", "去", "在", "能", "会", "要", "是", "都", "也", "还", "又", "就",
                          "最先", "首先", "最早"})


def who_slot(question: str, tokenizer: Tokenizer) -> tuple[str, str] | None:
    """The words right before and after 谁 in `question` (two characters or more, the light
    words after it skipped), which the answer's people stand beside; None without 谁.

    >>> who_slot("乙镇动员谁返乡创业？", Tokenizer()), who_slot("这件事最后由谁来负责？", Tokenizer())
    (('动员', '返乡'), ('', '负责'))
    """
    m = _WHO.search(question)
    if m is None:
        return None
    before = tokenizer.tokenize(question[: m.start()])
    after = [w for w in tokenizer.tokenize(question[m.end() :]) if w not in _LIGHT_WORDS]
    return (before[-1] if before and len(before[-1]) >= 2 else "", after[0] if after and len(after[0]) >= 2 else "")


def fills_slot(text: str, span: tuple[int, int], slot: tuple[str, str]) -> bool:
    """Whether the words at `span` of `text` stand where the question's 谁 stood: right after the
    word before it or right before the word after it (a light word or two between).

    >>> fills_slot("乙镇动员青年返乡", (4, 6), ("动员", "返乡")), fills_slot("激发了群众的意识", (3, 5), ("提出", ""))
    (True, False)
    """
    before, after = slot
    return bool(before and before in text[max(0, span[0] - len(before) - 2) : span[0]]
                or after and after in text[span[1] : span[1] + len(after) + 2])


def attribute_terms(attribute: str, tokenizer: Tokenizer) -> set[str]:
    """Words of the asked attribute that a sentence stating it would use (two characters or more),
    with the everyday forms of roles mapped to their written forms (支书 → 书记).

    >>> sorted(attribute_terms("村支书", Tokenizer()))
    ['书记', '支书', '村支书']
    """
    terms = {t for t in tokenizer.tokenize(attribute) if len(t) >= 2}
    return terms | {ROLE_SYNONYMS[t] for t in terms if t in ROLE_SYNONYMS}


def missing_reason(q: Question, attribute_ok: Callable[[str], bool] = lambda attribute: True) -> str:
    """What the essays lack, said precisely: "资料提到了五四村，但没有写其村支书的姓名". The
    attribute is named only when `attribute_ok` accepts it as a thing ("村支书", not "当了"),
    and for a person only when it is a role ("工作法的姓名" says nothing)."""
    attribute = q.attribute if q.attribute and attribute_ok(q.attribute) else ""
    if q.expected == "person" and not ROLE.search(attribute):
        attribute = ""
    if q.focus:
        what = f"其{attribute}的{q.kind_name}" if attribute else f"所问的{q.kind_name}"
        if q.expected == "place" and q.unit and asked_level(q.text):
            what = f"其所属的{asked_level(q.text)}"
        elif q.expected == "place" and (county := county_level(q.text)):
            what = f"其所属的{'区域' if county == AREA else county}"
        return f"资料提到了{'、'.join(q.focus)}，但没有写{what}"
    return f"资料中没有所问的{q.kind_name}" + (f"（{attribute}）" if attribute else "")
