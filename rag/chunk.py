"""Cut sections into chunks of at most `max_chars` characters, and sentences out of text.

A section that fits is one chunk, and so is one up to WHOLE_SECTION times the limit: cut in
two, a short section leaves its subject in one half and its details in the other. A longer
one is cut at sentence ends with one sentence of overlap between neighbours; a cut falls
inside a sentence only when that sentence alone is longer than the limit (then at a comma if
one is near, else at the limit).
Invariant: `source[chunk.start:chunk.end] == chunk.text`, and every non-blank character
of an essay body lies in some chunk.
Leaves out: parsing headings (corpus.py) and anything about embeddings.
"""

from __future__ import annotations

import re

from rag.schema import Chunk, Corpus, Essay, Sentence
from rag.sections import opens_inline_item

HEADING_SEPARATOR = " › "
# A section up to this many times the chunk limit stays whole (437 characters at the default 350:
# with its heading path it still fits the embedding model's 512-token window). Chosen on the
# CMRC trial split and the essays' dev split: eval/NOTES.md.
WHOLE_SECTION = 1.25
_COLON = re.compile(r"[:：][”’」』)）]*")
_SENTENCE = re.compile(r"[^。！？；!?;…\n]*(?:[。！？；!?;]+|…+|\n+|$)[”’」』)）]*\s*")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of `text[start:end]`, trailing blanks included.

    Closing quotes stay with the sentence they close; spans tile the range exactly.

    An enumeration's first item after a colon starts a sentence, as it starts a section
    (rag.sections): the lead-in "做到以下几点:" and the item "1.明确目标。" are two sentences.

    >>> split_sentences("甲。乙“丙！”丁")
    [(0, 2), (2, 7), (7, 8)]
    >>> split_sentences("做到两点:1.规划。2.产业。时间:2024年。")
    [(0, 5), (5, 10), (10, 15), (15, 24)]
    """
    end = len(text) if end is None else end
    spans, pos = [], start
    while pos < end:
        m = _SENTENCE.match(text, pos, end)
        stop = m.end() if m and m.end() > pos else end
        for colon in _COLON.finditer(text, pos, stop):
            if colon.end() < stop and opens_inline_item(text[colon.end() : stop]):
                stop = colon.end()
                break
        spans.append((pos, stop))
        pos = stop
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _hard_cut(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Pieces of one over-long sentence, cut at a comma in the last third of each piece if possible."""
    pieces = []
    while end - start > limit:
        window = text[start : start + limit]
        comma = max(window.rfind(","), window.rfind("，"), window.rfind("、"))
        cut = start + comma + 1 if comma >= limit * 2 // 3 else start + limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def window_spans(text: str, start: int, end: int, limit: int, whole: int = 0) -> list[tuple[int, int]]:
    """Spans of at most `limit` characters covering `text[start:end]`, cut at sentence ends; the
    range in one span when it is at most `whole` characters long."""
    start, end = _trim(text, start, end)
    if end - start <= max(limit, whole):
        return [(start, end)] if end > start else []
    sentences = []
    for s, e in split_sentences(text, start, end):
        s, e = _trim(text, s, e)
        if e > s:
            sentences.extend(_hard_cut(text, s, e, limit) if e - s > limit else [(s, e)])
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and sentences[j][1] - sentences[i][0] <= limit:
            j += 1
        spans.append((sentences[i][0], sentences[j - 1][1]))
        if j >= len(sentences):
            break
        # One sentence of overlap, when it fits beside the next one and keeps progress.
        overlap = j - 1
        fits = sentences[j][1] - sentences[overlap][0] <= limit
        i = overlap if overlap > i and fits else j
    return spans


def chunk_essay(essay: Essay, text: str, limit: int) -> list[Chunk]:
    chunks = []
    for s_index, section in enumerate(essay.sections, start=1):
        heading = HEADING_SEPARATOR.join((essay.title,) + section.heading_path)
        spans = window_spans(text, section.start, section.end, limit, int(limit * WHOLE_SECTION))
        for c_index, (s, e) in enumerate(spans, start=1):
            chunk_id = f"e{essay.number:02d}-s{s_index:02d}-c{c_index:02d}"
            chunks.append(Chunk(chunk_id, essay.number, essay.title, essay.author, heading, s, e, text[s:e],
                                essay.source, essay.collection))
    return chunks


def chunk_corpus(corpus: Corpus, limit: int = 350) -> list[Chunk]:
    """All chunks of all essays, in source order."""
    return [c for essay in corpus.essays for c in chunk_essay(essay, corpus.text_of(essay), limit)]


def fixed_size_chunks(essays: list[Essay], texts: dict[str, str], size: int = 250, overlap: int = 50) -> list[Chunk]:
    """The common baseline of Chinese RAG kits: `size`-character windows, `overlap` shared."""
    chunks = []
    for essay in essays:
        text = texts[essay.source]
        for n, s in enumerate(range(essay.start, essay.end, size - overlap), start=1):
            e = min(s + size, essay.end)
            chunks.append(Chunk(f"e{essay.number:02d}-w{n:03d}", essay.number, essay.title, essay.author,
                                essay.title, s, e, text[s:e], essay.source, essay.collection))
            if e == essay.end:
                break
    return chunks


def corpus_sentences(corpus: Corpus) -> list[Sentence]:
    """Every sentence of every essay body, blanks trimmed: what extractive answers quote."""
    out = []
    for essay in corpus.essays:
        text = corpus.text_of(essay)
        for start, end in split_sentences(text, essay.start, essay.end):
            s, e = _trim(text, start, end)
            if e > s:
                out.append(Sentence(essay.source, s, e))
    return out
