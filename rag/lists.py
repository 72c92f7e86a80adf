"""Enumerations, as official Chinese writing marks them: a lead-in and its items (一、 (一) 1.
一是 一要 …, a first item may open a sentence's last clause), an item with its siblings, or a
sentence listing three or more things; and the list answer built from one.
Leaves out: finding the marks in a sentence (evidence.py) and choosing what to answer (answer.py).
"""

from __future__ import annotations

import re

from rag.evidence import MARKER_LEVELS, inline_items, is_lead_in, item_marker, lists_only_names, value_spans
from rag.lexicon import tag, words
from rag.passages import Passages, Piece, clause_end, clause_spans, is_heading_like
from rag.question import NAMES_ASKED, Question
from rag.text import ORDINALS, QUOTED

MAX_ITEM_GAP = 40  # sentences between two items of one enumeration (a section's length)
LEAD_IN_REACH = 3  # sentences after a lead-in in which its first item must start
HEADING_REACH = 8  # likewise after a heading, which an introduction may follow first
RUN_IN_HEADING = 16  # characters at most of a run-in heading ("开创甲乙工作新局面。"), see `is_run_in_heading`
RUN_IN_ITEMS = 6  # sentences at most a run-in heading leads
TYPE_MARGIN = 0.2  # a sentence holding the asked-for kind of value (or items) may score this much lower
LIST_MARGIN = 0.1  # likewise for a sentence belonging to an enumeration
LIST_BUDGET = 400  # characters of a list answer (and of surveys, methods and reasons)
VALUE_BUDGET = 200  # characters of an answer to a value, an open question or one item of a list
ROLL_CALL_PLACES = 3  # places of one level an enumeration names to be a roll-call of them
MAX_ITEM_SENTENCES = 3  # an item's line and the sentences after it, before the next item
ASPECT = re.compile(r"在([\u4e00-\u9fff“”]{2,10}?)(?:方面|领域)")  # "在安全方面有哪些措施": one aspect


_UNQUOTED = re.compile(r"[“”\"‘’]")  # quote marks, which a term quoted inside a sentence may span
# A list question quoting what its items are: "哪三个“甲”", "哪几条“乙……丙”" (a pattern with a gap).
_ITEMS_QUOTED = re.compile(rf"哪[几些{ORDINALS}两]?[个条项点种句]?[“\"]([^”\"]{{2,20}})[”\"]")
# …or by the verb its items repeat, ending the clause: "提了哪几个聚焦" (一、聚焦甲 二、聚焦乙).
_ITEMS_BY_VERB = re.compile(rf"哪[几些{ORDINALS}两]?[个条项点种]?([\u4e00-\u9fff]{{2}})(?=[？?，,。！!]|$)")


def verbs_itemised(text: str) -> list[str]:
    """The verb a list question names its items by, unquoted: Chinese writing enumerates by a
    repeated verb (一是坚持甲，二是坚持乙), so "哪几个坚持" asks for them.

    >>> verbs_itemised("他提了哪几个聚焦？"), verbs_itemised("有哪几个方面？")
    (['聚焦'], [])
    """
    return [w for w in _ITEMS_BY_VERB.findall(text) if tag(w) == "v"]


# The verb a list question puts before its question word: "还引进了哪些产业" (引进); not when
# the items are named by a quoted term instead ("守住哪几个“不”": the items are the “不”s).
_VERB_BEFORE_ASKED = re.compile(r"([\u4e00-\u9fff]{2})了?(?:哪些|哪几)(?![个条项点种句]?[“\"])")
_LIGHT_VERBS = {"包括", "包含", "分别", "具体", "主要", "都有", "还有", "分为", "分成"}  # (they lead any list)


def verb_listing(text: str) -> str:
    """The verb of a list question whose object is asked ("引进了哪些产业" → 引进), or "": the
    enumeration the essays write after that verb is the one asked for.

    >>> verb_listing("甲村还引进了哪些产业？"), verb_listing("甲村有哪些产业？"), verb_listing("都有哪几个？")
    ('引进', '', '')
    >>> verb_listing("他们要守住哪几个“不”？")
    ''
    """
    m = _VERB_BEFORE_ASKED.search(text)
    return m.group(1) if m and m.group(1) not in _LIGHT_VERBS and tag(m.group(1)) == "v" else ""


_ASPECTS_ASKED = re.compile(rf"哪[几些{ORDINALS}两]个?方面|几个方面")


def names_category(span: str, noun: str) -> bool:
    """Whether `span` is the category `noun` itself: it holds the noun, or spells out what the
    noun abbreviates (Chinese abbreviates a compound by its words' first characters and keeps its
    head: 精品村 for 精品示范村).

    >>> names_category("打造甲级示范村", "甲级示范村"), names_category("甲级示范村", "甲级村")
    (True, True)
    >>> names_category("乙沟村", "甲级村")
    False
    """
    return noun in span or len(noun) >= 3 and bool(re.search(
        rf"{re.escape(noun[:2])}[\u4e00-\u9fff]{{1,4}}{re.escape(noun[2:])}", span))


def at_or_above(marker: tuple[str, int] | None, own: tuple[str, int] | None) -> bool:
    """Whether a line marked `marker` stands at the level of a line marked `own` or above it (一、
    above (一) above 1. above 一是: MARKER_LEVELS), so that it ends what `own` opened."""
    return marker is not None and own is not None and MARKER_LEVELS[marker[0]] <= MARKER_LEVELS[own[0]]


class Enumerations(Passages):
    """The enumeration a sentence belongs to, and the list answer made of it."""

    def _list_pieces(self, q: Question, rows: list[int], scores: list[float]) -> list[Piece]:
        """The whole enumeration that the best-scoring enumeration sentence belongs to. A best
        sentence that only announces the list ("拟打造5个精品示范村") brings the enumeration
        in the next sentences. Items of a stated kind ("哪些镇") must be of that kind, and of a
        stated number ("哪三条") that many. A question keeping to one aspect that names one item
        ("在安全方面…") gets that item (`_aspect_item`)."""
        parallel = self._parallel_openings(q, rows) or self._named_instances(q, rows)
        if parallel:
            return self._fit(parallel, LIST_BUDGET)
        quoted_item, heads = self._quoted_item_enumeration(q, rows)
        if quoted_item:
            # A quoted heading heads the list asked; a quoted item of it asks what the item holds.
            return ((not heads and self._named_item_list(q, quoted_item, rows, scores))
                    or self._fit(quoted_item, LIST_BUDGET))
        margin = TYPE_MARGIN if q.item_kind else LIST_MARGIN
        naming = "" if q.item_kind else q.item_noun  # "发展理念包括哪些": prefer the enumeration naming it
        asks_names = NAMES_ASKED.search(q.text)
        first: list[int] = []
        best = scores[0]
        # "从哪几个方面…": an essay's own points, which official writing marks (一是, 二是); a marked
        # enumeration is the kind of answer asked, so it may score TYPE_MARGIN lower. (The verb
        # before such a question word leads no items: "建设哪几方面".)
        aspects = bool(_ASPECTS_ASKED.search(q.text))
        if not aspects and q.item_kind != "point" and (verb := verb_listing(q.text)):
            # "引进了哪些产业": a sentence listing after 引进 holds the items asked, so, like a
            # sentence holding the kind of value asked, it may score TYPE_MARGIN lower, and comes first.
            led = re.compile(rf"{verb}了?[^，,。；;：:、]{{1,10}}、")
            led_rows = {i for i, r in enumerate(rows) if scores[i] >= best - TYPE_MARGIN and led.search(self.text(r))}
            order = sorted(range(len(rows)), key=lambda i: i not in led_rows)  # (stable: ranks kept within)
            rows, scores = [rows[i] for i in order], [best if i in led_rows else scores[i] for i in order]
        for position, (row, score) in enumerate(zip(rows, scores, strict=True)):
            if score < best - (TYPE_MARGIN if aspects or naming else margin):
                break
            items = self.enumeration(row)
            if items and self.roll_call(q, items):
                continue
            # Beyond the margin: an essay's marked points for "从哪几个方面", and an enumeration
            # named by the noun asked ("哪些产业": "以甲、乙产业为主导"), the kind of answer asked.
            if score < best - margin and not (
                    aspects and any(item_marker(self.text(r)) for r in items)
                    or naming and any(ends_items_on(self.text(r), naming) for r in items)):
                continue
            if not items and naming and closes_on(self.text(row), naming):
                items = [row]  # "甲、乙等地方品牌": two things, 等, and the category asked
            if not items and position == 0 and not closes_own_list(self.text(row)) and (
                    ahead := self._list_ahead(row)) is not None:
                items = [row] + self.enumeration(ahead)
            if items and len(items) == 1 and lists_only_names(self.text(items[0])) and not asks_names:
                continue  # "又名甲、乙、丙": the subject's other names, not what it has or does
            if items and q.item_kind and not self._of_kind(items, q) and (
                    named := self._named_item_list(q, items, rows, scores)):
                return named  # "以甲为主的有哪几个村": the item on 甲 names them in its body
            if items and (not q.item_kind or self._of_kind(items, q)):
                items = list(dict.fromkeys(items))
                if q.count and self.item_count(items) != q.count:
                    continue  # "哪三条": an enumeration of another length lists something else
                if not naming or self._names_list(items, naming):
                    return (self._aspect_item(q, items) or self._named_item_list(q, items, rows, scores)
                            or self._fit(items, LIST_BUDGET))
                first = first or items
        return (self._named_item_list(q, first, rows, scores) or self._fit(first, LIST_BUDGET)) if first else []

    def roll_call(self, q: Question, items: list[int]) -> bool:
        """Whether an enumeration is a roll-call of places (ROLL_CALL_PLACES or more of the
        corpus's places of one level, "甲村的…、乙村的…、丙村的…") that names the one place the
        question asks about among the others: it lists places, not what that place has. (The
        gazetteer, `is_place` and `place_names`, is the composer's.)"""
        places = [f for f in q.focus if self.is_place(f)]
        if len(places) != 1 or q.item_kind == "place":
            return False
        text = "".join(self.text(r) for r in items)
        level = places[0][-1]
        named = {p for p in self.place_names if p.endswith(level) and p in text}
        distinct = {p for p in named if not any(p != o and p in o for o in named)}  # 梅林村, not also 林村
        return places[0] in text and len(distinct) >= ROLL_CALL_PLACES

    def _names_list(self, items: list[int], noun: str) -> bool:
        """Whether an enumeration is named by the noun a list question asks for ("甲理念包括
        哪些"): a sentence of it lists things of the noun ("处理好甲与乙、丙与丁的关系"), its
        lead-in uses the noun, or two of its marked items do; one marked item merely using it
        names that item's topic ("二是坚持制度引领" is no list of 制度)."""
        texts = [self.text(r) for r in items]
        return (any(listed_of(t, noun) or closes_on(t, noun) for t in texts)
                or any(noun in t for t in texts if item_marker(t) is None)
                or sum(noun in t for t in texts if item_marker(t) is not None) >= 2)

    def _list_ahead(self, row: int) -> int | None:
        """The sentence starting a list within the two after `row`, which may announce it; None
        when a later item of an enumeration comes first: `row` then ends that item's body
        ("一是…。发挥…。二是…"), and a list after the next item is not the one it announces."""
        for ahead in range(row + 1, row + 3):
            if not self.same_essay(row, ahead):
                return None
            if starts_list(self.text(ahead)):
                return ahead
            if item_marker(self.text(ahead)) is not None:
                return None
        return None

    def _parallel_openings(self, q: Question, rows: list[int]) -> list[int]:
        """The opening sentences of the paragraphs of one essay that open alike on a term the
        question quotes as what its items are ("哪三个“坚持”", "哪几个“坚持从……中来”" of
        paragraphs opening 坚持“从群众中来…”, 坚持“从问题中来…”): an essay's own points,
        unmarked. Two such paragraphs at least, in the essay of the best-ranked sentence that has
        them."""
        terms = {_UNQUOTED.sub("", re.split(r"\.{2,}|…+", t)[0]) for t in _ITEMS_QUOTED.findall(q.text)}
        terms |= set(verbs_itemised(q.text))
        terms = {t for t in terms if len(t) >= 2}
        for essay in dict.fromkeys(i + 1 for r in rows if (i := self._essay_index(r)) is not None):
            for term in terms:
                opening = [r for r in self.paragraph_openings(essay)
                           if _UNQUOTED.sub("", self.text(r).strip()).startswith(term)]
                if len(opening) >= 2:
                    return opening
        return []

    def _named_instances(self, q: Question, rows: list[int]) -> list[int]:
        """The sentences of one essay each naming an instance of the noun the items are asked by,
        a quoted name before it ("哪两个篇章": "读懂其中“甲”的初心篇章…", "…“乙”的担当篇章"):
        parallel sentences, Chinese's way of listing a few things at length. Two or more, and as
        many as the question counts, in the essay of the best-ranked such sentence; else []."""
        if q.item_kind or len(q.item_noun) < 2:
            return []
        instance = re.compile(rf"[”》]的?[\u4e00-\u9fff]{{0,4}}{re.escape(q.item_noun)}")
        found = [r for r in rows if instance.search(self.text(r))]
        same = sorted(r for r in found if self._essay_index(r) == self._essay_index(found[0])) if found else []
        return same if len(same) >= 2 and (not q.count or len(same) == q.count) else []

    def _quoted_item_enumeration(self, q: Question, rows: list[int]) -> tuple[list[int], bool]:
        """(the enumeration a marked line holding a term the question quotes belongs to, whether
        that line heads it), however it scores ("“甲”那一条" of "四是坚持甲…"; "“乙”那部分" of
        the heading "二、乙…" and its 一是…三是), when the retrieved sentences hold one such
        line only, or the enumeration whose every item holds the term when they hold several of
        it ("哪几个“甲”" of "一、甲…", "二、甲…"); else ([], False)."""
        # (a term the corpus is about, “千万工程” in most essays, names no one item)
        quoted = [t for t in QUOTED.findall(q.text) + verbs_itemised(q.text) if not self.index.widespread({t})]
        found = [r for r in rows if item_marker(self.text(r)) is not None and any(t in self.text(r) for t in quoted)]
        if len(found) > 1:
            # "哪几个“聚焦”" of headings "一、聚焦…", "二、聚焦…": the enumeration every item of
            # which holds the term is the list asked.
            for row in found:
                items = self.enumeration(row)
                if len(set(items) & set(found)) >= 2 and all(any(t in self.text(i) for t in quoted) for i in items):
                    return items, True
        if len(found) != 1:
            return [], False
        items = self.enumeration(found[0])
        return items, bool(items) and items[0] == found[0]

    def _aspect_item(self, q: Question, items: list[int]) -> list[Piece]:
        """When the question keeps to one aspect ("在安全方面有哪些措施") that names exactly one
        marked item of the enumeration ("(四)毫不放松抓好安全"), that item: its line and the
        sentences after it, up to the next item, within LIST_BUDGET."""
        m = ASPECT.search(q.text)
        if not m:
            return []
        aspect = m.group(1).strip("“”")
        marked = self._marked_items(items)
        named = [i for i, r in enumerate(marked) if aspect in self.text(r)]
        return self._item_run(marked, named[0], LIST_BUDGET) if len(named) == 1 else []

    def _named_item_list(self, q: Question, items: list[int], rows: list[int], scores: list[float]) -> list[Piece]:
        """When the question names one marked item of the enumeration by a word no other item
        and no lead-in holds ("讲到甲时提了哪几条" of "二是…坚持甲"), and that item's
        line or body holds a list of its own, that inner list: it is what the question asks of
        the item, the siblings are not. The inner list holding most of the words naming the item
        wins, then one of marked items (the item's own points), then the best-scoring."""
        marked = self._marked_items(items)
        if len(marked) < 2:
            return []
        lines = [self.tokens(r) for r in marked]
        outside = set().union(*(self.tokens(r) for r in items if r not in marked))
        words = {w for w in self.tokenizer.tokenize(q.text) if len(w) >= 2} - outside
        naming = {w: i for i, line in enumerate(lines) for w in words if w in line and sum(w in x for x in lines) == 1}
        if len(set(naming.values())) != 1:
            return []
        i = next(iter(naming.values()))
        body = self._item_body(marked, i)
        inner = inner_lists(body, self.text)
        if not inner:
            # No list inside: the item itself, when the question quotes the words naming it
            # (“想法”), not when they only happen to be its words too ("外出学习"); or when its
            # body names things of the kind asked ("以甲为主的有哪几个村": the villages of 二是…甲).
            quoted = QUOTED.findall(q.text)
            of_kind = q.item_kind and any(value_spans(self.text(r), q.item_kind, None, self.tokenizer)
                                          for r in body[1:])
            return self._item_run(marked, i, LIST_BUDGET) if of_kind or any(
                w in t for w in naming for t in quoted) else []
        score = dict(zip(rows, scores, strict=True))
        best = max(inner, key=lambda rs: (sum(w in self.text(r) for r in rs for w in naming),
                                          any(item_marker(self.text(r)) is not None for r in rs),
                                          max(score.get(r, float("-inf")) for r in rs)))
        return self._fit(best, LIST_BUDGET)

    def _item_body(self, marked: list[int], i: int) -> list[int]:
        """Item i of the marked items: its line and the sentences after it, up to the next item or
        a heading."""
        end = marked[i + 1] if i + 1 < len(marked) else marked[i] + MAX_ITEM_GAP
        body = [marked[i]]
        for r in range(marked[i] + 1, end):
            if not self.same_essay(marked[i], r) or self._closes_item(marked[i], r):
                break
            body.append(r)
        return body

    def _closes_item(self, item: int, row: int) -> bool:
        """Whether sentence `row` ends the body of the marked `item` before it: a heading, or a
        line marked at the item's level or above ("4.坚持…" after the last "二是…")."""
        text = self.text(row)
        return is_heading_like(text) or at_or_above(item_marker(text), item_marker(self.text(item)))

    def _item_run(self, items: list[int], i: int, budget: int, most: int | None = None) -> list[Piece]:
        """Item i of the marked `items`: its line and the sentences after it in its essay, up to
        the next item or heading, `most` sentences and `budget` characters."""
        item, following = items[i], items[i + 1] if i + 1 < len(items) else None
        run = [item]
        while ((most is None or len(run) < most) and run[-1] + 1 != following and self.same_essay(item, run[-1] + 1)
               and not self._closes_item(item, run[-1] + 1)
               and sum(len(self.text(r)) for r in run) + len(self.text(run[-1] + 1)) <= budget):
            run.append(run[-1] + 1)
        return self._fit(run, budget)

    def item_count(self, items: list[int]) -> int:
        """How many items an enumeration holds: its marked items (一是…, 1.…), or the things a
        single sentence lists."""
        marked = len(self._marked_items(items))
        return marked if marked >= 2 else max(inline_items(self.text(r)[a:b]) for r in items
                                              for a, b in clause_spans(self.text(r)))

    def _marked_items(self, members: list[int]) -> list[int]:
        """The members of an enumeration marked like its items (一是…, 1.…): the family of the
        first marker after the first member, so the lead-in or heading is left aside."""
        markers = [item_marker(self.text(r)) for r in members]
        family = next((m[0] for m in markers[1:] if m is not None), None)
        return [r for r, m in zip(members, markers, strict=True) if m is not None and m[0] == family]

    def _item_pieces(self, n: int, rows: list[int], scores: list[float], listed: bool = False) -> list[Piece]:
        """The n-th item of the best-scoring enumeration holding n items or more ("第二点"): its
        line and the sentences after it, up to the next item, within VALUE_BUDGET. Asked for a
        list (`listed`: "第三点里从哪些方面入手"), the item's line and the list inside its body
        ("从甲入手,…从乙入手,…"), when it holds one."""
        scored = dict(zip(rows, scores, strict=True))
        for row, score in zip(rows, scores, strict=True):
            if score < scores[0] - LIST_MARGIN:
                break
            items = self._marked_items(self.enumeration(row))
            if len(items) < n:
                continue
            inner = inner_lists(self._item_body(items, n - 1), self.text) if listed else []
            if inner:
                best = max(inner, key=lambda rs: max(scored.get(r, float("-inf")) for r in rs))
                return self._fit([items[n - 1]] + [r for r in best if r != items[n - 1]], LIST_BUDGET)
            return self._item_run(items, n - 1, VALUE_BUDGET, MAX_ITEM_SENTENCES)
        return []

    def _of_kind(self, items: list[int], q: Question) -> bool:
        """Whether an enumeration lists things of the asked kind: two values of that kind, or a
        clause listing things and naming the asked noun ("振兴、东掌、永丰…5个精品示范村"); points
        ("哪几点") are two numbered items or more."""
        texts = [self.text(r) for r in items]
        if q.item_kind == "point":
            return sum(item_marker(t) is not None for t in texts) >= 2
        # A span holding the asked noun whole ("打造精品示范村" of "哪些精品示范村"), or in full
        # where the question abbreviates it (精品村), names the category again, not one of its members.
        category = q.item_noun if len(q.item_noun) >= 3 else None
        found = sum(1 for t in texts for s, e in value_spans(t, q.item_kind, None, self.tokenizer)
                    if not (category and names_category(t[s:e], category)))
        listing = [t[a:b] for t in texts for a, b in clause_spans(t) if inline_items(t[a:b]) >= 3]
        return found >= 2 or len(q.item_noun) >= 2 and any(names_category(clause, q.item_noun) for clause in listing)

    def enumeration(self, row: int) -> list[int]:
        """Rows of the enumeration `row` belongs to, or [] when it belongs to none:
        - a lead-in ("做到“六个坚持”:") or a heading, with the items that follow it (一是…二是…,
          (一)(二), 1. 2.), or with the one sentence after a colon that lists them;
        - an item, with its sibling items and the lead-in before the first;
        - a sentence that lists three or more things itself (、, 《》《》)."""
        text = self.text(row)
        own = item_marker(text)
        if is_lead_in(text) or is_heading_like(text):
            # A lead-in's items follow at once; a heading's may follow a few sentences of
            # introduction, up to the next heading of its level or above.
            reach = HEADING_REACH if is_heading_like(text) and not is_lead_in(text) else LEAD_IN_REACH
            for following in range(row + 1, row + 1 + reach):
                if not self.same_essay(row, following):
                    break
                marker = item_marker(self.text(following))
                if marker is not None and marker[1] == 1 and (own is None or marker[0] != own[0]):
                    return [row] + self._items_from(following, marker)
                if at_or_above(marker, own):
                    break
            if is_lead_in(text) and own is None and self.same_essay(row, row + 1):
                return [row, row + 1]  # "…有三类:" followed by the sentence listing them
        if own is None and is_run_in_heading(text):
            # "开创甲乙工作新局面。完善…。推动…。加强…。": what it leads, up to the next such
            # heading or the paragraph's end.
            run = []
            while (len(run) < RUN_IN_ITEMS and self.same_essay(row, r := row + 1 + len(run))
                   and not self.opens_paragraph(r) and not is_run_in_heading(self.text(r))
                   and not is_heading_like(self.text(r)) and item_marker(self.text(r)) is None):
                run.append(r)
            if len(run) >= 2:
                return [row] + run
        if own is not None:
            first = self._first_item(row, own)
            lead = [first - 1] if self.same_essay(first, first - 1) and is_lead_in(self.text(first - 1)) else []
            return lead + self._items_from(first, item_marker(self.text(first)))
        return [row] if inline_items(text) >= 3 else []

    def _first_item(self, row: int, marker: tuple[str, int]) -> int:
        family, value = marker
        current, r = row, row - 1
        while value > 1 and self.same_essay(row, r) and row - r <= MAX_ITEM_GAP * value:
            m = item_marker(self.text(r))
            if m == (family, value - 1):
                current, value = r, value - 1
            elif m is not None and MARKER_LEVELS[m[0]] < MARKER_LEVELS[family]:
                break  # a heading above the enumeration
            r -= 1
        return current

    def _items_from(self, first: int, marker: tuple[str, int] | None) -> list[int]:
        """The item rows starting at `first`: each next ordinal of the same family, within
        MAX_ITEM_GAP sentences of the previous one, until a marker of a higher level (一、 above
        (一) above 1. above 一是) closes the enumeration."""
        if marker is None:
            return [first]
        family, value = marker
        items, gap, r = [first], 0, first + 1
        while self.same_essay(first, r) and gap <= MAX_ITEM_GAP:
            m = item_marker(self.text(r))
            if m == (family, value + 1):
                items.append(r)
                value, gap = value + 1, 0
            elif m is not None and MARKER_LEVELS[m[0]] < MARKER_LEVELS[family]:
                break
            else:
                gap += 1
            r += 1
        return items

    def _fit(self, rows: list[int], budget: int) -> list[Piece]:
        """Whole sentences if they fit the budget, else each cut to its first clauses."""
        spans = [(r, self.index.sentences[r].start, self.index.sentences[r].end) for r in rows]
        if sum(e - s for _, s, e in spans) <= budget:
            return spans
        share = max(budget // len(rows), 12)
        return [(r, s, s + clause_end(self.text(r), share)) for r, s, _ in spans]


def inner_lists(rows: list[int], text) -> list[list[int]]:
    """The lists within a run of sentences (an item's line, then its body), each as its rows:
    a sentence listing three or more things itself (、, 一是…二是… inside), items marked in a
    family other than the run's own (1. 2. under 一、), or sentences opened alike ("从甲入手,…"
    "从乙入手,…": first clauses sharing their first character and their last two).

    >>> lines = ["三是有目标。", "从品牌入手,做品牌。", "已尝试。", "从人居环境入手,做整治。", "从设施入手,补短板。"]
    >>> inner_lists(list(range(5)), lines.__getitem__)
    [[1, 3, 4]]
    >>> inner_lists([0, 1], ["做到三条。", "立足山区、平原、丘陵开展工作。"].__getitem__)
    [[1]]
    """
    found: list[list[int]] = [[r] for r in rows if inline_items(text(r)) >= 3]
    own = item_marker(text(rows[0]))
    by_family: dict[str, list[int]] = {}
    openings: dict[tuple[str, str], list[int]] = {}
    for r in rows[1:]:
        marker = item_marker(text(r))
        if marker is not None and (own is None or marker[0] != own[0]):
            by_family.setdefault(marker[0], []).append(r)
        first = text(r)[: clause_spans(text(r))[0][1]].rstrip(",，;；:：。")
        if 4 <= len(first) <= 16:
            openings.setdefault((first[0], first[-2:]), []).append(r)
    found += [rs for rs in (*by_family.values(), *openings.values()) if len(rs) >= 2]
    return sorted(found)


def listed_of(text: str, noun: str) -> bool:
    """Whether a clause of `text` lists three things or more each ending on the noun's head
    character, so things of that kind: "本职事、组织事、公益事" are 事情, "民宿产业、茶产业、
    文创产业" are 产业.

    >>> listed_of("在本职事、组织事、公益事、共富事中争当先进。", "事情"), listed_of("学政策、学优秀、学先进。", "事情")
    (True, False)
    """
    for a, b in clause_spans(text):
        things = [t.strip("等,，;；。") for t in text[a:b].split("、")]
        if len(things) >= 3 and sum(t.endswith((noun, noun[0])) for t in things) >= 3:
            return True
    return False


# Two things or more closed by 等 ("甲、乙等", "甲和乙等": 等 says the list goes on; 等待, 等级,
# 等同, 等于 are other words).
_PAIR_CLOSED = r"[、和][^、，,;；。：:和]{1,15}等(?![待级同于候])"
# …or three things or more whose category follows 的 ("处理好甲与乙、丙与丁、戊与己的关系").
_LIST_OF = r"(?:[^、，,;；。：:]{1,15}、){2,}[^、，,;；。：:的]{1,15}的"


def closes_on(text: str, noun: str) -> bool:
    """Whether `text` lists things (with 、 or 和) and closes the list with 等 and a category ending
    on the noun's last word: "甲、乙等地方品牌" lists 地方特色品牌 (品牌), though it words them
    otherwise, and 等 says there are more than the two it names; or lists three things and more
    and names their category after 的.

    >>> closes_on("打造“甲”、乙“丙”等地方品牌,推动发展。", "地方特色品牌"), closes_on("甲、乙等产品。", "文化品牌")
    (True, False)
    >>> closes_on("处理好甲与乙、丙与丁、戊与己的关系。", "关系"), closes_on("甲、乙的关系。", "关系")
    (True, False)
    """
    head = words(noun)[-1]
    return len(head) >= 2 and re.search(
        rf"(?:{_PAIR_CLOSED}|{_LIST_OF})[\u4e00-\u9fff]{{0,6}}{re.escape(head)}(?![\u4e00-\u9fff])", text) is not None


def ends_items_on(text: str, noun: str) -> bool:
    """Whether an enumeration of `text` (items joined by 、) ends its last item on the noun's last
    word, which says what all the items are: "以甲、乙丙产业为主导" lists 产业; a title quoted
    as an item that uses the word ("《丁产业与戊》") does not.

    >>> ends_items_on("以甲乙、丙丁产业为主导。", "产业"), ends_items_on("学了《甲》、《乙产业与丙》。", "产业")
    (True, False)
    >>> ends_items_on("甲、乙产业链", "产业")
    False
    """
    head = words(noun)[-1]
    if len(head) < 2:
        return False
    for m in re.finditer(r"、([^、，,。；;：:《》“”]{1,10})", text):
        cut = words(m.group(1))  # the last item and what follows it, up to the clause's end
        if head in cut[1:]:
            return True
    return False


def closes_own_list(text: str) -> bool:
    """Whether `text` names the things it is about itself, closing them with 等 ("通过建礼堂和办
    夏令营等方式…"): it announces no list in the sentences after it.

    >>> closes_own_list("村里通过建礼堂和办夏令营等方式推进治理。"), closes_own_list("今年拟打造5个示范村。")
    (True, False)
    """
    return re.search(_PAIR_CLOSED, text) is not None


def starts_list(text: str) -> bool:
    """A sentence that is an in-sentence list or the first item of one (not a later item)."""
    marker = item_marker(text)
    return inline_items(text) >= 3 or (marker is not None and marker[1] == 1)


def is_run_in_heading(sentence: str) -> bool:
    """A short sentence of one clause that names a task the sentences after it carry out, as
    official writing runs its headings into the paragraph ("加快养老基础设施建设。" then what is
    built): at most RUN_IN_HEADING characters, no comma, no number, ending on 。, and opening on a
    verb (jieba's base tag), as a task does; a short statement ("某人于2009年请辞。") or a noun
    phrase ("一年生草本。") heads nothing.

    >>> is_run_in_heading("开创甲乙工作新局面。"), is_run_in_heading("他说,要干。")
    (True, False)
    >>> is_run_in_heading("(二)提升服务水平"), is_run_in_heading("一年生草本。"), is_run_in_heading("他于1999年请辞。")
    (False, False, False)
    """
    body = sentence.strip()
    if len(body) > RUN_IN_HEADING or not body.endswith("。") or re.search(r"[,，、:：;；“\d]", body):
        return False
    first = words(body)[0]
    return tag(first).startswith("v")
