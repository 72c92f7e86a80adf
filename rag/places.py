"""Places named in a corpus, found in its text: "X村/镇/乡/县/区" whose stem X is a word of its
own, by the characters around every occurrence (accessor variety: a name is preceded by several
different characters, a fragment such as 掌村 always by the same one, 东), a qualifier before it
(an administrative unit, "南宋镇东掌村", or a place that qualifies other names too, "安吉余村" and
"安吉刘家塘村"), and jieba's base dictionary (a stem made of common words, 精品示范村, or of one
character, 兴村, counts only after a qualifier); and the spellings of one village.
Leaves out: people and programmes (names.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rag.lexicon import CJK, DETERMINERS, FUNCTION_CHARS, base_dictionary, common, place_like, proper, tag, words

PLACE_SUFFIXES = "村镇乡县区"
ADMIN_SUFFIXES = "省市县区镇乡"  # the units of the administrative places jieba's dictionary knows
# An administrative unit standing right before a name qualifies it ("韩店街道桥沟村", "X镇西申家庄村").
_ADMIN_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,4}?|[A-Z])(?:省|市|县|区|镇|乡|街道|新区)")
_CJK_RUN_END = re.compile(r"[\u4e00-\u9fff]{1,8}\Z")
_COUNTED = re.compile(r"[\d一二两三四五六七八九十百千几多][个批类种座]\Z")
MIN_COMMON_STEM = 3  # occurrences and distinct contexts for a common word used as a name (五四村)


@dataclass
class _Occurrence:
    source: str
    start: int  # of the candidate
    left: str  # the character before it ("" at a boundary)
    boundary: bool  # punctuation, a function character or a common word ends right before it
    qualified: str  # an administrative unit standing right before it, or ""
    before: str  # the two and three characters before it


def place_candidates(texts: dict[str, str], base) -> dict[str, list[_Occurrence]]:
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
                boundary = not left or not CJK.match(left) or left in FUNCTION_CHARS
                admin = _admin_before(text, start, base)
                found[stem + m.group(0)].append(_Occurrence(
                    source, start, left if CJK.match(left or " ") else "", boundary,
                    admin, text[max(0, start - 3):start]))
    return found


def _admin_before(text: str, start: int, base) -> str:
    """The administrative unit ending right before `start` ("安吉县", "韩店街道", "X镇"), or ""."""
    for length in range(6, 1, -1):
        unit = text[max(0, start - length):start]
        m = _ADMIN_BEFORE.fullmatch(unit)
        if not m:
            continue
        stem, left = m.group(1), text[start - length - 1] if start - length > 0 else ""
        # A name jieba knows as one, or an unknown word starting at a boundary ("。韩店街道").
        if stem.isascii() or proper(stem) or (stem not in base and place_like(stem, base) and (
                not left or not CJK.match(left) or left in FUNCTION_CHARS | {"和"})):
            return unit
    return ""


def _possible_stem(stem: str, suffix: str, base) -> bool:
    """A stem that could name a place: not a common word with its suffix (示范区, 全村), no
    determiner (各村, 我区), no function character at its edges, no administrative character."""
    if all(common(w, base) for w in words(stem + suffix)):  # 发达/地区, 振兴/小镇
        return False
    return (stem + suffix not in base and not set(stem) & (DETERMINERS | set(PLACE_SUFFIXES) | set("的个省市农"))
            and stem[0] not in FUNCTION_CHARS and stem[-1] not in FUNCTION_CHARS
            and not any(ch.isdigit() for ch in stem) and (len(stem) <= 2 or place_like(stem, base))
            and not (len(stem) == 1 and tag(stem)[:1] in tuple("vadpcur")))  # 撤区, 新村


def _accessor_variety(occurrences: list[_Occurrence]) -> int:
    """Distinct characters before the candidate, each boundary occurrence counting as its own."""
    return len({o.left for o in occurrences if o.left and not o.boundary}) + sum(o.boundary for o in occurrences)


def _words(stem: str, base) -> int:
    """How many dictionary words (two characters or more, jieba's base dictionary) make up `stem`
    entirely; 0 when it is not made of them (a name jieba does not know)."""
    cut = words(stem)
    return len(cut) if all(len(w) >= 2 and w in base for w in cut) else 0


def _common_inside(stem: str, base) -> bool:
    """Whether a common word of two characters or more is part of `stem` (小古城: 古城 is a
    place noun too, 级旅游景: 旅游); such a stem needs a qualifier to count as a name."""
    return any(common(w, base) for w in words(stem))


def find_places(texts: dict[str, str], base=None, candidates: dict[str, list[_Occurrence]] | None = None
                ) -> dict[str, tuple[str, list[_Occurrence]]]:
    """Place name → (how it was found, occurrences). See the module doc for the rules."""
    base = base if base is not None else base_dictionary()
    candidates = candidates if candidates is not None else place_candidates(texts, base)
    # A counted candidate is a category, not a name: "27个提档升级村", "5个精品示范村".
    candidates = {n: occ for n, occ in candidates.items() if not any(_COUNTED.search(o.before) for o in occ)}
    accepted: dict[str, str] = {}
    # 1. Stems jieba does not know, or one common word used as a name many times over: found
    #    after several different characters (a fragment such as 掌村 always follows 东).
    for name, occ in candidates.items():
        stem, n_words = name[:-1], _words(name[:-1], base)
        if not any(o.boundary or o.qualified for o in occ):
            continue  # never after a word boundary: a fragment of longer names (亚地区 in 东南亚地区)
        if len(stem) >= 2 and n_words == 0 and not _common_inside(stem, base) and len(occ) >= 2 \
                and _accessor_variety(occ) >= 2:
            accepted[name] = "多次出现，前文多样"
        elif len(stem) >= 2 and n_words == 1 and min(len(occ), _accessor_variety(occ)) >= MIN_COMMON_STEM:
            accepted[name] = "常用词作专名，多次出现，前文多样"
    # 2. Qualifiers: the two or three characters before two different candidates, one accepted
    #    ("余杭" before 小古城村 and 径山村).
    before: dict[str, set[str]] = defaultdict(set)
    for name, occ in candidates.items():
        for o in occ:
            for q in {o.before[-2:], o.before[-3:]}:
                if len(q) >= 2 and all(CJK.match(ch) for ch in q) and place_like(q, base):
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
        if (len(q) == 2 and len(named) >= 2 and q not in found and place_like(q, base)
                and not set(q) & set(PLACE_SUFFIXES + "省市")):
            where = sorted((o.source, o.start - 2) for n in named for o in candidates[n] if o.before.endswith(q))
            found[q] = ("限定两个以上地名", [_Occurrence(source, start, "", False, "", "") for source, start in where])
    return found


def dictionary_places(texts: dict[str, str], base) -> dict[str, tuple[list[tuple[str, int]], list[str]]]:
    """Administrative places the texts name that jieba's base dictionary knows as such: a word
    tagged `ns` ending in 省/市/县/区/镇/乡 after a stem of two characters or more (德清县, 杭州市;
    not 山区). Name → (occurrences, aliases): the stem, when the texts also use it alone (德清).

    >>> sorted(dictionary_places({"a": "德清县有个村。德清的茶。山区很美。"}, base_dictionary()))
    ['德清县']
    """
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for source, text in texts.items():
        for m in re.finditer(f"[{ADMIN_SUFFIXES}]", text):
            for start in range(max(0, m.start() - 5), m.start() - 1):
                name = text[start : m.end()]
                if name in base and CJK.match(name[0]) and tag(name) == "ns":
                    found[name].append((source, start))
                    break  # the longest one (浙江省湖州市 is two)
    return {name: (occ, [name[:-1]] if _stands_alone(name[:-1], name, texts) else [])
            for name, occ in found.items()}


def _stands_alone(prefix: str, name: str, texts: dict[str, str]) -> bool:
    """Whether `prefix` occurs in the text other than in front of the rest of `name`."""
    rest = name[len(prefix):]
    return any(text.count(prefix) > text.count(prefix + rest) for text in texts.values())


def _inside(o: _Occurrence, name: str, longer: str, texts: dict[str, str]) -> bool:
    extra = len(longer) - len(name)
    return texts[o.source][o.start - extra : o.start + len(name)] == longer


def village_aliases(places: dict[str, tuple[str, list[_Occurrence]]], candidates: dict[str, list[_Occurrence]],
                    texts: dict[str, str], base) -> dict[str, set[str]]:
    """Village → other spellings: a shorter candidate after the same place qualifier whose stem
    begins its stem (瓜沥梅村 / 瓜沥梅林村), and its stem of three characters or more used
    without 村 (何斯路)."""
    villages = sorted((n for n in places if n.endswith("村")), key=lambda n: -len(places[n][1]))
    aliases: dict[str, set[str]] = {n: set() for n in villages}
    qualifiers = {n: {o.before[-2:] for o in occ if len(o.before) >= 2 and place_like(o.before[-2:], base)}
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


_PLACE_UNITS = set("省市县区镇乡村")  # a unit jieba may cut off a place name it knows ("桃园" + 镇)


def unknown_places(tagged, says, base=None) -> list[str]:
    """The places a question names (`tagged`: its (word, tag) pairs from jieba's cut) that the
    corpus never mentions (`says`: word → whether the corpus uses it): a province or city jieba's
    dictionary knows as such (a place word listed with its 省 or 市 as well: 广东, 太原), or a
    village, town or township by name (a word of the cut ending in 村/镇/乡 whose stem may name a
    place, 张家村). Categories (示范村, 农村) and determiners (各村, 这个村) name none."""
    base = base if base is not None else base_dictionary()
    tagged = [(word, flag) for word, flag in tagged]
    text = "".join(word for word, _ in tagged)
    found, end = [], 0
    for word, flag in tagged:
        end += len(word)
        if says(word):
            continue
        if flag.startswith("ns") and len(word) >= 2 and (
                any(word + u in base for u in "省市") or word[-1] in "省市" and len(word) >= 3):
            found.append(word + text[end] if text[end:end + 1] in _PLACE_UNITS else word)
        elif len(word) in (3, 4) and word[-1] in "村镇乡" and not set(word) & DETERMINERS \
                and place_like(word[:-1], base):
            found.append(word)
    return found
