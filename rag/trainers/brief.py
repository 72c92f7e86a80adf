"""Session briefs for trainers: questions answered with citations, then the dossier of every
village and practice they touch, as Markdown and as .docx (python-docx) for printing. The
answers are rendered by rag/render.py, as in the chat's export.

A question the essays do not answer stays in the brief, marked as unanswered.
Leaves out: styling beyond headings, lists and quotes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rag import render
from rag.render import conversation_blocks
from rag.schema import Answer
from rag.trainers.dossier import Name, mentions, naming_sentences

TITLE = "培训研讨讲义"


@dataclass
class Brief:
    items: list[tuple[str, Answer]]
    places: list[Name]


def build_brief(assistant, questions: list[str], names: list[Name]) -> Brief:
    """Answer each question (as separate questions, no conversation) and collect the places they touch."""
    items = [(q, assistant.ask(q)) for q in questions if q.strip()]
    touched = "\n".join(q + a.answer for q, a in items)
    return Brief(items, [n for n in names if mentions(touched, set(n.variants))])


def blocks(brief: Brief, index) -> list[tuple[str, str]]:
    """The brief as (kind, text) blocks: h1, h2, h3, p, quote, item — one source for both formats."""
    out = conversation_blocks(brief.items, TITLE, f"生成时间：{time.strftime('%Y-%m-%d %H:%M')}")
    if brief.places:
        out.append(("h1", "村庄与主题"))
    for name in brief.places:
        out.append(("h2", f"{name.name}（{name.kind}，{len(name.essays)} 篇文章）"))
        if name.merged:
            out.append(("p", f"已合并的写法：{'、'.join(name.merged)}"))
        for number in name.essays:
            essay = index.essay(number)
            out.append(("h3", f"《{essay.title}》（{essay.author}）"))
            text = index.sources[essay.source]
            for e, start, end in name.paragraphs:
                if e == number:
                    out += [("quote", text[s:t].strip()) for s, t in naming_sentences(index, name, e, start, end)]
    return out


def to_markdown(brief: Brief, index) -> str:
    return render.to_markdown(blocks(brief, index))


def write_docx(brief: Brief, index, path: Path) -> None:
    from docx import Document

    document = Document()
    render.to_docx(document, blocks(brief, index))
    document.save(str(path))


def write_brief(brief: Brief, index, out: Path) -> list[Path]:
    """`out` as Markdown and the same name with .docx; returns both paths."""
    out = Path(out)
    markdown, docx = out.with_suffix(".md"), out.with_suffix(".docx")
    markdown.write_text(to_markdown(brief, index), encoding="utf-8")
    write_docx(brief, index, docx)
    return [markdown, docx]
