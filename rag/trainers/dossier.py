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
from rag.store import Index

_QUOTED = re.compile(r"“([\u4e00-\u9fff+]{2,8})”(工作法|银行|模式|理念|工程|机制|制度|超市)?")
# Quoted phrases, not names: they contain a pronoun, a question word or a verb-like particle.
_PHRASE = re.compile(r"[我你他她它们什么怎么是的了吗呢要]")


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
    out = []
    for essay in index.essays:
        text = index.sources[essay.source]
        pos = essay.start
        for line in text[essay.start : essay.end].split("\n"):
            if line.strip():
                out.append((essay.number, pos, pos + len(line)))
            pos += len(line) + 1
    return out


def village_names(index: Index) -> dict[str, tuple[set[str], str]]:
    """Village name → (spellings, how it was found): the gazetteer's villages (rag/names.py)
    and the villages of the hand-kept word list (rag/userdict.txt) that no rule derives."""
    derived = {n.name: ({n.name, *n.aliases}, f"从文本识别：{n.how}")
               for n in index.names.of_kind("place") if n.name.endswith("村")}
    spelled = {s for spellings, _ in derived.values() for s in spellings}
    listed = {t.split(" ")[0] for t in index.terms if t.endswith(" ns") and t.split(" ")[0].endswith("村")}
    return derived | {name: ({name}, "人工词表") for name in sorted(listed - spelled)}


def practice_names(index: Index) -> dict[str, tuple[set[str], str]]:
    """Quoted names that are not common words (以人为本, 办法 …) nor phrases; the name takes the
    word that follows the quote when it always does (“五众”工作法)."""
    base = base_dictionary()
    suffixes: dict[str, set[str]] = {}
    for essay in index.essays:
        for m in _QUOTED.finditer(index.sources[essay.source][essay.start : essay.end]):
            core = m.group(1)
            if _PHRASE.search(core) or core in base or core == "千万工程":
                continue
            suffixes.setdefault(core, set()).add(m.group(2) or "")
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
