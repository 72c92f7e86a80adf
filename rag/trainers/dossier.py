"""Villages and named practices across the essays, and what each essay says about them.

Names come from the corpus itself: villages, with their spellings, from the gazetteer the index
derives from the text (rag/names.py, names.json); practices are the names the essays put in
quotation marks (“功德银行”, “五众”工作法), kept when they read as a name rather than a
phrase. A passage here is a paragraph of an essay.
Leaves out: ranking by relevance (that is retrieval's job) and names the text never marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.lexicon import base_dictionary
from rag.sections import essay_paragraphs
from rag.store import Index

# A named practice ends in the head noun of a method, an institution or a programme, inside the
# quotes (“功德银行”) or right after them (“五众”工作法).
HEAD_NOUNS = ("工作法", "法", "制", "制度", "机制", "模式", "理念", "工程", "行动", "计划", "中心", "银行", "超市",
              "工坊", "驿站", "书屋", "课堂", "学院", "联盟", "平台", "体系", "基金", "议事", "协商", "经济", "年")
_QUOTED = re.compile(r"(.{0,2})“([\u4e00-\u9fff+]{2,8})”(" + "|".join(sorted(HEAD_NOUNS, key=len, reverse=True)) + ")?")
# Quoted phrases, not names: they contain a pronoun, a question word or a verb-like particle.
_PHRASE = re.compile(r"[我你他她它们什么怎么是的了吗呢要为]")
# Verbs that put a name into practice: 打造“未来大地”, 推行“一院一策”.
NAMING_VERBS = ("打造", "推行", "实施", "实行", "推广", "开展", "创建", "建立", "构建", "探索", "推出", "设立", "启动",
                "创新", "引入", "采用", "运用")
# Numbered names and formulas (“四议两公开”, “一村一品”, “公司+基地+农户”), not ranks (“第一引擎”).
_NUMBERED = re.compile(r"(?<!第)[一二两三四五六七八九十百]|\+")


@dataclass
class Name:
    name: str
    kind: str  # "村庄" or "做法"
    variants: tuple[str, ...]
    source: str = ""  # how the name was found: a rule of the gazetteer, quotation marks, the word list
    essays: list[int] = field(default_factory=list)
    paragraphs: list[tuple[int, int, int]] = field(default_factory=list)  # (essay, start, end)

    @property
    def merged(self) -> tuple[str, ...]:
        return tuple(v for v in self.variants if v != self.name)


def paragraphs(index: Index) -> list[tuple[int, int, int]]:
    """(essay number, start, end) of every paragraph of every essay body."""
    return [(essay.number, p.start, p.end) for essay in index.essays
            for p in essay_paragraphs(index.sources[essay.source], essay)]


def village_names(index: Index) -> dict[str, tuple[set[str], str]]:
    """Village name → (spellings, how it was found): the gazetteer's villages (rag/names.py)
    and the villages of the hand-kept word list (rag/userdict.txt) that no rule derives."""
    derived = {n.name: ({n.name, *n.aliases}, f"从文本识别：{n.how}")
               for n in index.names.of_kind("place") if n.name.endswith("村")}
    spelled = {s for spellings, _ in derived.values() for s in spellings}
    listed = {t.split(" ")[0] for t in index.terms if t.endswith(" ns") and t.split(" ")[0].endswith("村")}
    return derived | {name: ({name}, "人工词表") for name in sorted(listed - spelled)}


def named_practice(core: str, before: str, head: str) -> bool:
    """Whether a quoted term is used as the name of a practice rather than as a figure of speech
    (一张“金名片”, 数字赋能“增智慧”): it is numbered or a formula (“一村一品”, “公司+基地+农户”),
    ends in a head noun (“功德银行”, “五众”工作法), or follows a verb that puts a name into
    practice (打造“未来大地”).

    >>> named_practice("一村一品", "发展", ""), named_practice("五众", "", "工作法")
    (True, True)
    >>> named_practice("金名片", "一张", ""), named_practice("增智慧", "能", "")
    (False, False)
    """
    return (bool(head) or bool(_NUMBERED.search(core)) or core.endswith(HEAD_NOUNS)
            or before.endswith(NAMING_VERBS))


def practice_names(index: Index) -> dict[str, tuple[set[str], str]]:
    """Quoted names of practices (named_practice) that are not common words (以人为本, 办法 …)
    nor phrases; the name takes the head noun that follows the quote when it always does
    (“五众”工作法)."""
    base = base_dictionary()
    suffixes: dict[str, set[str]] = {}
    for essay in index.essays:
        for m in _QUOTED.finditer(index.sources[essay.source][essay.start : essay.end]):
            before, core, head = m.group(1), m.group(2), m.group(3) or ""
            if _PHRASE.search(core) or core in base or core == "千万工程" or not named_practice(core, before, head):
                continue
            suffixes.setdefault(core, set()).add(head)
    return {core + (next(iter(s)) if len(s) == 1 else ""): ({core}, "从文本识别：引号中的名称")
            for core, s in suffixes.items()}


def mentions(text: str, spellings: set[str]) -> list[tuple[int, int]]:
    """Spans of the spellings in `text`, longest spelling first, never overlapping."""
    spans: list[tuple[int, int]] = []
    for spelling in sorted(spellings, key=len, reverse=True):
        for m in re.finditer(re.escape(spelling), text):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append((m.start(), m.end()))
    return sorted(spans)


def build_names(index: Index) -> list[Name]:
    """Every village and practice with the essays and paragraphs that mention it, most-mentioned first."""
    paras = paragraphs(index)
    out = []
    for kind, names in (("村庄", village_names(index)), ("做法", practice_names(index))):
        for name, (spellings, source) in names.items():
            entry = Name(name, kind, tuple(sorted(spellings, key=lambda s: (s != name, s))), source)
            for essay, start, end in paras:
                text = index.sources[index.essay(essay).source][start:end]
                if mentions(text, spellings):
                    entry.paragraphs.append((essay, start, end))
            entry.essays = sorted({p[0] for p in entry.paragraphs})
            if entry.paragraphs:
                out.append(entry)
    return sorted(out, key=lambda n: (-len(n.essays), -len(n.paragraphs), n.kind, n.name))


def naming_sentences(index: Index, name: Name, essay: int, start: int, end: int) -> list[tuple[int, int]]:
    """Source spans of the sentences of a paragraph that mention the name."""
    from rag.chunk import split_sentences

    text = index.sources[index.essay(essay).source]
    spellings = set(name.variants)
    return [(s, e) for s, e in split_sentences(text, start, end) if mentions(text[s:e], spellings)]


def find(names: list[Name], query: str) -> Name | None:
    """The entry a user means by `query`: its name or one of its spellings."""
    query = query.strip()
    return next((n for n in names if query == n.name or query in n.variants), None)
