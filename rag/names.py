"""The names a corpus uses, found in its own text when the index is built (`names.json`).

- places: "X村/镇/乡/县/区" whose stem X is a word of its own, and the 省/市/县… jieba's
  dictionary knows (德清县, with 德清 as an alias) (rules in rag/places.py);
- people: a surname and one or two characters next to a role (书记、老师、教授、主任…) —
  "王建国书记", "支部书记李明" — or listed with such a name ("张华、赵强、陈静教授");
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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.lexicon import CJK, DETERMINERS, FUNCTION_CHARS, base_dictionary, common, tag, words
from rag.places import dictionary_places, find_places, place_candidates, village_aliases

ROLES = ("书记", "支书", "老师", "教授", "主任", "局长", "院长", "校长", "县长", "区长", "镇长", "乡长", "村长",
         "市长", "部长", "厅长", "处长", "科长", "站长", "所长", "主席", "委员", "专家", "研究员", "讲师",
         "博士", "先生", "女士", "同志", "总经理", "董事长", "会长", "社长", "馆长")
# The hundred commonest Chinese surnames (single-character ones) and the common double ones.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "傅施季俞柴葛滕殷齐庞洪章牛包鲁") | {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"}
_NAME_CHARS = r"[\u4e00-\u9fff]"


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

    def to_rows(self) -> list[dict]:
        return [n.to_dict() for n in self.names]

    @classmethod
    def from_rows(cls, rows: list[dict]) -> "Gazetteer":
        return cls([Name(r["name"], r["kind"], r["how"], r["count"], tuple(r["first"]), list(r["aliases"]))
                    for r in rows])

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_rows(), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Gazetteer":
        return cls.from_rows(json.loads(Path(path).read_text(encoding="utf-8")))


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
                        not after or not CJK.match(after) or after in FUNCTION_CHARS or after in "不说讲指"):
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
    if not (name[0] in SURNAMES or name[:2] in SURNAMES) or set(name) & (FUNCTION_CHARS | DETERMINERS):
        return False
    if name in base:
        return tag(name).startswith("nr")
    return not all(common(w, base) for w in words(name))


def _boundary_before(text: str, start: int) -> bool:
    left = text[start - 1] if start > 0 else ""
    return not left or not CJK.match(left) or left in FUNCTION_CHARS or text[max(0, start - 2):start].endswith(
        tuple(ROLES))


def build_gazetteer(texts: dict[str, str], programme_terms: list[str] = ()) -> Gazetteer:
    """Every place, person and programme the texts name, most frequent first."""
    base = base_dictionary()
    names: list[Name] = []
    candidates = place_candidates(texts, base)
    places = find_places(texts, base, candidates)
    aliases = village_aliases(places, candidates, texts, base)
    merged = {a for spellings in aliases.values() for a in spellings}
    for name, (how, occ) in places.items():
        if name in merged:
            continue
        count = sum(t.count(name) for t in texts.values())
        names.append(Name(name, "place", how, count, (occ[0].source, occ[0].start), sorted(aliases.get(name, ()))))
    by_spelling = {s: n for n in names for s in (n.name, *n.aliases)}
    for name, (occ, alias) in dictionary_places(texts, base).items():
        if name in by_spelling:
            continue
        if alias and alias[0] in by_spelling:  # 安吉 found as a qualifier: 安吉县 is its longer form
            by_spelling[alias[0]].aliases.append(name)
            continue
        count = sum(t.count(name) for t in texts.values())
        names.append(Name(name, "place", "词典中的行政区划名", count, occ[0], alias))
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
