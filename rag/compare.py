"""Questions comparing named things ("五四村和余村的发展路子有什么不同？"): each name is asked about
on its own ("五四村的发展路子是怎样的？"), and the answers are set side by side, one line per
name, with their citations numbered in one sequence.
Leaves out: retrieving and composing each side's answer (assistant.py, answer.py).
"""

from __future__ import annotations

import re
from typing import Callable

from rag.schema import Answer, Citation, Hit

# What a comparison asks: differences, likenesses, what each has. "分别" lists as often as it
# compares ("两个村分别种什么"), and is answered the same way: one line per name.
COMPARED = re.compile(r"不同|不一样|区别|差别|差异|异同|共同点|共同之处|相同之处|相似|一样吗|一样不|一回事|"
                      r"各有|各自|分别|比较|对比|哪个更|谁更|"
                      r"各(?![村乡镇区县市省地级类种位个项部门方面篇人户家界族式样])")  # "各用了什么办法", not "各村"
# The comparing predicate, said of one side as "是怎样的" ("有什么不同" → "是怎样的";
# "各有什么特色" → "有什么特色").
_PREDICATE = re.compile(r"(?:有|存在)?(?:什么|哪些|何)?(?:不同|不一样|区别|差别|差异|异同|共同点|共同之处|相同之处|"
                        r"相似之处?)|(?:是否|是不是)?一样吗?|一样不|(?:是否|是不是|是)?一回事吗?")
_EACH = re.compile(r"各自|各|分别")
_JOINERS = "和与跟同及、"
_QUOTED_OPEN, _QUOTED_CLOSE = "[“\"《]?", "[”\"》]?"  # a name may be compared in quotes: “甲”和“乙”
MAX_SIDES = 3
SIDE_BUDGET = 200  # characters of each side's answer


def compared_names(focus: tuple[str, ...], text: str, kind_of: Callable[[str], str]) -> tuple[str, ...]:
    """The names a question compares: two or more names it focuses on, of one kind (`kind_of`:
    "village", "person", or "" for neither, such as a county qualifying a village), with a
    comparing word.

    >>> kind = {"甲村": "village", "乙村": "village", "丙县": "", "张三": "person"}.get
    >>> compared_names(("丙县", "甲村", "乙村"), "丙县甲村和乙村的做法有什么不一样？", kind)
    ('甲村', '乙村')
    >>> compared_names(("甲村", "张三"), "甲村和张三有什么不同？", kind)
    ()
    >>> compared_names(("甲村", "乙村"), "甲村属于乙村吗？", kind)
    ()
    >>> compared_names(("甲村", "乙村"), "甲村和乙村各用了什么办法？", kind)
    ('甲村', '乙村')
    >>> compared_names(("甲村", "乙村"), "甲村和乙村各村都有几户？", kind)
    ()
    """
    names = [n for n in focus if kind_of(n) and not any(n != m and n in m for m in focus)]
    if len(names) < 2 or len({kind_of(n) for n in names}) != 1 or not COMPARED.search(text):
        return ()
    return tuple(names[:MAX_SIDES])


def one_side(text: str, name: str, names: tuple[str, ...]) -> str:
    """The question asked of `name` alone: the other names and their joining word left out, the
    comparing predicate said of one thing.

    >>> one_side("甲村和乙村的做法有什么不同？", "乙村", ("甲村", "乙村"))
    '乙村的做法是怎样的？'
    >>> one_side("甲村和乙村各有什么特色？", "甲村", ("甲村", "乙村"))
    '甲村有什么特色？'
    >>> one_side("“三治”和“四治”是一回事吗？", "三治", ("三治", "四治"))
    '“三治”是怎样的？'
    """
    for other in names:
        if other != name:
            text = re.sub(rf"[{_JOINERS}]?{_QUOTED_OPEN}{re.escape(other)}{_QUOTED_CLOSE}", "", text, count=1)
    text = re.sub(rf"^[{_JOINERS}]+|(?<={re.escape(name)})({_QUOTED_CLOSE})[{_JOINERS}]+", r"\1", text)
    return asked_of_one(text)


def asked_of_one(text: str) -> str:
    """A comparing question asked of one side: the comparing predicate said of one thing, the
    word giving each side its own answer left out.

    >>> asked_of_one("甲和乙的看法有什么不同？"), asked_of_one("甲和乙各自用了多长时间？")
    ('甲和乙的看法是怎样的？', '甲和乙用了多长时间？')
    """
    return _EACH.sub("", _PREDICATE.sub("是怎样的", text, count=1), count=1)


def said_at_once(sides: list[tuple[str, Answer]]) -> bool:
    """Whether every side's answer opens on the same quoted sentences: one sentence naming them
    all ("甲村的…、乙村的…、丙村的…") answers the comparison better than
    the same sentence once per name."""
    openings = {answer.citations[0].quote_spans if answer.answerable and answer.citations else None
                for _, answer in sides}
    return len(openings) == 1 and None not in openings


def side_by_side(question: str, sides: list[tuple[str, Answer]], related: list[Hit],
                 sources: dict[str, str]) -> Answer:
    """One answer from each name's: a line per name ("甲村：…[1]"), each cut to its first
    sentences within SIDE_BUDGET (a citation keeps the quotes still shown; `sources`: the
    corpus's texts by source), citations renumbered in one sequence (a passage cited by two
    sides keeps one number). A side the essays do not answer says so on its line; refused when
    no side is answered."""
    lines: list[str] = []
    citations: list[Citation] = []
    number_of: dict[int, int] = {}  # passage row → its number in the joined answer
    for name, answer in sides:
        if not answer.answerable:
            lines.append(f"{name}：{answer.answer}")
            continue
        body = _first_sentences(answer.answer, SIDE_BUDGET)
        renumber: dict[int, int] = {}
        for c in answer.citations:
            if f"[{c.n}]" not in body:
                continue
            if c.hit.row not in number_of:
                number_of[c.hit.row] = len(number_of) + 1
                text = sources[c.hit.chunk.source]
                plain = re.sub(r"\[\d+\]", "", body)
                shown = tuple((a, b) for a, b in c.quote_spans if text[a:b].strip() in plain) or c.quote_spans
                citations.append(Citation(number_of[c.hit.row], c.hit, "".join(text[a:b].strip() for a, b in shown),
                                          shown))
            renumber[c.n] = number_of[c.hit.row]
        body = re.sub(r"\[(\d+)\]", lambda m, numbers=renumber: f"[{numbers[int(m.group(1))]}]", body)
        lines.append(f"{name}：{body}")
    if not citations:
        reason = "；".join(a.reason for _, a in sides if a.reason)
        return Answer(question, "\n".join(lines), False, [], related, reason=reason)
    cited = {c.hit.row for c in citations}
    return Answer(question, "\n".join(lines), True, citations, [h for h in related if h.row not in cited])


def _first_sentences(text: str, budget: int) -> str:
    """The sentences (each ending on its citation marker) of `text` that fit `budget`; at least one.

    >>> _first_sentences("甲。[1]乙乙乙。[2]", 4)
    '甲。[1]'
    """
    pieces = re.findall(r".*?\[\d+\][。；;]?|.+$", text.replace("\n", ""))
    kept = pieces[:1]
    for piece in pieces[1:]:
        if len(re.sub(r"\[\d+\]", "", "".join(kept + [piece]))) > budget:
            break
        kept.append(piece)
    return "".join(kept)
