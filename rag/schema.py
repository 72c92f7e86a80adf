"""The records the stages pass along, and their JSON shapes (the CLI contract, DESIGN.md).

Essay, Section and Corpus (the parsed corpus), Chunk (a passage with its offsets and heading
path), Sentence (a span of a source), Hit (a ranked chunk), Citation and Answer (what `ask`
returns), SearchResult (what `search` returns).
Leaves out: how any of them is computed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    essay: int
    title: str
    author: str
    heading: str  # essay title › section › subsection
    start: int
    end: int
    text: str
    source: str  # the file `start`/`end` refer to
    collection: str = ""  # the corpus subfolder the file is in ("" at the top)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Sentence:
    source: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    chunk: Chunk
    row: int  # row of the chunk in the index

    def to_dict(self) -> dict:
        """The contract shape of one search hit (DESIGN.md §Contract)."""
        return {"rank": self.rank, "score": round(float(self.score), 6), **self.chunk.to_dict()}


@dataclass(frozen=True)
class Citation:
    n: int
    hit: Hit
    quote: str
    quote_spans: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict:
        return {"n": self.n, **self.hit.to_dict(), "quote": self.quote,
                "quote_spans": [list(span) for span in self.quote_spans]}


@dataclass
class Answer:
    question: str
    answer: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)
    backend: str = "extractive"
    notes: list[str] = field(default_factory=list)
    reason: str = ""  # why the essays were judged not to answer (empty when answered)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "answer": self.answer, "answerable": self.answerable,
            "citations": [c.to_dict() for c in self.citations],
            "related": [h.to_dict() for h in self.related],
            "related_label": "其他相关段落" if self.answerable else "可能相关",
            "backend": self.backend, "notes": self.notes, "refusal_reason": self.reason,
        }


@dataclass
class SearchResult:
    question: str
    mode: str
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"question": self.question, "mode": self.mode,
                "hits": [h.to_dict() for h in self.hits], "notes": self.notes}


@dataclass(frozen=True)
class Section:
    heading_path: tuple[str, ...]  # below the essay title; empty for the opening text
    start: int
    end: int


@dataclass
class Essay:
    number: int
    title: str
    author: str
    source: str  # file name the offsets refer to
    start: int  # first character of the body (after title and author lines)
    end: int
    sections: list[Section] = field(default_factory=list)
    collection: str = ""  # the corpus subfolder the file is in ("" at the top)
    # Page numbers the compilation's table of contents gives: "" for the essay's title, else a
    # part heading as listed there (empty for a file without a table of contents).
    pages: dict[str, int] = field(default_factory=dict)


@dataclass
class Corpus:
    essays: list[Essay]
    texts: dict[str, str]  # source name → decoded text
    sha256: str
    warnings: list[str] = field(default_factory=list)
    file_sha256: dict[str, str] = field(default_factory=dict)  # source name → SHA-256 of the file's bytes

    def text_of(self, essay: Essay) -> str:
        return self.texts[essay.source]
