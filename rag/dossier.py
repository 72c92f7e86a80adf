"""Villages and named practices across the essays, and what each essay says about them.

Names come from the corpus itself: villages are the tokens ending in 村 that jieba (with the
project dictionary) keeps whole and its base dictionary does not know as a common word
(乡村, 示范村 …); practices are the names the essays put in quotation marks (“功德银行”,
“五众”工作法), kept when they read as a name rather than a phrase. Spellings of one place are
merged where the text shows it: a shorter village name whose stem begins the longer one's and
that follows the same place qualifier ("瓜沥梅村" and "瓜沥梅林村"), and a village's stem used
on its own ("何斯路" for 何斯路村). A passage here is a paragraph of an essay.
Leaves out: ranking by relevance (that is retrieval's job) and names the text never marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.index import Index
from rag.text import Tokenizer

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_QUOTED = re.compile(r"“([\u4e00-\u9fff+]{2,8})”(工作法|银行|模式|理念|工程|机制|制度|超市)?")
# Quoted phrases, not names: they contain a pronoun, a question word or a verb-like particle.
_PHRASE = re.compile(r"[我你他她它们什么怎么是的了吗呢要]")


@dataclass
class Name:
    name: str
    kind: str  # "村庄" or "做法"
    variants: tuple[str, ...]
    essays: list[int] = field(default_factory=list)
    paragraphs: list[tuple[int, int, int]] = field(default_factory=list)  # (essay, start, end)

    @property
    def merged(self) -> tuple[str, ...]:
        return tuple(v for v in self.variants if v != self.name)


def base_dictionary() -> dict:
    """jieba's base dictionary (word → frequency): the common words of the language."""
    import jieba

    jieba.setLogLevel(60)
    jieba.dt.initialize()
    return jieba.dt.FREQ


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


def village_names(index: Index, tokenizer: Tokenizer) -> dict[str, set[str]]:
    """Village name → spellings, from the tokens ending in 村 (see module doc).

    A one-character stem ("余村") counts only where a place name stands right before it
    ("安吉余村"); otherwise 个村, 强村 and the like would pass.
    """
    base = base_dictionary()
    found: dict[str, int] = {}
    qualifiers: dict[str, set[str]] = {}
    placed: set[str] = set()
    for essay in index.essays:
        text = index.sources[essay.source][essay.start : essay.end]
        previous_flag, pos = "", 0
        for pair in tokenizer.tagged(text):
            token, stem = pair.word, pair.word[:-1]
            if (token.endswith("村") and 1 <= len(stem) <= 4 and _CJK.match(stem) and token not in base
                    and not stem.endswith("乡") and stem not in "省市县区镇乡" and not _PHRASE.search(stem)):
                found[token] = found.get(token, 0) + 1
                qualifiers.setdefault(token, set()).add(text[max(0, pos - 2) : pos])
                if previous_flag == "ns":
                    placed.add(token)
            previous_flag, pos = pair.flag, pos + len(token)
    found = {name: n for name, n in found.items() if len(name) > 2 or name in placed}
    names = {name: {name} for name in found}
    for short in sorted(found, key=len):
        for long in found:
            if (short != long and long[:-1].startswith(short[:-1]) and short in names and long in names
                    and qualifiers[short] & qualifiers[long] - {""}):
                keep, drop = (long, short) if found[long] >= found[short] else (short, long)
                names[keep] |= names.pop(drop)
    for name, spellings in names.items():
        stem = name[:-1]
        if len(stem) >= 3:
            spellings.add(stem)
    return names


def practice_names(index: Index) -> dict[str, set[str]]:
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
    return {core + (next(iter(s)) if len(s) == 1 else ""): {core} for core, s in suffixes.items()}


def mentions(text: str, spellings: set[str]) -> list[tuple[int, int]]:
    """Spans of the spellings in `text`, longest spelling first, never overlapping."""
    spans: list[tuple[int, int]] = []
    for spelling in sorted(spellings, key=len, reverse=True):
        for m in re.finditer(re.escape(spelling), text):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append((m.start(), m.end()))
    return sorted(spans)


def build_names(index: Index, tokenizer: Tokenizer) -> list[Name]:
    """Every village and practice with the essays and paragraphs that mention it, most-mentioned first."""
    paras = paragraphs(index)
    out = []
    for kind, names in (("村庄", village_names(index, tokenizer)), ("做法", practice_names(index))):
        for name, spellings in names.items():
            entry = Name(name, kind, tuple(sorted(spellings, key=lambda s: (s != name, s))))
            for essay, start, end in paras:
                text = index.sources[index.essays[essay - 1].source][start:end]
                if mentions(text, spellings):
                    entry.paragraphs.append((essay, start, end))
            entry.essays = sorted({p[0] for p in entry.paragraphs})
            if entry.paragraphs:
                out.append(entry)
    return sorted(out, key=lambda n: (-len(n.essays), -len(n.paragraphs), n.kind, n.name))


def naming_sentences(index: Index, name: Name, essay: int, start: int, end: int) -> list[tuple[int, int]]:
    """Source spans of the sentences of a paragraph that mention the name."""
    from rag.chunk import split_sentences

    text = index.sources[index.essays[essay - 1].source]
    spellings = set(name.variants)
    return [(s, e) for s, e in split_sentences(text, start, end) if mentions(text[s:e], spellings)]


def find(names: list[Name], query: str) -> Name | None:
    """The entry a user means by `query`: its name or one of its spellings."""
    query = query.strip()
    return next((n for n in names if query == n.name or query in n.variants), None)
