"""Section headings inside an essay's text, by their markers: `一、…` (a line, or the first
sentence of a paragraph), `(一)…` lines, short `一是…` lines, Markdown `#` lines, and
enumerations inside a paragraph (`一是…。`, `1.…。`), which last only to the end of that
paragraph; headings nest by marker kind. Every offset indexes the source text.
Leaves out: where essays begin and end (corpus.py) and chunking (chunk.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.schema import Essay, Section
from rag.text import ORDINALS
from rag.text import SENTENCE_END as TEXT_SENTENCE_END

SENTENCE_END = TEXT_SENTENCE_END + "…"
# Marker kinds, used as stack keys when nesting headings.
MARKER_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("dun", re.compile(rf"^[{ORDINALS}]+、")),
    ("paren", re.compile(rf"^[(（][{ORDINALS}]+[)）]")),
    ("shi", re.compile(rf"^[{ORDINALS}]+是")),
    ("digit", re.compile(r"^\d{1,2}[.．、](?!\d)")),
)
MAX_HEADING_LINE = 60  # a standalone heading line is short and has no full stop inside
MAX_OPENING_HEADING = 40  # a paragraph-opening heading sentence is at most this long

def marker_kind(text: str) -> str | None:
    """The heading marker `text` starts with, if any.

    >>> marker_kind("(二)着力提升养老服务水平"), marker_kind("五月")
    ('paren', None)
    """
    for kind, pattern in MARKER_PATTERNS:
        if pattern.match(text):
            return kind
    return None


INLINE_ITEM_KINDS = ("shi", "digit")


def opens_inline_item(text: str) -> bool:
    """Whether `text` opens an enumeration item inside a paragraph (一是…, 1.…); after a colon such
    an item begins a section of its own, so it begins a sentence too (rag.chunk)."""
    return marker_kind(text) in INLINE_ITEM_KINDS


def lines_of(text: str) -> list[tuple[int, str]]:
    """(offset, line without its newline) for every line."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((pos, raw.rstrip("\r\n")))
        pos += len(raw)
    return out


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _first_sentence_end(text: str, begin: int = 0) -> int:
    """Index just past the first sentence-ending mark at or after `begin`, or -1."""
    for i in range(begin, len(text)):
        if text[i] in SENTENCE_END:
            return i + 1
    return -1


def _is_heading_line(line: str, toc_headings: set[str]) -> str | None:
    stripped = line.strip()
    if not stripped:
        return None
    if squash(stripped) in toc_headings:
        return marker_kind(stripped) or "toc"
    if stripped.startswith("#"):
        return "md" + str(len(stripped) - len(stripped.lstrip("#")))
    kind = marker_kind(stripped)
    if kind is None or kind == "digit" or len(stripped) > MAX_HEADING_LINE:
        return None
    body = stripped.rstrip(SENTENCE_END)
    if any(ch in SENTENCE_END for ch in body):
        return None
    return kind


def heading_text(text: str) -> str:
    return text.strip().lstrip("#").strip().rstrip(SENTENCE_END + "：:")


def _inline_headings(paragraph: str) -> list[tuple[int, str, str]]:
    """(offset in paragraph, marker kind, heading text) of enumerations inside a paragraph.

    An enumeration is a sentence that starts with `一是`/`1.` right after a sentence end,
    a colon or the paragraph start. Its heading is the sentence, or its first clause when
    the sentence is long.

    >>> _inline_headings("总述。一是规划先行。内容。二是产业融合,提供支撑。")[1][2]
    '二是产业融合,提供支撑'
    """
    found = []
    starts = [0] + [m.end() for m in re.finditer(rf"[{SENTENCE_END}：:][”’」』)）]*", paragraph)]
    for s in starts:
        rest = paragraph[s:]
        kind = marker_kind(rest)
        if kind not in INLINE_ITEM_KINDS:
            continue
        end = _first_sentence_end(rest)
        sentence = rest[: end if end > 0 else len(rest)]
        if len(sentence) > MAX_OPENING_HEADING:
            sentence = re.split(r"[,，]", sentence, maxsplit=1)[0]
        found.append((s, kind, heading_text(sentence)))
    return found


class _HeadingStack:
    """The current heading path; a marker kind already on the stack replaces that level."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[str, bool], str]] = []

    def push(self, kind: str, inline: bool, text: str) -> None:
        key = (kind, inline)
        for i, (k, _) in enumerate(self.items):
            if k == key:
                del self.items[i:]
                break
        self.items.append((key, text))

    def end_paragraph(self) -> bool:
        """Drop the headings that lived inside the last paragraph; True if any did."""
        kept = [item for item in self.items if not item[0][1]]
        changed = len(kept) != len(self.items)
        self.items = kept
        return changed

    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.items)


def split_sections(text: str, start: int, end: int, toc_headings: set[str] = frozenset()) -> list[Section]:
    """Sections of `text[start:end]`, each from one heading to the next.

    A section holding nothing but its heading is merged into the section after it, so
    every section has content.
    """
    stack = _HeadingStack()
    cuts: list[tuple[int, tuple[str, ...]]] = [(start, ())]

    def cut(at: int) -> None:
        if cuts[-1][0] == at:
            cuts[-1] = (at, stack.path())
        else:
            cuts.append((at, stack.path()))

    for offset, line in lines_of(text[start:end]):
        pos = start + offset
        if not line.strip():
            continue
        kind = _is_heading_line(line, toc_headings)
        if kind is not None:
            stack.end_paragraph()
            stack.push(kind, False, heading_text(line))
            cut(pos)
            continue
        if stack.end_paragraph():
            cut(pos)
        inline = _inline_headings(line)
        opening = marker_kind(line)
        if opening == "dun":
            # `一、规划先行,奠定发展基础。乡村振兴,…`: the heading is the first sentence
            # and, having no line of its own, it lasts to the end of the paragraph.
            sentence_end = _first_sentence_end(line)
            if 0 < sentence_end <= MAX_OPENING_HEADING + 1:
                stack.push("dun", True, heading_text(line[:sentence_end]))
                cut(pos)
        for rel, ikind, heading in inline:
            stack.push(ikind, True, heading)
            cut(pos + rel)
    sections = []
    bounds = cuts + [(end, ())]
    for (s, path), (e, _) in zip(bounds, bounds[1:], strict=False):
        if text[s:e].strip():
            sections.append(Section(path, s, e))
    return _merge_heading_only(text, sections)


def _merge_heading_only(text: str, sections: list[Section]) -> list[Section]:
    merged: list[Section] = []
    carry: int | None = None
    for sec in sections:
        start = sec.start if carry is None else carry
        carry = None
        body = text[sec.start : sec.end].strip()
        heading = sec.heading_path[-1] if sec.heading_path else ""
        if heading and squash(body).rstrip(SENTENCE_END) == squash(heading) and sec is not sections[-1]:
            carry = start
            continue
        merged.append(Section(sec.heading_path, start, sec.end))
    return merged


@dataclass(frozen=True)
class Paragraph:
    """A non-empty line of an essay's body (or the part of it inside one section); `heading`
    when the line is a section heading."""

    start: int
    end: int
    heading: bool
    section: Section


def section_lines(text: str, section: Section) -> list[Paragraph]:
    """The non-empty lines of one section, cut at its bounds (an enumeration inside a paragraph
    starts a section mid-line). A line is a heading when it opens the section and reads as one
    of its headings (headings that share a section were merged into it)."""
    headings = {squash(h) for h in section.heading_path}
    out, opening = [], True
    for offset, line in lines_of(text[section.start : section.end]):
        if not line.strip():
            continue
        start = section.start + offset
        is_heading = opening and squash(heading_text(line)) in headings
        opening = is_heading
        out.append(Paragraph(start, start + len(line), is_heading, section))
    return out


def essay_paragraphs(text: str, essay: Essay) -> list[Paragraph]:
    r"""Every paragraph (whole line) of an essay's body, in order, with the section it begins in.

    >>> from rag.schema import Essay
    >>> item = "一是选址,请专家来村里实地查看地形地貌和水文条件,再确定民宿、停车场和游客中心的位置。"
    >>> text = f"一、规划\n先做规划。{item}\n二、产业\n种茶。"
    >>> essay = Essay(1, "t", "a", "f", 0, len(text), split_sections(text, 0, len(text)))
    >>> [len(essay.sections), [(text[p.start:p.end][:6], p.heading) for p in essay_paragraphs(text, essay)]]
    [3, [('一、规划', True), ('先做规划。一', False), ('二、产业', True), ('种茶。', False)]]
    """
    out: list[Paragraph] = []
    for section in essay.sections or [Section((), essay.start, essay.end)]:
        for piece in section_lines(text, section):
            if out and "\n" not in text[out[-1].end : piece.start]:  # the rest of the same line
                out[-1] = replace(out[-1], end=piece.end)
            else:
                out.append(piece)
    return out


# ---------------------------------------------------------------- compilation file
