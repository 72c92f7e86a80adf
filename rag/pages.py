"""Where an essay or one of its parts is in the printed compilation: "…那篇印在第几页",
"“甲乙”那一节在目录上标的是哪一页". The page numbers are the table of contents' (kept by
rag/corpus.py in `Essay.pages`); a question names the essay (by title, writer or place in the
collection: rag/assistant.py) or quotes enough of a part's heading to tell which it is.
Leaves out: finding the essays a question names (assistant.py) and writing the answer (answer.py).
"""

from __future__ import annotations

import re

from rag.schema import Essay

MIN_RUN = 4  # characters a question must share with a title or heading to name it
_PUNCT = re.compile(r"[\s\"“”‘’《》「」,，、.。:：;；!！?？()（）]")


def _plain(text: str) -> str:
    return _PUNCT.sub("", text)


def common_run(a: str, b: str) -> int:
    """The length of the longest stretch of characters `a` and `b` share.

    >>> common_run("乙那篇的丙丁戊己庚辛在第几页", "三、丙丁戊己庚辛,壬癸")
    6
    """
    best, previous = 0, [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def located(question: str, essays: list[Essay], named: set[int]) -> tuple[Essay, str] | None:
    """(essay, part heading or "" for the essay itself) whose page the question asks: the title
    or part heading the question shares the longest stretch with (MIN_RUN characters at least;
    a title on a tie), among the essays it names if any; else the one essay it names. None when
    it names nothing the table of contents lists.

    >>> a = Essay(1, "甲乙丙丁戊", "局长", "f", 0, 9, pages={"": 3, "一、己庚辛壬": 4})
    >>> b = Essay(2, "子丑寅卯辰", "书记", "f", 9, 19, pages={"": 7})
    >>> [(e.number, part) for e, part in [located("己庚辛壬那节在第几页", [a, b], set()),
    ...                                    located("书记那篇在哪一页", [a, b], {2}),
    ...                                    located("《子丑寅卯》在第几页", [a, b], set())]]
    [(1, '一、己庚辛壬'), (2, ''), (2, '')]
    >>> located("第几页", [a, b], set()) is None
    True
    """
    plain = _plain(question)
    pool = [e for e in essays if e.number in named] or essays
    entries = [(common_run(plain, _plain(heading or e.title)), not heading, e, heading)
               for e in pool for heading in e.pages]
    run, _, essay, heading = max(entries, key=lambda entry: entry[:2], default=(0, False, None, ""))
    if run >= MIN_RUN:
        return essay, heading
    if len(named) == 1 and len(pool) == 1 and "" in pool[0].pages:
        return pool[0], ""
    return None


def part_page(essay: Essay, heading_path: tuple[str, ...]) -> int | None:
    """The table of contents' page where a passage's part begins (its top heading), else where
    its essay begins; None without a table of contents.

    >>> a = Essay(1, "甲乙丙丁戊", "局长", "f", 0, 9, pages={"": 3, "一、己庚辛壬": 4})
    >>> part_page(a, ("一、 己庚辛壬", "(一)癸")), part_page(a, ()), part_page(Essay(2, "t", "", "f", 0, 1), ())
    (4, 3, None)
    """
    top = _plain(heading_path[0]) if heading_path else ""
    return next((page for heading, page in essay.pages.items() if heading and _plain(heading) == top),
                essay.pages.get(""))
