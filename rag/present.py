"""Markdown for people: answers with citations, passages in context, essays, exports.

Everything from a user or from the corpus is escaped before it enters Markdown, so a
question such as `<img src=x onerror=alert(1)>` shows up as the literal text typed and a
passage cannot inject markup. The UI and the export both use these functions.
Leaves out: widgets and events (app.py).
"""

from __future__ import annotations

import html
import re
import time

from rag.schema import Answer, Hit
from rag.store import Index

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def escape(text: str) -> str:
    """Text shown literally in Markdown: HTML entities and Markdown punctuation escaped.

    >>> escape("<b>[1]</b> *x*")
    '&lt;b&gt;\\\\[1\\\\]&lt;/b&gt; \\\\*x\\\\*'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def content_text(content) -> str:
    """Gradio chat `content` as plain text: a string, or a list of {"type": "text", …} parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return "".join(content_text(part) for part in content)
    return ""


def highlight(text: str, start: int, spans) -> str:
    """Escaped `text` (which begins at source offset `start`) with the quoted spans in <mark>."""
    out, pos = [], 0
    for s, e in sorted(spans):
        s, e = max(s - start, pos), min(e - start, len(text))
        if s >= e:
            continue
        out += [escape(text[pos:s]), "<mark>", escape(text[s:e]), "</mark>"]
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out)


def paragraph_context(index: Index, hit: Hit) -> tuple[str, str]:
    """The paragraph before and the paragraph after the passage, within its essay."""
    chunk = hit.chunk
    text = index.sources[chunk.source]
    essay = next((e for e in index.essays if e.number == chunk.essay and e.source == chunk.source), None)
    lo, hi = (essay.start, essay.end) if essay else (0, len(text))
    para_start = text.rfind("\n", lo, chunk.start) + 1 or lo
    before_start = text.rfind("\n", lo, max(lo, para_start - 1)) + 1 if para_start > lo else para_start
    before = text[max(lo, before_start) : para_start].strip()
    para_end = text.find("\n", chunk.end, hi)
    para_end = hi if para_end < 0 else para_end
    after_end = text.find("\n", para_end + 1, hi)
    after = text[para_end:hi if after_end < 0 else after_end].strip()
    return before, after


def citation_block(index: Index, citation) -> str:
    c = citation.hit.chunk
    before, after = paragraph_context(index, citation.hit)
    lines = [
        f"**[{citation.n}]** 《{escape(c.title)}》 · {escape(c.author)}  ",
        f"<small>{escape(c.heading)}</small>",
        "",
        "> " + highlight(c.text, c.start, citation.quote_spans).replace("\n", "  \n> "),
    ]
    if before or after:
        lines += ["", "<details><summary>展开上下文</summary>", ""]
        if before:
            lines += [f"<small>（上一段）</small> {escape(before)}", ""]
        lines += [highlight(c.text, c.start, citation.quote_spans).replace("\n", "  \n"), ""]
        if after:
            lines += [f"<small>（下一段）</small> {escape(after)}", ""]
        lines += ["</details>"]
    return "\n".join(lines)


def related_block(hits: list[Hit], label: str, limit: int = 3) -> str:
    if not hits:
        return ""
    items = [f"- 《{escape(h.chunk.title)}》 · {escape(h.chunk.author)} — {escape(h.chunk.heading)}："
             f"{escape(h.chunk.text[:80])}……" for h in hits[:limit]]
    return f"**{label}**\n\n" + "\n".join(items)


def answer_text_markdown(text: str) -> str:
    """The answer text; a list answer (one item per line, after its lead-in) as a Markdown list.

    >>> answer_text_markdown("要做到:[1]\\n一是引领[2]。\\n二是共享[3]。")
    '要做到:\\\\[1\\\\]\\n\\n- 一是引领\\\\[2\\\\]。\\n- 二是共享\\\\[3\\\\]。'
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        return escape(text)
    return escape(lines[0]) + "\n\n" + "\n".join("- " + escape(line) for line in lines[1:])


def answer_markdown(index: Index, answer: Answer) -> str:
    """One chat reply: notes, the answer with its [n], then the citations or the related passages."""
    parts = [f"<small>{escape(n)}</small>" for n in answer.notes]
    parts.append(answer_text_markdown(answer.answer))
    if answer.citations:
        parts.append("---\n**引用**")
        parts += [citation_block(index, c) for c in answer.citations]
    if not answer.answerable:
        parts.append(related_block(answer.related, "可能相关的段落"))
    if answer.backend != "extractive":
        parts.append(f"<small>由大模型生成（{escape(answer.backend)}），引用已核对。</small>")
    return "\n\n".join(p for p in parts if p)


def export_markdown(turns: list[tuple[str, Answer]]) -> str:
    """The conversation for trainers: each question, its answer and citations (rag/render.py,
    the same blocks as the session brief)."""
    from rag.render import conversation_blocks, to_markdown

    return to_markdown(conversation_blocks(turns, "千万工程培训心得问答 · 对话记录",
                                           f"导出时间：{time.strftime('%Y-%m-%d %H:%M')}"))


def essay_markdown(index: Index, number: int) -> str:
    """One essay to read: title, author role, and its text with section headings."""
    essay = index.essay(number)
    text = index.sources[essay.source]
    lines = [f"## {escape(essay.title)}", f"*{escape(essay.author)}*", ""]
    shown: tuple[str, ...] = ()
    for section in essay.sections:
        path = section.heading_path
        common = 0
        while common < min(len(path), len(shown)) and path[common] == shown[common]:
            common += 1
        for depth in range(common, len(path)):
            lines += [f"{'#' * min(6, depth + 3)} {escape(path[depth])}", ""]
        shown = path
        paragraphs = [p.strip() for p in text[section.start : section.end].split("\n") if p.strip()]
        if paragraphs and path and paragraphs[0].lstrip("#").strip().rstrip("。：:") == path[-1]:
            paragraphs = paragraphs[1:]  # a heading line, already shown as a heading
        lines += [escape(p) + "\n" for p in paragraphs]
    return "\n".join(lines)


def dossier_overview(names) -> str:
    """The list of villages and practices, most-mentioned first."""
    lines = ["| 名称 | 类别 | 文章数 | 段落数 | 合并的写法 | 来源 |", "|---|---|---:|---:|---|---|"]
    for n in names:
        lines.append(f"| {escape(n.name)} | {n.kind} | {len(n.essays)} | {len(n.paragraphs)} | "
                     f"{escape('、'.join(n.merged)) or ''} | {escape(n.source)} |")
    return "\n".join(lines)


def dossier_markdown(index: Index, name) -> str:
    """What every essay says about one village or practice: its paragraphs grouped by essay,
    the sentences naming it highlighted, each paragraph expandable in full."""
    from rag.trainers.dossier import mentions, naming_sentences

    lines = [f"## {escape(name.name)}（{name.kind}）",
             f"{len(name.essays)} 篇文章、{len(name.paragraphs)} 个段落提到它。名称来源：{escape(name.source)}。"]
    if name.merged:
        what = "村" if name.kind == "村庄" else "做法"
        lines.append(f"已合并的写法：{escape('、'.join(name.merged))}（文中指同一{what}）。")
    for number in name.essays:
        essay = index.essay(number)
        text = index.sources[essay.source]
        lines += ["", f"### 《{escape(essay.title)}》 · {escape(essay.author)}"]
        for e, start, end in name.paragraphs:
            if e != number:
                continue
            for s, t in naming_sentences(index, name, e, start, end):
                sentence = text[s:t].strip()
                spans = [(s + a, s + b) for a, b in mentions(sentence, set(name.variants))]
                lines.append("- " + highlight(sentence, s, spans))
            lines += ["", "<details><summary>展开整段</summary>", "", escape(text[start:end].strip()), "", "</details>"]
    return "\n".join(lines)
