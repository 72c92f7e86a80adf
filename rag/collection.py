"""Answers about the collection itself, read from its essays' titles, author lines and table of
contents rather than from what the essays say: who wrote an essay ("第三篇是谁写的", "写“甲”的
那篇作者是什么职务"), which essays a writer wrote or the collection holds ("局长写的有几篇",
"资料里共有多少篇"), and the page an essay or part begins on. Each is cited to the first passage
of the essay or part, whose citation shows the title, the author line and the page.

Leaves out: which essays a question names (rag.question's authors_named, essays_at_position;
Assistant.authors_named) and which page a question names (rag.pages).
"""

from __future__ import annotations

import re

from rag.schema import Answer, Citation, Essay, Hit
from rag.sections import squash
from rag.store import Index

# Who wrote an essay, or the writer's post: "作者是谁", "是谁写的", "执笔人是什么职务", a civil
# servant's grade ("几级科员"), which only an author line states, and the essay's title.
WRITER_ASKED = re.compile(r"(?:作者|执笔人|撰写人|写这篇的人)(?:分别|各自|都)?(?:是谁|是哪位|是什么人|是何人|"
                          r"(?:是什么|的)?(?:身份|职务|职位|级别|职级|单位|岗位))|"
                          r"谁写的|谁执笔|出自谁|(?:哪位|谁)(?:作者|学员)?(?:写|执笔|撰写)[的了]|"
                          r"(?:哪位|哪几位|哪些)(?:作者|学员)?(?:写|提|谈|讲)到了?|"
                          r"几级(?:科员|主任科员|干部|职员|公务员|调研员)|"
                          # …or what the essay is called, which the same answer gives
                          # (not a course's, a lecture's or a book's: "课程的题目")
                          r"(?<!课)(?<!课的)(?<!程)(?<!程的)(?<!座)(?<!座的)(?<!书)(?<!书的)"
                          r"(?:题目|标题|题名|篇名)(?:是|叫|为)?(?:什么|啥)|(?:文章|这篇|那篇)(?:叫|题为)(?:什么|啥)")
# How many essays, or which, a writer wrote ("局长写的有几篇", "哪几篇是村支书执笔的", "局长写的
# 只有两篇吧", answered by the count) or the collection holds ("资料里共有多少篇"). "有几篇提到了
# 甲" asks what essays say: a survey.
_COUNTED = r"(?:几|多少|哪几|哪些)篇"
ESSAYS_COUNTED = re.compile(
    rf"(?:写|执笔|撰写)的[^？?，,。]{{0,4}}?(?:有|是|共|一共|就|只有|只)?(?:{_COUNTED}|[一二两三四五六七八九十\d]+篇)|"
    rf"{_COUNTED}[^？?，,。]{{0,6}}(?:是|为|由)[^？?，,。]{{1,12}}?(?:写|执笔|撰写)的|"
    rf"(?P<whole>(?:汇编|资料|文集|这本)[^？?，,。]{{0,8}}(?:收录?了?|有|包括|共|一共|总共)[^？?，,。]{{0,4}}{_COUNTED})")


# What a writer is asked to have written of: "哪位作者写到了甲乙？" → 甲乙.
_WRITTEN_OF = re.compile(r"(?:写|提|谈|讲)到了?[“\"]?(?P<topic>[^，,。？?！!“”\"]{2,12}?)[”\"]?"
                         r"(?:的|吗|呢)?[？?。！!]*$")


# An essay described by what it is about: "民政那篇", "写交通的那篇", "关于“甲乙”的这篇文章".
_ESSAY_DESCRIBED = re.compile(r"(?:^|(?<=[写讲谈说])|(?<=关于))[“\"]?"
                              r"(?P<topic>[^，,。？?！!“”\"的那这第写讲谈说谁了]{2,10}?)[”\"]?"
                              r"(?:工作|方面)?的?[那这]一?篇")


def essay_described(text: str) -> str:
    """What a question describes an essay by ("民政那篇是谁写的" → 民政), or "".

    >>> essay_described("写甲乙的那篇作者是谁？"), essay_described("关于“丙丁”工作的那篇是谁写的？")
    ('甲乙', '丙丁')
    >>> essay_described("那篇文章是谁写的？"), essay_described("第三篇是谁写的？")
    ('', '')
    """
    m = _ESSAY_DESCRIBED.search(text)
    return m.group("topic") if m else ""


def essays_about(index: Index, topic: str, pool: set[int]) -> set[int]:
    """The essays of `pool` a description names (`essay_described`): those whose title holds it,
    else those whose author line does, else those whose text uses it."""
    essays = [e for e in index.essays if e.number in pool]
    return ({e.number for e in essays if topic in e.title} or {e.number for e in essays if topic in (e.author or "")}
            or index.essays_mentioning({topic}) & pool)


def written_of(text: str) -> str:
    """What a question asks a writer to have written of, when it ends on it; "" otherwise.

    >>> written_of("哪位作者写到了甲乙丙？"), written_of("谁写的心得提到了丁戊村？"), written_of("谁写的？")
    ('甲乙丙', '丁戊村', '')
    >>> written_of("有哪些作者讲到“己庚”？")
    '己庚'
    """
    m = _WRITTEN_OF.search(text)
    return m.group("topic") if m else ""


def opening_citation(index: Index, number: int, heading: str = "", n: int = 1,
                     terms: tuple[frozenset[str], ...] = ()) -> Citation:
    """Citation `n` of the first passage of essay `number` (of its part `heading`, if given),
    quoting its opening sentence: what a reader finds where the essay or the part begins. With
    `terms` (each a set of spellings), of the first passage using every term, quoting its first
    sentence using them all (else its first using one)."""
    def uses(text: str, every: bool = True) -> bool:
        found = [any(s in text for s in spellings) for spellings in terms]
        return all(found) if every else any(found) or not terms

    rows = [row for row, chunk in enumerate(index.chunks) if chunk.essay == number
            and squash(heading) in squash(chunk.heading) and uses(chunk.text)]
    row = min(rows, key=lambda r: index.chunks[r].start)
    sentences = [(s, index.sources[s.source][s.start : s.end])
                 for s in (index.sentences[r] for r in index.sentence_rows(row))]
    sentence, text = next((pair for every in (True, False) for pair in sentences if uses(pair[1], every)),
                          sentences[0])
    return Citation(n, Hit(n, 0.0, index.chunks[row], row), text.strip(), ((sentence.start, sentence.end),))


def _answered(question: str, text: str, citations: list[Citation], hits: list[Hit]) -> Answer:
    cited = {c.hit.row for c in citations}
    return Answer(question, text, True, citations, [h for h in hits if h.row not in cited])


def page_of(question: str, index: Index, essay: Essay, heading: str, hits: list[Hit]) -> Answer:
    """The page the table of contents gives `essay` or its part `heading` ("" for the essay
    itself), said as the table of contents', cited to the part's first passage."""
    what = f"《{essay.title}》（{essay.author}）" + (f"的“{heading.strip()}”一节" if heading else "")
    return _answered(question, f"据汇编目录，{what}在第{essay.pages[heading]}页[1]。",
                     [opening_citation(index, essay.number, heading)], hits)


def writers_of(question: str, index: Index, numbers: set[int], hits: list[Hit], topic: str = "",
               terms: tuple[frozenset[str], ...] = ()) -> Answer:
    """Who wrote each of essays `numbers`, as the author line under its title says: one
    sentence for one essay, else one line each after how many there are. Of the essays
    writing of `topic`, each is cited where it first uses its `terms` (rag.collection's
    opening_citation)."""
    essays = [e for e in index.essays if e.number in numbers]
    citations = [opening_citation(index, e.number, n=i, terms=terms) for i, e in enumerate(essays, start=1)]
    if len(essays) == 1 and not topic:
        text = f"《{essays[0].title}》的作者是{essays[0].author or '（未署名）'}[1]。"
    else:
        head = f"写到“{topic}”的文章有{len(essays)}篇：" if topic else f"共{len(essays)}篇："
        text = head + "\n" + "\n".join(_listed(essays))
    return _answered(question, text, citations, hits)


def _listed(essays: list[Essay]) -> list[str]:
    """One line per essay: its title, its author line, its citation marker (numbered in order)."""
    return [f"《{e.title}》（{e.author or '未署名'}）[{i}]" for i, e in enumerate(essays, start=1)]


def essays_by(question: str, index: Index, numbers: set[int], hits: list[Hit], total: int,
              whole: bool, role: str = "") -> Answer:
    """How many essays, and which, among `numbers` (the writer's; every essay when `whole`),
    one line each with its author, after the size of the collection (`total` essays). The
    writers are called by their common author line, else by the `role` asked when each line
    holds it ("局长"), else "所问的作者"."""
    essays = [e for e in index.essays if e.number in numbers]
    citations = [opening_citation(index, e.number, n=i) for i, e in enumerate(essays, start=1)]
    authors = {e.author for e in essays}
    who = (next(iter(authors)) if len(authors) == 1 and all(authors) else
           role if role and all(role in a for a in authors) else "所问的作者")
    head = f"资料共收文章{total}篇" + ("：" if whole else f"，其中{who}写的有{len(essays)}篇：")
    return _answered(question, head + "\n" + "\n".join(_listed(essays)), citations, hits)
