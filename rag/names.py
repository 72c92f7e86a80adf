"""The names a corpus uses, found in its own text when the index is built (`names.json`).

- places: "X村/镇/乡/县/区" whose stem X is a word of its own. The evidence is the text around
  every occurrence (accessor variety: a name is preceded by several different characters, a
  fragment such as 掌村 always by the same one, 东), a qualifier before it (an administrative
  unit, "南宋镇东掌村", or a place that qualifies other names too, "安吉余村" and "安吉刘家塘村"),
  and jieba's base dictionary: a stem made of common words (精品示范村, 文明村) or a one-character
  stem (余村, 兴村) counts only when a qualifier stands before it somewhere;
- people: a surname and one or two characters next to a role (书记、老师、教授、主任…) —
  "傅临产书记", "支部书记何允辉" — or listed with such a name ("杜英森、沈伟桥、梁雪松教授");
- programmes and named practices: quoted terms and 《titles》 (rag.text.corpus_terms);
- aliases: a village's stem used on its own (何斯路 for 何斯路村), and a shorter village name
  after the same qualifier as a longer one whose stem it begins (瓜沥梅村 / 瓜沥梅林村).
Every entry records how it was found and where it first occurs. The tokenizer, the dossier and
the question stage read these names; rag/userdict.txt keeps only what no rule here derives.
Leaves out: organisations (no reliable surface mark in these texts) and names in Latin script.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

PLACE_SUFFIXES = "村镇乡县区"
# An administrative unit standing right before a name qualifies it ("韩店街道桥沟村", "X镇西申家庄村").
_ADMIN_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,4}?|[A-Z])(?:省|市|县|区|镇|乡|街道|新区)")
PROPER_TAGS = frozenset({"nr", "ns", "nz", "nt", "nrt", "nrfg"})
ROLES = ("书记", "支书", "老师", "教授", "主任", "局长", "院长", "校长", "县长", "区长", "镇长", "乡长", "村长",
         "市长", "部长", "厅长", "处长", "科长", "站长", "所长", "主席", "委员", "专家", "研究员", "讲师",
         "博士", "先生", "女士", "同志", "总经理", "董事长", "会长", "社长", "馆长")
# The hundred commonest Chinese surnames (single-character ones) and the common double ones.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "傅施季俞柴葛滕殷齐庞洪章牛包鲁") | {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"}
# Characters that end the word before a name: punctuation is handled apart.
FUNCTION_CHARS = set("的在和与及以从到对把将是为了向由等或也都并被让给同跟")
# A stem starting with one of these is a determiner phrase, not a name: 各村, 本村, 该镇, 全区.
DETERMINERS = set("各本该我你他她全每这那此某其诸哪第")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN_END = re.compile(r"[\u4e00-\u9fff]{1,8}\Z")
_NAME_CHARS = r"[\u4e00-\u9fff]"
_COUNTED = re.compile(r"[\d一二两三四五六七八九十百千几多][个批类种座]\Z")
MIN_COMMON_STEM = 3  # occurrences and distinct contexts for a common word used as a name (五四村)


@dataclass
class Name:
    name: str
    kind: str  # "place", "person" or "programme"
    how: str  # the rule that found it
    count: int
    first: tuple[str, int]  # (source, offset) of the first occurrence
    aliases: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Gazetteer:
    names: list[Name]

    def of_kind(self, kind: str) -> list[Name]:
        return [n for n in self.names if n.kind == kind]

    def dictionary_entries(self) -> list[str]:
        """`word tag` lines for the tokenizer: places ns, people nr, programmes untagged."""
        tags = {"place": " ns", "person": " nr", "programme": ""}
        return sorted({f"{spelling}{tags[n.kind]}" for n in self.names for spelling in [n.name, *n.aliases]})

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps([n.to_dict() for n in self.names], ensure_ascii=False, indent=1),
                              encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Gazetteer":
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls([Name(r["name"], r["kind"], r["how"], r["count"], tuple(r["first"]), list(r["aliases"]))
                    for r in rows])


@lru_cache(maxsize=1)
def base_dictionary() -> frozenset[str]:
    """The words of jieba's base dictionary, the common words of the language (its table also
    lists every prefix of a word, with frequency 0: 径山 as the start of 径山寺; not words)."""
    import jieba

    jieba.setLogLevel(60)
    jieba.dt.initialize()
    return frozenset(w for w, freq in jieba.dt.FREQ.items() if freq > 0)


def _common_words_only(stem: str, base) -> bool:
    """Whether jieba's base dictionary cuts `stem` into common words of two characters or more
    (精品示范 → 精品/示范, 文明 → 文明): the stem reads as a phrase, not a name."""
    return _words(stem, base) > 0


@dataclass
class _Occurrence:
    source: str
    start: int  # of the candidate
    left: str  # the character before it ("" at a boundary)
    boundary: bool  # punctuation, a function character or a common word ends right before it
    qualified: str  # an administrative unit standing right before it, or ""
    before: str  # the two and three characters before it


def _place_occurrences(texts: dict[str, str], base) -> dict[str, list[_Occurrence]]:
    found: dict[str, list[_Occurrence]] = defaultdict(list)
    for source, text in texts.items():
        for m in re.finditer(f"[{PLACE_SUFFIXES}]", text):
            i = m.start()
            run = _CJK_RUN_END.search(text, max(0, i - 8), i)
            if not run or text[i : i + 2] in base:  # the suffix begins a word: 乡村, 村民, 区域
                continue
            for k in range(1, min(4, len(run.group(0))) + 1):
                start = i - k
                stem = text[start:i]
                if not _possible_stem(stem, m.group(0), base):
                    continue
                left = text[start - 1] if start > 0 else ""
                boundary = not left or not _CJK.match(left) or left in FUNCTION_CHARS
                admin = _admin_before(text, start, base)
                found[stem + m.group(0)].append(_Occurrence(
                    source, start, left if _CJK.match(left or " ") else "", boundary,
                    admin, text[max(0, start - 3):start]))
    return found


def _tag(word: str) -> str:
    """jieba's base part-of-speech tag of `word`, or ""."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab.get(word, "")


def _proper(word: str) -> bool:
    """Whether jieba's base dictionary tags `word` as a proper name (nr, ns, nz, nt…)."""
    return _tag(word) in PROPER_TAGS


def _place_like(word: str, base) -> bool:
    """A word that may name a place: tagged as a name by jieba's base dictionary (安吉), or
    unknown to it (瓜沥) and not opening with a common word (打造通, 依托南呈); never a common
    word itself (学习, 号召)."""
    import jieba

    if set(word) & DETERMINERS or word[0] in FUNCTION_CHARS or word[-1] in FUNCTION_CHARS:
        return False
    if word in base:
        return _proper(word)
    first = jieba.dt.lcut(word, HMM=False)[0]
    return not (len(first) >= 2 and first in base and not _proper(first))


def _admin_before(text: str, start: int, base) -> str:
    """The administrative unit ending right before `start` ("安吉县", "韩店街道", "X镇"), or ""."""
    for length in range(6, 1, -1):
        unit = text[max(0, start - length):start]
        m = _ADMIN_BEFORE.fullmatch(unit)
        if not m:
            continue
        stem, left = m.group(1), text[start - length - 1] if start - length > 0 else ""
        # A name jieba knows as one, or an unknown word starting at a boundary ("。韩店街道").
        if stem.isascii() or _proper(stem) or (stem not in base and _place_like(stem, base) and (
                not left or not _CJK.match(left) or left in FUNCTION_CHARS | {"和"})):
            return unit
    return ""


def _possible_stem(stem: str, suffix: str, base) -> bool:
    """A stem that could name a place: not a common word with its suffix (示范区, 全村), no
    determiner (各村, 我区), no function character at its edges, no administrative character."""
    import jieba

    whole = jieba.dt.lcut(stem + suffix, HMM=False)
    if all(len(w) >= 2 and w in base and not _proper(w) for w in whole):  # 发达/地区, 振兴/小镇
        return False
    return (stem + suffix not in base and not set(stem) & (DETERMINERS | set(PLACE_SUFFIXES) | set("的个省市农"))
            and stem[0] not in FUNCTION_CHARS and stem[-1] not in FUNCTION_CHARS
            and not any(ch.isdigit() for ch in stem) and (len(stem) <= 2 or _place_like(stem, base))
            and not (len(stem) == 1 and _tag(stem)[:1] in tuple("vadpcur")))  # 撤区, 新村


def _accessor_variety(occurrences: list[_Occurrence]) -> int:
    """Distinct characters before the candidate, each boundary occurrence counting as its own."""
    return len({o.left for o in occurrences if o.left and not o.boundary}) + sum(o.boundary for o in occurrences)


def _words(stem: str, base) -> int:
    """How many common words (two characters or more, jieba's base dictionary) make up `stem`
    entirely; 0 when it is not made of common words (a name jieba does not know)."""
    import jieba

    words = jieba.dt.lcut(stem, HMM=False)
    return len(words) if all(len(w) >= 2 and w in base for w in words) else 0


def _common_inside(stem: str, base) -> bool:
    """Whether a common word of two characters or more is part of `stem` (小古城: 古城 is a
    place noun too, 级旅游景: 旅游); such a stem needs a qualifier to count as a name."""
    import jieba

    return any(len(w) >= 2 and w in base and not _proper(w) for w in jieba.dt.lcut(stem, HMM=False))


def find_places(texts: dict[str, str], base=None, candidates: dict[str, list[_Occurrence]] | None = None
                ) -> dict[str, tuple[str, list[_Occurrence]]]:
    """Place name → (how it was found, occurrences). See the module doc for the rules."""
    base = base if base is not None else base_dictionary()
    candidates = candidates if candidates is not None else _place_occurrences(texts, base)
    # A counted candidate is a category, not a name: "27个提档升级村", "5个精品示范村".
    candidates = {n: occ for n, occ in candidates.items() if not any(_COUNTED.search(o.before) for o in occ)}
    accepted: dict[str, str] = {}
    # 1. Stems jieba does not know, or one common word used as a name many times over: found
    #    after several different characters (a fragment such as 掌村 always follows 东).
    for name, occ in candidates.items():
        stem, words = name[:-1], _words(name[:-1], base)
        if not any(o.boundary or o.qualified for o in occ):
            continue  # never after a word boundary: a fragment of longer names (亚地区 in 东南亚地区)
        if len(stem) >= 2 and words == 0 and not _common_inside(stem, base) and len(occ) >= 2 \
                and _accessor_variety(occ) >= 2:
            accepted[name] = "多次出现，前文多样"
        elif len(stem) >= 2 and words == 1 and min(len(occ), _accessor_variety(occ)) >= MIN_COMMON_STEM:
            accepted[name] = "常用词作专名，多次出现，前文多样"
    # 2. Qualifiers: the two or three characters before two different candidates, one accepted
    #    ("余杭" before 小古城村 and 径山村).
    before: dict[str, set[str]] = defaultdict(set)
    for name, occ in candidates.items():
        for o in occ:
            for q in {o.before[-2:], o.before[-3:]}:
                if len(q) >= 2 and all(_CJK.match(ch) for ch in q) and _place_like(q, base):
                    before[q].add(name)
    name_qualifiers = {q for q, names in before.items() if len(names & set(accepted)) >= 2}
    # 3. Anything else needs a qualifier right before it somewhere: an administrative unit or one
    #    of those places ("南宋镇东掌村", "安吉余村").
    for name, occ in candidates.items():
        if name in accepted:
            continue
        if any(o.qualified for o in occ):
            accepted[name] = "前有行政区划"
        elif any(o.before[-2:] in name_qualifiers or o.before[-3:] in name_qualifiers for o in occ):
            accepted[name] = "前有地名限定"
    # 4. A longer candidate that is a qualifier plus an accepted name is that name, qualified;
    #    a candidate found only inside a longer accepted one is a fragment of it (掌村 in 东掌村).
    for name in sorted(accepted, key=len, reverse=True):
        shorter = [n for n in accepted if n != name and name.endswith(n)]
        if any(_stands_alone(name[: -len(n)], name, texts) for n in shorter):
            del accepted[name]
    for name in list(accepted):
        longer = [n for n in accepted if n != name and n.endswith(name)]
        if longer and all(any(_inside(o, name, n, texts) for n in longer) for o in candidates[name]):
            del accepted[name]
    found = {name: (how, candidates[name]) for name, how in accepted.items()}
    # The places that qualify two accepted names are places too ("余杭" in 余杭小古城村, 余杭径山村).
    for q, names in sorted(before.items()):
        named = names & set(found)
        if (len(q) == 2 and len(named) >= 2 and q not in found and _place_like(q, base)
                and not set(q) & set(PLACE_SUFFIXES + "省市")):
            where = [o for n in named for o in candidates[n] if o.before.endswith(q)]
            found[q] = ("限定两个以上地名", [_Occurrence(o.source, o.start - 2, "", False, "", "") for o in where])
    return found


def _stands_alone(prefix: str, name: str, texts: dict[str, str]) -> bool:
    """Whether `prefix` occurs in the text other than in front of the rest of `name`."""
    rest = name[len(prefix):]
    return any(text.count(prefix) > text.count(prefix + rest) for text in texts.values())


def _inside(o: _Occurrence, name: str, longer: str, texts: dict[str, str]) -> bool:
    extra = len(longer) - len(name)
    return texts[o.source][o.start - extra : o.start + len(name)] == longer


def find_people(texts: dict[str, str], base=None) -> dict[str, tuple[str, list[tuple[str, int]]]]:
    """Person name → (how, occurrences): a surname and one or two characters beside a role word,
    or in a 、-list with such a name."""
    base = base if base is not None else base_dictionary()
    roles = "|".join(sorted(ROLES, key=len, reverse=True))
    surname = "|".join(sorted(SURNAMES, key=len, reverse=True))
    candidates: dict[str, str] = {}
    pattern_before = re.compile(rf"((?:{surname}){_NAME_CHARS}{{1,2}}?)(?:{roles})")
    pattern_after = re.compile(rf"(?:{roles})((?:{surname}){_NAME_CHARS}{{1,2}})")
    for text in texts.values():
        for m in pattern_before.finditer(text):
            # The name starts at a boundary: try three characters, then two, before the role.
            end = m.end(1)
            for length in (3, 2):
                start = end - length
                if start < 0:
                    continue
                name = text[start:end]
                if _boundary_before(text, start) and _person_like(name, base):
                    candidates.setdefault(name, "职务前的姓名")
                    break
        for m in pattern_after.finditer(text):
            for length in (3, 2):
                name = text[m.start(1) : m.start(1) + length]
                after = text[m.start(1) + length : m.start(1) + length + 1]
                if len(name) == length and _person_like(name, base) and (
                        not after or not _CJK.match(after) or after in FUNCTION_CHARS or after in "不说讲指"):
                    candidates.setdefault(name, "职务后的姓名")
                    break
    # Names listed with a found name: "杜英森、沈伟桥、梁雪松教授".
    for text in texts.values():
        for m in re.finditer(rf"((?:{_NAME_CHARS}{{2,3}}、)+{_NAME_CHARS}{{2,3}})", text):
            items = m.group(1).split("、")
            if any(i in candidates for i in items):
                for item in items:
                    if _person_like(item, base):
                        candidates.setdefault(item, "与姓名并列")
    out = {}
    for name, how in candidates.items():
        occ = [(source, m.start()) for source, text in texts.items() for m in re.finditer(re.escape(name), text)]
        if occ:
            out[name] = (how, occ)
    return out


def _person_like(name: str, base) -> bool:
    """A surname and one or two characters that are not a common word, or a name jieba tags as
    one (王建国)."""
    import jieba

    if not (name[0] in SURNAMES or name[:2] in SURNAMES) or set(name) & (FUNCTION_CHARS | DETERMINERS):
        return False
    if name in base:
        return _tag(name).startswith("nr")
    return not all(len(w) >= 2 and w in base and not _proper(w) for w in jieba.dt.lcut(name, HMM=False))


def _boundary_before(text: str, start: int) -> bool:
    left = text[start - 1] if start > 0 else ""
    return not left or not _CJK.match(left) or left in FUNCTION_CHARS or text[max(0, start - 2):start].endswith(
        tuple(ROLES))


def village_aliases(places: dict[str, tuple[str, list[_Occurrence]]], candidates: dict[str, list[_Occurrence]],
                    texts: dict[str, str], base) -> dict[str, set[str]]:
    """Village → other spellings: a shorter candidate after the same place qualifier whose stem
    begins its stem (瓜沥梅村 / 瓜沥梅林村), and its stem of three characters or more used
    without 村 (何斯路)."""
    villages = sorted((n for n in places if n.endswith("村")), key=lambda n: -len(places[n][1]))
    aliases: dict[str, set[str]] = {n: set() for n in villages}
    qualifiers = {n: {o.before[-2:] for o in occ if len(o.before) >= 2 and _place_like(o.before[-2:], base)}
                  for n, occ in candidates.items() if n.endswith("村")}
    for long in villages:
        if long not in aliases:
            continue
        for short, qs in qualifiers.items():
            if len(short) < len(long) and long[:-1].startswith(short[:-1]) and qs & qualifiers.get(long, set()):
                aliases[long] |= {short} | aliases.pop(short, set())
    for name in aliases:
        stem = name[:-1]
        if len(stem) >= 3 and sum(t.count(stem) for t in texts.values()) > sum(t.count(name) for t in texts.values()):
            aliases[name].add(stem)
    return aliases


def build_gazetteer(texts: dict[str, str], programme_terms: list[str] = ()) -> Gazetteer:
    """Every place, person and programme the texts name, most frequent first."""
    base = base_dictionary()
    names: list[Name] = []
    candidates = _place_occurrences(texts, base)
    places = find_places(texts, base, candidates)
    aliases = village_aliases(places, candidates, texts, base)
    merged = {a for spellings in aliases.values() for a in spellings}
    for name, (how, occ) in places.items():
        if name in merged:
            continue
        count = sum(t.count(name) for t in texts.values())
        names.append(Name(name, "place", how, count, (occ[0].source, occ[0].start), sorted(aliases.get(name, ()))))
    for name, (how, occ) in find_people(texts, base).items():
        names.append(Name(name, "person", how, len(occ), occ[0]))
    known = {s for n in names for s in (n.name, *n.aliases)}
    for term in programme_terms:
        if term in known:
            continue
        where = next(((s, t.find(term)) for s, t in texts.items() if term in t), None)
        if where:
            names.append(Name(term, "programme", "引号或书名号", sum(t.count(term) for t in texts.values()), where))
    return Gazetteer(sorted(names, key=lambda n: (n.kind, -n.count, n.name)))
