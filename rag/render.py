"""One answer, one rendering: `answer_blocks` turns an Answer into blocks, and the CLI text, the
Markdown export of a chat, the session brief and its .docx are all written from those blocks, so
a citation reads the same everywhere and the export and the brief cannot disagree.

A block is (kind, text): h1, h2, h3 and p for the document around answers; note (a remark such
as "按上文理解为…"), answer (the answer's first line), refusal (why nothing is quoted), item
(a list answer's items), label (引用, 可能相关), source (where a citation comes from), quote
(the cited words) and related (a passage that may be related).
Leaves out: the chat's rich Markdown with highlights and context (present.py).
"""

from __future__ import annotations

from rag.chunk import HEADING_SEPARATOR
from rag.schema import Answer, Hit

Block = tuple[str, str]
NOT_FOUND_MARK = "【未找到答案】"
RELATED_SHOWN = 3


def section(hit: Hit) -> str:
    """The passage's place in its essay: the heading path below the title, or （正文）."""
    path = hit.chunk.heading
    return path.split(HEADING_SEPARATOR, 1)[-1] if HEADING_SEPARATOR in path else "（正文）"


def source_line(hit: Hit) -> str:
    """《title》（author） — section: how every rendering names a passage."""
    return f"《{hit.chunk.title}》（{hit.chunk.author}） — {section(hit)}"


def answer_blocks(answer: Answer) -> list[Block]:
    """The answer as blocks: notes, the answer (its list items apart) or the refusal, then the
    citations (source and quote) or, for a refusal, the passages that may be related."""
    out: list[Block] = [("note", note) for note in answer.notes]
    first, *items = answer.answer.split("\n")
    out.append(("answer", first) if answer.answerable else ("refusal", f"{NOT_FOUND_MARK}{answer.answer}"))
    out += [("item", item) for item in items]
    if answer.citations:
        out.append(("label", "引用"))
        for c in answer.citations:
            out += [("source", f"[{c.n}] {source_line(c.hit)}"), ("quote", c.quote)]
    elif not answer.answerable and answer.related:
        out.append(("label", "可能相关"))
        out += [("related", source_line(h)) for h in answer.related[:RELATED_SHOWN]]
    if answer.backend != "extractive":
        out.append(("note", f"由大模型生成（{answer.backend}），引用已核对。"))
    return out


_MARKDOWN = {"h1": "# ", "h2": "## ", "h3": "### ", "p": "", "note": "*注意：*", "answer": "**回答**：",
             "refusal": "**回答**：", "item": "- ", "label": "", "source": "- ", "quote": "> ", "related": "- "}


def conversation_blocks(turns: list[tuple[str, Answer]], title: str, when: str) -> list[Block]:
    """A chat or a brief's questions: the title, when, then each question and its answer."""
    out: list[Block] = [("h1", title), ("p", when)]
    for number, (question, answer) in enumerate(turns, start=1):
        out += [("h2", f"问题 {number}：{question}")] + answer_blocks(answer)
    return out


def to_markdown(blocks: list[Block]) -> str:
    """Plain Markdown, one block per paragraph (labels in bold)."""
    return "\n\n".join(_MARKDOWN[kind] + (f"**{text}**" if kind == "label" else text) for kind, text in blocks) + "\n"


_TEXT = {"h1": "", "h2": "", "h3": "", "p": "", "note": "注意：", "answer": "答：", "refusal": "答：", "item": "  - ",
         "label": "", "source": "  ", "quote": "      ", "related": "  - "}


def to_text(blocks: list[Block]) -> str:
    """Terminal text, one block per line: quotes in “”, labels followed by a colon."""
    lines = []
    for kind, text in blocks:
        text = f"“{text}”" if kind == "quote" else f"{text}：" if kind == "label" else text
        lines.append(_TEXT[kind] + text)
    return "\n".join(lines)


def to_docx(document, blocks: list[Block]) -> None:
    """Add the blocks to a python-docx Document: headings, quotes, bullets, paragraphs."""
    for kind, text in blocks:
        if kind in ("h1", "h2", "h3"):
            document.add_heading(text, level=int(kind[1]))
        elif kind == "quote":
            document.add_paragraph(text, style="Intense Quote")
        elif kind in ("item", "source", "related"):
            document.add_paragraph(text, style="List Bullet")
        elif kind in ("answer", "refusal"):
            document.add_paragraph("回答：" + text)
        elif kind == "note":
            document.add_paragraph("注意：" + text)
        else:
            document.add_paragraph(text)
