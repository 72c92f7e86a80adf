"""`Assistant`: load the index and model once, then `search()` and `ask()`.

The CLI, the UI and the evaluator all go through this class; none has retrieval logic of
its own. Loading checks the index against the corpus, model and settings and rebuilds it
when `rebuild=True` (the default), else refuses with a message saying what changed.
Leaves out: presentation (cli.py, app.py).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from rag import build, store
from rag.answer import OFF_TOPIC, SURVEY_PASSAGES, SURVEYED_AMOUNTS, Composer, mentions_any, names_every, refusal
from rag.collection import (
    ESSAYS_COUNTED,
    WRITER_ASKED,
    essay_described,
    essays_about,
    essays_by,
    page_of,
    writers_of,
    written_of,
)
from rag.compare import COMPARED, MAX_SIDES, asked_of_one, compared_names, one_side, said_at_once, side_by_side
from rag.config import MODES, Settings, check_choice
from rag.embed import Encoder, resolve_model
from rag.evidence import is_lead_in, value_spans
from rag.llm import LLMAnswerer, LLMConfig, LLMFailure, best_quote
from rag.pages import located
from rag.passages import is_heading_like
from rag.places import ADMIN_SUFFIXES
from rag.question import (
    GIST_ASKED,
    OUTLINE_ASKED,
    ROLE_WORDS,
    Question,
    authors_named,
    essays_at_position,
    fronted_topic,
    own_words,
    parse,
    referring_kind,
    subject_after_that,
    title_recalled,
    topic_words,
    writer_description,
    writer_rank,
)
from rag.retrieve import Retriever
from rag.schema import Answer, Hit, SearchResult
from rag.text import Tokenizer, normalize, shorten, tidy

MAX_QUESTION_CHARS = 2000
FOCUS_PASSAGES = 3  # passages naming the question's focus brought in when none retrieved does
ANSWER_FIRST_DEPTH = 2  # the passage an answer quotes first may move to the top from this rank
LIST_ITEM_DEPTH = 10  # likewise a list's first item passage, when the list opens on its lead-in
WRITER_FOLLOW_UP_OWN_CHARS = 2  # a writer follow-up with more words of its own is searched by them alone
PART_CUE = r"[”\"]?(?:的|那|这)?一?(?:时|部分|节|条|段|章)"  # "…时", "…那部分", "…这一节"
SECTION_WORDS = 4  # a part named by its heading: the heading's words, or a clause of them, this long at least
# The marker opening a part heading: "三、", "(一)", "1.", "一是".
HEADING_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、]|"
                            r"[一二三四五六七八九十]+是)")
ESSAY_PART_PARAGRAPHS = 1  # an essay's end ("结尾") or opening ("开头"): its last or first paragraphs
ECHOED_QUESTION_CHARS = 80  # a question repeated back in a note is cut to this, with "……"


_QUOTED = re.compile(r"《([^》]+)》|“([^”]+)”")


def quoted_terms(text: str) -> list[str]:
    """What `text` quotes, in “” or 《》, in order.

    >>> quoted_terms("《甲乙》里说的“丙丁”")
    ['甲乙', '丙丁']
    """
    return [m.group(1) or m.group(2) for m in _QUOTED.finditer(text)]
# What a writer does in an essay: says, proposes, plans, describes.
_WRITER_SAYS = re.compile(r"说|提到|提出|提了|认为|觉得|打算|主张|希望|写|谈|讲|介绍|表示|总结|强调|形容|"
                          r"用了|举了|引用")
# Words setting several named writers side by side: "甲和乙分别…", "…有什么不同".
_EACH_OF_THEM = re.compile(r"分别|各自|各有|不同|不一样|区别|差别|差异")
# A question speaking of an essay as a piece of writing: a role it names is the writer's.
_ESSAY_SPOKEN_OF = re.compile(r"[那这该此]篇|文章|心得|一文|文中")


class QuestionError(ValueError):
    """The question cannot be asked (empty, …); the message is for people, in Chinese."""


def clean_question(question: str) -> tuple[str, list[str]]:
    """Normalised question and notes for the user; raises QuestionError if nothing is left."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本")
    text = normalize(question)
    if not text:
        raise QuestionError("问题不能为空")
    notes = []
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS]
        notes.append(f"问题超过 {MAX_QUESTION_CHARS} 字，只按前 {MAX_QUESTION_CHARS} 字回答。")
    return text, notes


@dataclass(frozen=True)
class Conversation:
    """One chat: its turns, each a question with its answer or with the message shown instead
    (a warning); the answered questions feed follow-up retrieval. Immutable: `add` returns a
    new conversation, so the UI can keep one per browser session as state."""

    turns: tuple[tuple[str, Answer | str], ...] = ()

    @property
    def history(self) -> list[str]:
        return [question for question, _ in self.answered()]

    def answered(self) -> list[tuple[str, Answer]]:
        return [(question, reply) for question, reply in self.turns if not isinstance(reply, str)]

    def add(self, question: str, reply: Answer | str) -> "Conversation":
        return Conversation(self.turns + ((question, reply),))


def answer_first(hits: list[Hit], answer: Answer) -> list[Hit]:
    """`hits` with the passage the answer quotes first moved to the top when it ranks within
    ANSWER_FIRST_DEPTH and comes from the essay of the top passage: two halves of one paragraph
    differ less in their vectors and words than in whether a sentence of theirs says what was
    asked, which the answer reads (typed values, the part asked about, a cause). A list opening
    on its lead-in or heading ("…做到以下几点:") says what it lists in its items: the passage of
    its first quoted item within LIST_ITEM_DEPTH moves up instead. Scores stay with the ranks,
    so they still fall with rank. Chosen on dev and the CMRC trial: eval/NOTES.md."""
    if not answer.citations:
        return hits
    first, depth = answer.citations[0].hit.row, ANSWER_FIRST_DEPTH
    opening = answer.citations[0].quote.strip()
    if len(answer.citations) > 1 and (is_lead_in(opening) or is_heading_like(opening)):
        ranked = {hit.row for hit in hits[:LIST_ITEM_DEPTH]}
        items = [c.hit.row for c in answer.citations[1:] if c.hit.row in ranked]
        if items:
            first, depth = items[0], LIST_ITEM_DEPTH
    at = next((i for i, hit in enumerate(hits[:depth]) if hit.row == first), 0)
    if at == 0 or (hits[at].chunk.source, hits[at].chunk.essay) != (hits[0].chunk.source, hits[0].chunk.essay):
        return hits
    ordered = [hits[at], *hits[:at], *hits[at + 1:]]
    return [replace(hit, rank=rank, score=old.score)
            for rank, (hit, old) in enumerate(zip(ordered, hits, strict=True), start=1)]


class Assistant:
    def __init__(self, settings: Settings, index: store.Index, encoder: Encoder, tokenizer: Tokenizer) -> None:
        self.settings = settings
        self.index = index
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.retriever = Retriever(index, settings)
        self.composer = Composer(index, tokenizer, self.retriever.idf, encoder.encode, self.retriever.query_coverage)
        self._names = None  # villages and practices, built on first need (rag.trainers.dossier)
        self._focus = None  # (names a question can be about, aliases, names too common to focus on)
        self.llm = None
        if settings.llm_base_url:
            self.llm = LLMAnswerer(LLMConfig(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                                             settings.llm_timeout))

    @classmethod
    def load(cls, settings: Settings | None = None, rebuild: bool = True, progress: bool = True,
             encoder: Encoder | None = None) -> "Assistant":
        """The assistant over the index of `settings` (rebuilt first if stale, when `rebuild`);
        `encoder`, the base model already loaded, saves loading it again."""
        settings = settings or Settings.from_env()
        index = None
        reasons = build.problems(settings)
        if not reasons:
            try:
                index = build.open_index(settings)
            except store.IndexUnavailable as exc:
                reasons = [str(exc)]
        if reasons and not rebuild:
            raise store.IndexUnavailable("索引不能使用：" + "；".join(reasons) + "。请运行 `rag index`。")
        if reasons:
            print("正在重建索引（" + "；".join(reasons) + "）……", file=sys.stderr, flush=True)
            encoder = encoder or Encoder(resolve_model(settings.embed_model))
            build.build_index(settings, encoder=encoder, progress=progress)
            index = build.open_index(settings)
        encoder = build.encoder_for(settings, index.manifest, encoder)
        tokenizer = Tokenizer(index.terms)
        return cls(settings, index, encoder, tokenizer)

    def rebuilt(self, report: build.Report | None = None) -> "Assistant":
        """A new assistant over the index rebuilt from the corpus as it is now (only what changed is
        encoded). This one keeps answering from the previous index meanwhile, and the files it
        loaded stay valid when the new index is swapped in; a build already running is waited for."""
        build.build_index(self.settings, encoder=self._base_encoder(), progress=False, report=report)
        return self.reloaded()

    def reloaded(self) -> "Assistant":
        """A new assistant over the index as it is now in the store (built by this process or another)."""
        return Assistant.load(self.settings, rebuild=False, encoder=self._base_encoder())

    def _base_encoder(self) -> Encoder | None:
        """The base model, when the one loaded is it (not weights adapted to the corpus)."""
        return None if self.index.manifest.get("adaptation") else self.encoder

    def parse(self, question: str, history: list[str] | tuple[str, ...] = (),
              continued: bool = False) -> tuple[Question, list[str]]:
        """The question read once (rag.question), with notes for the user; follow-ups resolved
        (`continued`: read as one whatever its words)."""
        text, notes = clean_question(question)
        history = [normalize(h) for h in history if isinstance(h, str) and h.strip()]
        parsed = self._read(text, history, continued)
        if parsed.follow_up and self.llm is not None:
            try:
                parsed = replace(parsed, query=self.llm.condense(text, history))
            except LLMFailure as exc:
                notes.append(f"{exc}，按关键词理解上文。")
        if parsed.follow_up and (referent := self.answered_referent(text, history)):
            # "他那门课的标题" after "其中谁做过甲职务": about the one that answer named.
            parsed = replace(parsed, query=f"{referent} {text}", focus=(referent,))
        elif parsed.follow_up and (essay := self.writer_asked_before(text, history)):
            # "那他怎么看甲？" after a question about one essay's writer: that essay, read for the
            # follow-up's own words, which the earlier question's would outweigh.
            alone = self._read(text, [])
            said = len("".join(own_words(self.tokenizer.tokenize(alone.text)))) > WRITER_FOLLOW_UP_OWN_CHARS
            parsed = replace(parsed, essays=frozenset({essay}), query=alone.query if said else parsed.query,
                             focus=alone.focus if said else parsed.focus)
        subject = subject_after_that(parsed.text) if parsed.follow_up and not parsed.topic else ""
        if subject and subject not in parsed.focus and self.composer.corpus_says(subject):
            # "那甲乙服务要在哪几个村开展？": still the conversation's context, but about 甲乙服务,
            # which the essays write: the sentences saying it answer (as "甲乙方面呢？" does).
            parsed = replace(parsed, topic=subject)
        if parsed.follow_up and parsed.query != text:
            notes.append(f"按上文理解为：{shorten(parsed.query, ECHOED_QUESTION_CHARS)}")
        return parsed, notes

    def _read(self, text: str, history: list[str], continued: bool = False) -> Question:
        """rag.question.parse with this corpus's names and tokenizer."""
        return parse(text, history, self.focus_names, self.tokenizer.tokenize, self.common_names,
                     self.composer.place_names, continued, self.retriever.lexical.vocabulary.__contains__)

    def names_an_essay(self, text: str) -> bool:
        """Whether `text` names an essay itself: by its writer's role, its place in the collection or its title."""
        return bool(authors_named(text, self.author_lines) or self.essays_placed(text) or self.titles_named(text))

    def answered_referent(self, text: str, history: list[str]) -> str:
        """The person or village a follow-up points back to ("他", "这个村") when the earlier
        question asked who or which village: of the names of that kind its answer gives (the
        earlier question's own left out), the one nearest the earlier question's words (of five
        teachers, the one named beside the office the question asked about); "" otherwise."""
        from rag.evaluate.metrics import strip_markers

        kind = referring_kind(text)
        if not kind or not history:
            return ""
        earlier, _ = self.parse(history[-1], history[:-1])
        if earlier.expected != kind:
            return ""
        prior = self.ask(history[-1], history[:-1])
        said = strip_markers(prior.answer) if prior.answerable else ""
        wanted = self.tokenizer.people if kind == "person" else self.composer.place_names
        spots = [m.start() for w in self.tokenizer.tokenize(earlier.text) if len(w) >= 2
                 for m in re.finditer(re.escape(w), said)]
        found = [(min((abs(m.start() - s) for s in spots), default=0), m.start(), name)
                 for name in wanted if name not in earlier.focus and len(name) >= 2
                 for m in re.finditer(re.escape(name), said)]
        return min(found)[2] if found else ""

    def writer_asked_before(self, text: str, history: list[str]) -> int | None:
        """The essay a follow-up's "他/她" writes: when the earlier question asked about a writer
        (by role, title, place in the collection or what the essay says), named no one else, and
        the follow-up names no essay itself, the one of that writer's essays the earlier answer
        quotes first."""
        if referring_kind(text) != "person" or not history:
            return None
        if self.names_an_essay(text):
            return None
        earlier, _ = self.parse(history[-1], history[:-1])
        if any(name in earlier.query for name in self.tokenizer.people):
            return None  # "任老师那堂课…" then "他…": the person named, not the writer
        named = self.authors_named(earlier)
        if len(named) <= 1:
            return next(iter(named), None)
        prior = self._answer(history[-1], history[:-1], llm=None)  # its quotes, with no model call
        first = prior.citations[0].hit.chunk.essay if prior.answerable and prior.citations else None
        return first if first in named else None

    def query(self, question: str, history: list[str] | tuple[str, ...] = (), mode: str = "hybrid",
              continued: bool = False):
        """(parsed question, notes, query vector or None for bm25, query tokens)."""
        parsed, notes = self.parse(question, history, continued)
        if continued and parsed.focus:
            # Its own words, about what the conversation was about: the earlier question's words
            # would choose the sentence that answered it again.
            parsed = replace(parsed, query=f"{' '.join(parsed.focus)} {parsed.text}")
        vector = self.encoder.encode(parsed.query) if mode != "bm25" else None
        tokens = self.tokenizer.tokenize(parsed.query)
        return parsed, notes, vector, tokens

    def authors_named(self, question: Question | str, roles_only: bool = False) -> set[int]:
        """The essays whose author the question names by role and organisation (rag.question); a
        role asked about something the question names ("余村的村党支部书记是谁") is no author,
        unless the question speaks of the role's essay ("中心主任在文章里…的工作"); what follows
        the corpus's own subject ("乡村振兴" before "中心…主任") is no attribute of a thing named."""
        parsed = None if isinstance(question, str) else question
        if parsed and parsed.essays:
            return set(parsed.essays)  # the writer a follow-up's 他 points back to
        text = question if parsed is None else parsed.query
        if parsed and parsed.follow_up and self.names_an_essay(parsed.text):
            text = parsed.text  # "那位局长又怎么写的", "第五篇呢": a follow-up naming an essay turns to it
        if parsed and parsed.attribute and parsed.focus and not _ESSAY_SPOKEN_OF.search(text):
            text = text.replace(parsed.attribute, "")
        named = authors_named(text, self.author_lines, roles_only) if self.author_lines else set()
        if rank := writer_rank(text):
            # "第二位局长": of the essays of that office (or of all), the n-th in the collection.
            ranked = sorted(named or (e.number for e in self.index.essays))
            named = {ranked[rank - 1]} if rank <= len(ranked) else named
        if placed := self.essays_placed(text):
            # "第二篇中那位支书": the essay at that place in the collection; a writer named
            # beside it by another role stays ("交通局长和最末一篇那位支书").
            others = {n for line, numbers in self.author_lines.items() if numbers & named and not numbers & placed
                      for n in numbers & named}
            return placed | others
        titled = self.titles_named(text)
        # "标题带“画卷”的那位村支书": of the role's essays, the one whose title is quoted.
        named = titled if titled and titled <= named else named | titled
        clued = self.essays_saying(parsed.clue) if parsed and parsed.clue else set()
        # "写“甲乙”的那位局长": of the role's essays, the one saying it (or the one essay saying it);
        # another writer named beside it stays ("乡长和写“甲乙”的那位支书").
        groups = [numbers & named for numbers in self.author_lines.values() if numbers & named]
        if any(group & clued for group in groups):
            named = set().union(*((group & clued) or group for group in groups))
        elif len(clued) == 1 and not named:
            named = clued
        if len(named) > 1 and (described := writer_description(text)):
            # "种甲果的那位支书": of the role's essays, those using the words describing the writer.
            words = [w for w in own_words(self.tokenizer.tokenize(described)) if len(w) >= 2]
            using = {n for n in named if words and all(self.index.essays_mentioning({w}) >= {n} for w in words)}
            named = using or named
        return named

    @cached_property
    def essay_titles(self) -> dict[int, str]:
        """Each essay's number → its title."""
        return {e.number: e.title for e in self.index.essays}

    @cached_property
    def author_lines(self) -> dict[str, frozenset[int]]:
        """Each author line of the collection → the essays it signs."""
        lines: dict[str, set[int]] = {}
        for essay in self.index.essays:
            if essay.author:
                lines.setdefault(essay.author, set()).add(essay.number)
        return {line: frozenset(numbers) for line, numbers in lines.items()}

    def essays_saying(self, clue: str) -> set[int]:
        """The essays whose title or text holds every term `clue` quotes (empty when it quotes none)."""
        terms = quoted_terms(clue)
        return {e.number for e, body in zip(self.index.essays, self.index.essay_texts, strict=True)
                if terms and all(t in e.title or t in body for t in terms)}

    def writers_quoted(self, question: Question) -> set[int]:
        """The essays whose writer the question names by role as saying or writing something
        ("乡长打算怎么发展产业", "局长那篇…"), not a role it asks about ("…的主任由谁担任");
        or the essay it names by its place in the collection ("第十篇里…"), whatever it asks."""
        if question.essays:
            return set(question.essays)  # "那他怎么看…": the writer the conversation is about
        if self.essays_placed(question.query):
            # "第十篇里…", "最后一篇的作者…": the question keeps to that essay (and to a writer
            # named beside it: "交通局长和最末一篇那位支书").
            return self.authors_named(question)
        return self.authors_named(question, roles_only=True) if _WRITER_SAYS.search(question.text) else set()

    def essays_placed(self, text: str) -> set[int]:
        """The essays the question names by their place in the collection ("第二篇", "最后一篇")."""
        return essays_at_position(text, [e.number for e in self.index.essays])

    def titles_named(self, text: str) -> set[int]:
        """The essay whose title the question quotes, whole or in part ("《…》一文", "标题带“画卷”
        的那位"): a quoted stretch of two characters or more found in one title only; else the
        one whose title the words before "那篇" recall (rag.question.title_recalled)."""
        found: set[int] = set()
        for quoted in quoted_terms(text):
            essays = {e.number for e in self.index.essays if len(quoted) >= 2 and quoted in e.title}
            if len(essays) == 1:
                found |= essays
        return found or title_recalled(text, self.essay_titles)

    def names(self):
        """The villages and practices of the corpus (rag.trainers.dossier), built once, on first need."""
        from rag.trainers.dossier import build_names

        if self._names is None:
            self._names = build_names(self.index)
        return self._names

    def focus_vocabulary(self) -> tuple[list[str], dict[str, set[str]], frozenset[str]]:
        """(names a question can focus on, spellings of each, names too common to focus on).

        The names are the dictionary terms (quoted names, the user dictionary) and the villages
        and practices of rag.trainers.dossier with their merged spellings, and the gazetteer's places
        with theirs (德清县, 德清). Villages and people always count; a place written with its
        administrative unit (德清县) too, unless the corpus is about it, used in more than half of
        the essays (浙江省). Other names count unless they are that widespread or common words (in
        jieba's base dictionary: 办法, 乡贤, and bare place names: 德清, 北京), or verb phrases
        (“引进来”, quoted as a slogan's action).
        """
        if self._focus is None:
            from rag.lexicon import base_dictionary, verb_phrase

            aliases: dict[str, set[str]] = {w: {w} for w in self.tokenizer.words if len(w) >= 2}
            specific = set(self.tokenizer.people)
            places = set()
            for variants, kind in [(e.variants, e.kind) for e in self.names()] + [
                    ({n.name, *n.aliases}, "地名") for n in self.index.names.of_kind("place")]:
                for spelling in variants:
                    aliases.setdefault(spelling, set()).update(variants)
                    if kind == "村庄":
                        specific.add(spelling)
                    elif kind == "地名" and spelling.endswith(tuple(ADMIN_SUFFIXES)):
                        places.add(spelling)  # 德清县 (德清 alone qualifies as often: 北京奥运会)
            base = base_dictionary()
            common = frozenset(n for n in aliases if n not in specific and (
                self.index.widespread(aliases[n]) or n in base and n not in places or verb_phrase(n)))
            self._focus = (sorted(aliases), aliases, common)
        return self._focus

    @property
    def focus_names(self) -> list[str]:
        return self.focus_vocabulary()[0]

    @property
    def common_names(self) -> frozenset[str]:
        return self.focus_vocabulary()[2]

    def comparable_kind(self, name: str, question: str = "") -> str:
        """What kind of thing a name is, for comparisons: a village, a person, a term the
        `question` quotes ("“四敢”和“四真”"), or "" (neither: a county or district qualifying a
        village, a programme named without quotes)."""
        if name in self.composer.place_names and name.endswith("村"):
            return "village"
        if name in self.tokenizer.people:
            return "person"
        return "quoted" if re.search(f"[“\"《]{re.escape(name)}[”\"》]", question) else ""

    def place_surveyed(self, question: Question):
        """The village or practice a "what did several participants write about X" question names."""
        from rag.trainers.dossier import find

        if not question.focus or question.expected != "survey":
            return None
        places = [p for p in (find(self.names(), n) for n in question.focus) if p is not None and len(p.essays) > 1]
        return max(places, key=lambda p: len(p.name), default=None)

    def survey_topic(self, question: Question) -> set[str]:
        """The spellings of what a "what did several participants write about X" question surveys:
        the village or practice the essays share (the gazetteer's), else a term the question
        quotes (“积分”), the topic it sets first ("说到甲，…") or a name it mentions (a person)
        that two essays or more use and most do not. Empty when there is none: a survey of a
        plain word is left to the sentences."""
        place = self.place_surveyed(question)
        if place is not None:
            return set(place.variants)
        if question.expected != "survey":
            return set()
        fronted = [topic] if (topic := fronted_topic(question.text)) else []
        candidates = [*quoted_terms(question.text), *fronted, *sorted(question.focus, key=len, reverse=True)]
        found = next((term for term in candidates
                      if self.index.essays_using({term}) >= 2 and not self.index.widespread({term})), None)
        return {found} if found else set()

    def hits_per_essay(self, holds: Callable[[str], bool], vector, tokens) -> list[Hit]:
        """For each essay with a passage whose text `holds` what is asked (a name, a kind of
        value), its best-scoring such passage."""
        scores = self.retriever.scores(vector, tokens, "hybrid")
        best: dict[int, int] = {}
        for row, chunk in enumerate(self.index.chunks):
            if holds(chunk.text):
                if chunk.essay not in best or scores[row] > scores[best[chunk.essay]]:
                    best[chunk.essay] = row
        ordered = sorted(best.values(), key=lambda r: -scores[r])
        return [Hit(rank, float(scores[r]), self.index.chunks[r], r) for rank, r in enumerate(ordered, start=1)]

    def check_collection(self, collection: str | None) -> str | None:
        """`collection` if the corpus has it (None: every collection); else a QuestionError naming those it has."""
        if collection is None:
            return None
        known = sorted({e.collection for e in self.index.essays})
        if collection not in known:
            names = "、".join(c or "（顶层）" for c in known)
            raise QuestionError(f"没有名为“{collection}”的文集；现有：{names}")
        return collection

    def _passages(self, parsed: Question, vector, tokens: list[str], k: int | None, mode: str,
                  collection: str | None) -> list[Hit]:
        """The passages retrieved for `parsed`, those of the part of an essay it places what it
        asks in (`part_passages`) first."""
        k = k or self.settings.k
        hits = self.retriever.search(vector, tokens, k, mode, collection, self.authors_named(parsed))
        hits = hits + self.focus_passages(parsed, hits, vector, tokens, mode, collection)
        there = self.part_passages(parsed)
        if not there:
            return hits
        scores = {h.row: h.score for h in hits}
        first = [Hit(0, scores.get(row, hits[0].score if hits else 0.0), self.index.chunks[row], row) for row in there]
        ordered = first + [h for h in hits if h.row not in there]
        return [replace(h, rank=rank) for rank, h in enumerate(ordered[: max(len(hits), len(first))], start=1)]

    def focus_passages(self, parsed: Question, hits: list[Hit], vector, tokens: list[str], mode: str,
                       collection: str | None) -> list[Hit]:
        """When no passage of `hits` names every focus of the question (“美丽乡村+” in few passages,
        below generic ones sharing its words), the best FOCUS_PASSAGES of those that do, ranked after
        `hits`; none when one of `hits` does, or none in the corpus does."""
        aliases = self.focus_vocabulary()[1]
        spellings = [self.composer.spellings(f, aliases) for f in parsed.focus]
        if not spellings or any(names_every(h.chunk.text, spellings) for h in hits):
            return []
        deeper = self.retriever.search(vector, tokens, len(self.index.chunks), mode, collection,
                                       self.authors_named(parsed))
        found = [h for h in deeper if names_every(h.chunk.text, spellings)][:FOCUS_PASSAGES]
        return [replace(h, rank=rank) for rank, h in enumerate(found, start=len(hits) + 1)]

    def part_passages(self, parsed: Question) -> list[int]:
        """The chunk rows holding the `part_rows` of the question (of that essay's chunks only)."""
        part = set(self.part_rows(parsed))
        if not part:
            return []
        source = self.index.sentences[min(part)].source
        return [row for row, chunk in enumerate(self.index.chunks)
                if chunk.source == source and part & set(self.index.sentence_rows(row))]

    def part_rows(self, parsed: Question) -> list[int]:
        """The sentence rows of the part of the one essay the question names where it places what
        it asks: its end or opening ("交通局长在结尾说…": the essay's last ESSAY_PART_PARAGRAPHS
        paragraphs; "开头": its first), or a part it names by its heading's words ("讲甲乙时"
        of the part "三、甲乙"); [] when it places nothing or names no one essay."""
        essays = self.authors_named(parsed)
        if len(essays) != 1:
            return []
        number = next(iter(essays))
        if not parsed.essay_part:
            return self.section_rows(number, parsed.text)
        rows = self.composer.essay_rows(number)
        openings = [i for i, r in enumerate(rows) if self.composer.opens_paragraph(r)]
        if len(openings) <= ESSAY_PART_PARAGRAPHS:
            return []
        return (rows[openings[-ESSAY_PART_PARAGRAPHS]:] if parsed.essay_part == "end"
                else rows[: openings[ESSAY_PART_PARAGRAPHS]])

    def section_rows(self, number: int, text: str) -> list[int]:
        """The sentence rows of the part of essay `number` whose heading `text` quotes as a part
        ("讲甲乙时", "“丙丁”那部分": the whole heading or a clause of it, of SECTION_WORDS
        characters or more, without its marker (三、, (一), 一是), before a word for a part:
        PART_CUE); the deepest such part. [] when it quotes none: a heading's words alone may be
        what is asked about ("哪两个村朝甲乙方向发展")."""
        essay = self.index.essay(number)
        found = None
        for section in essay.sections:
            for depth, heading in enumerate(section.heading_path):
                bare = HEADING_MARKER.sub("", heading).strip(" 。.:：")
                clauses = [bare, *re.split(r"[,，;；]", bare)]
                if any(len(c.strip()) >= SECTION_WORDS and re.search(re.escape(c.strip()) + PART_CUE, text)
                       for c in clauses) and (found is None or depth >= found[0]):
                    found = (depth, section.heading_path[: depth + 1])
        if found is None:
            return []
        spans = [(s.start, s.end) for s in essay.sections if s.heading_path[: len(found[1])] == found[1]]
        start, end = min(a for a, _ in spans), max(b for _, b in spans)
        return [r for r in self.composer.essay_rows(number) if start <= self.index.sentences[r].start < end]

    def search(self, question: str, k: int | None = None, mode: str | None = None,
               history: list[str] | tuple[str, ...] = (), collection: str | None = None) -> SearchResult:
        mode = check_choice("mode", mode or self.settings.mode, MODES)
        collection = self.check_collection(collection)
        parsed, notes, vector, tokens = self.query(question, history, mode)
        hits = self._passages(parsed, vector, tokens, k, mode, collection)
        if mode == "hybrid" and hits:
            # The second stage: the extractive answer reads the passages sentence by sentence.
            hits = answer_first(hits, self._compose(parsed, hits, vector, tokens, mode, collection))
        return SearchResult(parsed.shown, mode, hits, notes)

    def reply(self, conversation: Conversation, question: str, **options) -> tuple[Answer, Conversation]:
        """`ask` within a conversation: the answer, and the conversation with this turn added, the
        question kept as the user typed it (a full-width "？" stays one; it is read normalised)."""
        answer = self.ask(question, history=conversation.history, **options)
        return answer, conversation.add(tidy(question), answer)

    def _compose(self, parsed: Question, hits: list[Hit], vector, tokens: list[str], mode: str,
                 collection: str | None) -> Answer:
        """The extractive answer: read from the collection's layout when the question asks it
        (from_contents), else from the passages (_compose_from_passages)."""
        laid_out = self.from_contents(parsed, hits, collection)
        return laid_out or self._compose_from_passages(parsed, hits, vector, tokens, mode, collection)

    def _compose_from_passages(self, parsed: Question, hits: list[Hit], vector, tokens: list[str], mode: str,
                               collection: str | None) -> Answer:
        """The extractive answer from `hits`; a survey of a place the essays share reads each essay's
        passage; a comparison of named things asks about each on its own (rag.compare)."""
        essays = self.authors_named(parsed)
        names = () if parsed.follow_up else compared_names(
            parsed.focus, parsed.text, lambda name: self.comparable_kind(name, parsed.text))
        if names:
            sides = []
            for name in names:
                side, _, side_vector, side_tokens = self.query(one_side(parsed.text, name, names), mode=mode)
                side_hits = self.retriever.search(side_vector, side_tokens, self.settings.k, mode, collection,
                                                  self.authors_named(side))
                sides.append((name, self._compose(side, side_hits, side_vector, side_tokens, mode, collection)))
            if not said_at_once(sides):
                return side_by_side(parsed.shown, sides, hits, self.index.sources)
        signed = {self.index.essay(n).author for n in essays}  # the author lines the question names
        if not parsed.follow_up and self.writers_compared(parsed, essays, signed):
            return self.writers_side_by_side(parsed, essays, hits, vector, tokens, mode, collection)
        surveyed = mode == "hybrid" and collection is None and self.retriever.exact
        topic = self.survey_topic(parsed) if surveyed else set()
        if surveyed and not topic and len(signed) >= 2 and parsed.focus and _EACH_OF_THEM.search(parsed.text):
            # "甲和乙对丙的看法有什么不同": what each writer named says of 丙.
            aliases = self.focus_vocabulary()[1]
            topic = set().union(*(self.composer.spellings(f, aliases) for f in parsed.focus))
        if topic:
            per_essay = self.hits_per_essay(lambda text: mentions_any(text, topic), vector, tokens)
            # Two writers or more named ("甲和乙都写到丙…"): their essays only.
            per_essay = [h for h in per_essay if len(signed) < 2 or h.chunk.essay in essays] or per_essay
            return self.composer.compose_per_essay(parsed.shown, per_essay, vector, tokens, topic, hits)
        if surveyed and parsed.expected == "survey" and parsed.value_kind in SURVEYED_AMOUNTS and not parsed.focus:
            # "各篇说的开班日期各是哪天": each essay's best passage stating a value of that kind,
            # though the passages retrieved for the question come from a few essays only.
            kind = parsed.value_kind
            per_essay = self.hits_per_essay(lambda text: bool(value_spans(text, kind, None, self.tokenizer)),
                                            vector, tokens)
            present = {h.chunk.essay for h in hits}
            extra = [h for h in per_essay if h.chunk.essay not in present][:SURVEY_PASSAGES]
            hits = hits + [replace(h, rank=rank) for rank, h in enumerate(extra, start=len(hits) + 1)]
        return self.composer.compose(parsed, hits, vector, tokens, self.focus_vocabulary()[1],
                                     names_writer=bool(essays), writers=self.writers_quoted(parsed),
                                     within=frozenset(self.part_rows(parsed)))

    def writers_compared(self, parsed: Question, essays: set[int], signed: set[str]) -> bool:
        """Whether the question asks the same of two or three writers it names, each on their own
        ("甲局长和乙主任各自…", "第一篇和第三篇的作者分别…"): writers of different
        offices, or essays named by their place, with a word giving each their own answer."""
        named = len(signed) >= 2 or len(self.essays_placed(parsed.text)) >= 2
        return named and 2 <= len(essays) <= MAX_SIDES and bool(COMPARED.search(parsed.text))

    def writers_side_by_side(self, parsed: Question, essays: set[int], hits: list[Hit], vector, tokens: list[str],
                             mode: str, collection: str | None) -> Answer:
        """"甲局长和乙主任各自…": the question asked of each writer's essay alone, the answers
        side by side, a line per writer (rag.compare)."""
        sides = []
        for number in sorted(essays):
            side = self.asked_of_essay(parsed, number)
            side_hits = self._passages(side, vector, tokens, None, mode, collection)
            sides.append((self.writer_label(number),
                          self._compose_from_passages(side, side_hits, vector, tokens, mode, collection)))
        return side_by_side(parsed.shown, sides, hits, self.index.sources)

    def asked_of_essay(self, parsed: Question, number: int) -> Question:
        """The question asked of essay `number` alone, read again without its word for "each"
        ("各自用了多长时间" asks a duration of each, not a survey); of its focus, only what that
        essay names. One essay is no survey, whatever other words say several ("两人都写了…"):
        a survey of a kind of value asks that value, any other is open."""
        alone = self._read(asked_of_one(parsed.text), [])
        focus = tuple(f for f in alone.focus if number in self.index.essays_mentioning({f}))
        expected = (alone.value_kind or "") if alone.expected == "survey" else alone.expected
        return replace(alone, essays=frozenset({number}), focus=focus, expected=expected, asked=parsed.shown)

    def writer_label(self, number: int) -> str:
        """How an answer names the writer of essay `number`: the author line, with the title when
        other essays are signed alike."""
        essay = self.index.essay(number)
        shared = len(self.author_lines.get(essay.author, ())) > 1
        return f"{essay.author}《{essay.title}》" if shared else essay.author

    def from_contents(self, parsed: Question, hits: list[Hit], collection: str | None = None) -> Answer | None:
        """The answer read from how the collection is laid out, not from what a passage says:
        an essay's part headings ("这篇分成哪几部分"), the page the table of contents
        gives ("…在第几页"), who wrote an essay or which essays a writer wrote (rag.collection);
        None for any other question. A model answering from the passages would not see the
        layout, so these answers are never handed to it."""
        # "这篇分成几部分", and "第二篇讲了什么" of nothing but the essay: its part headings. A bare
        # "第三篇呢？" after either asks it again of that essay.
        asking = parsed.asking
        gist = GIST_ASKED.search(asking) and not parsed.focus and (parsed.asks_again or not parsed.follow_up)
        essays = self.authors_named(parsed) if OUTLINE_ASKED.search(asking) or gist else set()
        if len(essays) == 1 and (outline := self.composer.outline(parsed.shown, next(iter(essays)), hits)):
            return outline
        if parsed.expected == "page":
            return self.page_answer(parsed, hits)
        return self.about_writers(parsed, hits, collection)

    def about_writers(self, parsed: Question, hits: list[Hit], collection: str | None = None) -> Answer | None:
        """Who wrote which essay, from the author lines of a collection whose essays are signed
        (rag.collection), among the essays of `collection` when one is chosen; None when the
        question asks nothing of the kind or names no essay."""
        if not self.author_lines:
            return None
        pool = {e.number for e in self.index.essays if collection is None or e.collection == collection}
        if counted := ESSAYS_COUNTED.search(parsed.text):
            # "局长写的有几篇": every essay a writer of that role signed; "资料里共有多少篇": all.
            named = authors_named(parsed.text, self.author_lines, every=True) & pool
            whole = bool(counted.group("whole")) and not named
            if named or whole:
                role = m.group(0) if (m := re.search(ROLE_WORDS, parsed.text)) else ""
                return essays_by(parsed.shown, self.index, named or pool, hits, len(pool), whole, role)
        if not WRITER_ASKED.search(parsed.asking):  # "第五篇呢？" after "第三篇是谁写的"
            return None
        if essays := {n for n in self.authors_named(parsed) & pool if self.index.essay(n).author}:
            return writers_of(parsed.shown, self.index, essays, hits)  # "第三篇是谁写的"
        quoting = self.essays_saying(parsed.text) & pool
        if quoting and len(quoting) * 2 <= len(pool):
            # "引了“甲乙”的是谁，文章叫啥": the essays quoting it (not a term most of them use).
            terms = quoted_terms(parsed.text)
            return writers_of(parsed.shown, self.index, quoting, hits, "”“".join(terms),
                              tuple(frozenset({t}) for t in terms))
        if (described := essay_described(parsed.text)) and (essays := essays_about(self.index, described, pool)):
            # "写交通的那篇是谁写的": the essay signed or titled so, else those using the word
            # (each cited where it first does).
            used = essays <= self.index.essays_mentioning({described})
            return writers_of(parsed.shown, self.index, essays, hits, "" if len(essays) == 1 else described,
                              (frozenset({described}),) if used else ())
        if topic := written_of(parsed.text):
            # "哪位学员写的心得提到了甲村": the writers of the essays using it (in any of its
            # spellings), or each of its words when the essays never write it whole ("甲村的矿山").
            aliases = self.focus_vocabulary()[1]
            words = [topic] if self.composer.corpus_says(topic) else [
                w for w in self.tokenizer.tokenize(topic) if len(w) >= 2]
            terms = tuple(frozenset(aliases.get(w, {w})) for w in words)
            if terms and (essays := set.intersection(pool, *(self.index.essays_mentioning(t) for t in terms))):
                return writers_of(parsed.shown, self.index, essays, hits, topic, terms)
        unknown = [t for t in re.findall(r"《([^《》]+)》", parsed.text) if not self.composer.corpus_says(t)]
        if unknown:  # "《甲乙》的作者是谁" of a title the collection neither holds nor mentions
            reason = f"资料中没有题为《{unknown[0]}》的文章"
            return refusal(parsed.shown, hits, reason, text=f"{reason}，也没有提到它。")
        return None

    def page_answer(self, parsed: Question, hits: list[Hit]) -> Answer:
        """"…印在第几页": the page the table of contents gives the essay or part the question
        names (rag.pages); refused, saying why, when the corpus has no page numbers or the
        question names nothing the table of contents lists."""
        if not any(essay.pages for essay in self.index.essays):
            reason = "资料没有带页码的目录"
            return refusal(parsed.shown, hits, reason, text=f"{reason}，无法回答页码。")
        found = located(parsed.query if parsed.follow_up else parsed.text, self.index.essays,
                        self.authors_named(parsed))
        if found is None:
            reason = "没有认出问的是哪篇文章或哪一节"
            return refusal(parsed.shown, hits, reason, text=f"{reason}；请给出文章标题、作者或小标题。")
        return page_of(parsed.shown, self.index, *found, hits)

    def _resumed(self, question: str, history: list[str] | tuple[str, ...], k: int | None, mode: str,
                 collection: str | None) -> tuple[Answer, list[Hit], list[str]] | None:
        """(answer, hits, notes) of a question the corpus has no topic for read as continuing the
        conversation (its subject left out: "按什么分红？", "早年欠了多少债？"), when the passage its
        answer quotes first says every word naming what the question asks about (rag.question's
        topic_words). An everyday question ("怎么治失眠", "去外地玩两天行程怎么排") names
        things no passage of the conversation's topic says all of; else None."""
        parsed, notes, vector, tokens = self.query(question, history, mode, continued=True)
        hits = self._passages(parsed, vector, tokens, k, mode, collection)
        answer = self._compose_from_passages(parsed, hits, vector, tokens, mode, collection)
        own = topic_words(self.tokenizer.tokenize(parsed.text), self.tokenizer.tagged(parsed.text))
        if not (answer.answerable and answer.citations and own):
            return None
        first = answer.citations[0].hit.chunk.text
        return (answer, hits, notes) if all(word in first for word in own) else None

    def ask(self, question: str, history: list[str] | tuple[str, ...] = (), k: int | None = None,
            mode: str | None = None, collection: str | None = None) -> Answer:
        return self._answer(question, history, k, mode, collection, self.llm)

    def _answer(self, question: str, history: list[str] | tuple[str, ...], k: int | None = None,
                mode: str | None = None, collection: str | None = None, llm: LLMAnswerer | None = None) -> Answer:
        """`ask`, with `llm` writing the answer from the passages, or the extractive answer when None."""
        mode = check_choice("mode", mode or self.settings.mode, MODES)
        collection = self.check_collection(collection)
        # The answer scores sentences against the question vector, so it is always computed.
        parsed, notes, vector, tokens = self.query(question, history)
        text = parsed.shown
        hits = self._passages(parsed, vector, tokens, k, mode, collection)
        laid_out = self.from_contents(parsed, hits, collection)
        answer = laid_out or self._compose_from_passages(parsed, hits, vector, tokens, mode, collection)
        if history and answer.reason == OFF_TOPIC and not parsed.follow_up:
            # "按什么分红？" after a question about 甲村: about nothing the corpus says alone, so
            # perhaps about what the conversation was.
            answer, hits, notes = self._resumed(question, history, k, mode, collection) or (answer, hits, notes)
        if llm is not None and hits and laid_out is None:
            try:
                answer = llm.answer(text, hits[: self.settings.llm_passages],
                                    lambda hit: best_quote(self.composer, hit, vector))
            except LLMFailure as exc:
                notes.append(f"{exc}，以下为摘录式回答。")
        answer.notes = notes + answer.notes
        return answer
