"""Markdown for people: answers with citations, passages in context, essays, exports.

Everything from a user or from the corpus is escaped before it enters Markdown, so a
question such as `<img src=x onerror=alert(1)>` shows up as the literal text typed and a
passage cannot inject markup. The UI and the export both use these functions.
Leaves out: widgets and events (ui.py).
"""

from __future__ import annotations

import html
import re
import time

from rag.chunk import HEADING_SEPARATOR
from rag.pages import part_page
from rag.render import answer_blocks, conversation_blocks, section, to_markdown, to_text
from rag.schema import Answer, Hit
from rag.sections import essay_paragraphs, section_lines
from rag.store import Index
from rag.text import shorten

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


def highlight(text: str, start: int, spans, markdown: bool = True) -> str:
    """Escaped `text` (which begins at source offset `start`) with the quoted spans in <mark>;
    `markdown=False` escapes for raw HTML (a <summary>), where Markdown escapes would show."""
    esc = escape if markdown else html_text
    out, pos = [], 0
    for s, e in sorted(spans):
        s, e = max(s - start, pos), min(e - start, len(text))
        if s >= e:
            continue
        out += [esc(text[pos:s]), "<mark>", esc(text[s:e]), "</mark>"]
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def html_text(text: str) -> str:
    """Text inside raw HTML: entities escaped, line breaks kept as spaces."""
    return html.escape(text, quote=False).replace("\n", " ")


def copy_button(label: str, plain: str, tip: str) -> str:
    """Inline Markdown: a button that copies `plain` as plain text. The text sits hidden beside
    it (line breaks as <br>) and the page's script (rag/ui_page.py) copies it."""
    return (f'<span class="rag-copybox"><button class="rag-copy" title="{tip}">{label}</button>'
            f'<span class="rag-plain">{escape(plain).replace(chr(10), "<br>")}</span></span>')


def paragraph_context(index: Index, hit: Hit) -> tuple[tuple[str, str], tuple[str, str]]:
    """What surrounds the passage in its essay, as ((label, text) before, (label, text) after):
    the rest of its own paragraph when the passage begins or ends inside one, else the
    neighbouring paragraph, skipping heading lines and naming the section it belongs to when
    that differs from the passage's. Empty at the essay's ends."""
    chunk = hit.chunk
    essay = next((e for e in index.essays if e.number == chunk.essay and e.source == chunk.source), None)
    if essay is None:
        return ("", ""), ("", "")
    text = index.sources[chunk.source]
    body = [p for p in essay_paragraphs(text, essay) if not p.heading]
    own = next((p.section for p in body if p.start <= chunk.start < p.end), None)

    def label(side: str, paragraph) -> str:
        if paragraph.section is own or not paragraph.section.heading_path:
            return side
        return f"{side} · {paragraph.section.heading_path[-1]}"

    before = after = ("", "")
    inside = next((p for p in body if p.start < chunk.start < p.end), None)
    if inside and text[inside.start : chunk.start].strip():
        before = ("本段前文", text[inside.start : chunk.start].strip())
    else:
        earlier = [p for p in body if p.end <= chunk.start]
        if earlier:
            before = (label("上一段", earlier[-1]), text[earlier[-1].start : earlier[-1].end].strip())
    inside = next((p for p in body if p.start < chunk.end < p.end), None)
    if inside and text[chunk.end : inside.end].strip():
        after = ("本段后文", text[chunk.end : inside.end].strip())
    else:
        later = [p for p in body if p.start >= chunk.end]
        if later:
            after = (label("下一段", later[0]), text[later[0].start : later[0].end].strip())
    return before, after


def plain_citation(citation) -> str:
    """A citation as one line of plain text: 《title》 author · section：quote."""
    c = citation.hit.chunk
    return f"《{c.title}》 {c.author} · {section(citation.hit)}：{citation.quote}"


def citation_block(index: Index, citation) -> str:
    """One citation: where it comes from, a copy button, the passage with the quoted words
    marked, and the passage's surroundings to expand (never the passage again)."""
    c = citation.hit.chunk
    (before_label, before), (after_label, after) = paragraph_context(index, citation.hit)
    page = part_page(index.essay(c.essay), tuple(c.heading.split(HEADING_SEPARATOR)[1:]))
    where = f" · 汇编第{page}页起" if page else ""
    lines = [
        f"**[{citation.n}]** 《{escape(c.title)}》 · {escape(c.author)} "
        + copy_button("复制引用", plain_citation(citation), "复制这条引用（纯文本）") + "  ",
        f"<small>{escape(c.heading)}{where}</small>",
        "",
        "> " + highlight(c.text, c.start, citation.quote_spans).replace("\n", "  \n> "),
    ]
    if before or after:
        lines += ["", "<details><summary>展开上下文</summary>", ""]
        if before:
            lines += [f"<small>（{before_label}）</small> {escape(before)}", ""]
        lines += ["<small>（……上面引用的段落……）</small>", ""]
        if after:
            lines += [f"<small>（{after_label}）</small> {escape(after)}", ""]
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
    parts.append(copy_button("复制回答", to_text(answer_blocks(answer)), "复制回答与引用（纯文本）"))
    return "\n\n".join(p for p in parts if p)


LONG_QUESTION_CHARS = 200  # a question longer than this shows collapsed in the chat
QUESTION_PREVIEW_CHARS = 60


def question_markdown(question: str) -> str:
    """The user's question as its chat bubble: a long one collapsed to its beginning, whole
    when expanded.

    >>> question_markdown("余村*怎么*了？")
    '余村\\\\*怎么\\\\*了？'
    """
    if len(question) <= LONG_QUESTION_CHARS:
        return escape(question)
    preview = html_text(shorten(question, QUESTION_PREVIEW_CHARS))
    return (f"<details><summary>{preview}（共 {len(question)} 字，展开全文）</summary>\n\n"
            f"{escape(question)}\n\n</details>")


def export_markdown(turns: list[tuple[str, Answer]]) -> str:
    """The conversation for trainers: each question, its answer and citations (rag/render.py,
    the same blocks as the session brief)."""
    return to_markdown(conversation_blocks(turns, "千万工程培训心得问答 · 对话记录",
                                           f"导出时间：{time.strftime('%Y-%m-%d %H:%M')}"))


def essay_markdown(index: Index, number: int) -> str:
    """One essay to read: title, author role, and its text with section headings."""
    essay = index.essay(number)
    text = index.sources[essay.source]
    page = f" · 汇编第{essay.pages['']}页" if "" in essay.pages else ""
    lines = [f"## {escape(essay.title)}", f"*{escape(essay.author)}*{page}", ""]
    shown: tuple[str, ...] = ()
    for part in essay.sections:
        path = part.heading_path
        common = 0
        while common < min(len(path), len(shown)) and path[common] == shown[common]:
            common += 1
        for depth in range(common, len(path)):
            lines += [f"{'#' * min(6, depth + 3)} {escape(path[depth])}", ""]
        shown = path
        lines += [escape(text[p.start : p.end].strip()) + "\n" for p in section_lines(text, part)
                  if not p.heading]  # a heading line is shown as the heading above
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
    one entry each: the sentences naming it, highlighted, which open onto the whole paragraph
    with every mention highlighted."""
    from rag.trainers.dossier import mentions, naming_sentences

    lines = [f"## {escape(name.name)}（{name.kind}）",
             f"{len(name.essays)} 篇文章、{len(name.paragraphs)} 个段落提到它。名称来源：{escape(name.source)}。"
             "点击一条，展开整段。"]
    if name.merged:
        what = "村" if name.kind == "村庄" else "做法"
        lines.append(f"已合并的写法：{escape('、'.join(name.merged))}（文中指同一{what}）。")
    spellings = set(name.variants)
    for number in name.essays:
        essay = index.essay(number)
        text = index.sources[essay.source]
        lines += ["", f"### 《{escape(essay.title)}》 · {escape(essay.author)}", ""]
        for e, start, end in name.paragraphs:
            if e != number:
                continue
            sentences = []
            for s, t in naming_sentences(index, name, e, start, end):
                spans = [(s + a, s + b) for a, b in mentions(text[s:t], spellings)]
                sentences.append(highlight(text[s:t].strip(), s, spans, markdown=False))
            paragraph = text[start:end]
            spans = [(start + a, start + b) for a, b in mentions(paragraph, spellings)]
            lines += [f'<details class="rag-entry"><summary>{" …… ".join(sentences)}</summary>', "",
                      highlight(paragraph, start, spans), "", "</details>", ""]
    return "\n".join(lines)
