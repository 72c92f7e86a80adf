"""The CMRC 2018 check: retrieval and answers on a SQuAD-v1 file nobody on the team wrote.

Every paragraph of the file becomes one essay of a folder corpus, written to a temporary
folder: `0001_<paragraph id>.txt`, the article title on the first line, then the context.
The file name is how a retrieved chunk maps back to its paragraph (`chunk.source`). The
corpus is indexed into a temporary folder (the project's index/ is never touched), every
question is asked, and we report:
- passages: Hit@1, Hit@5 and MRR@10, a passage counting when its chunk comes from the
  question's own paragraph file (hybrid search);
- answers: the share of answers containing a gold answer text within their first 200
  characters (markers [n] removed), the same anywhere, the median answer length, the
  share refused (every question is answerable);
- three trivial systems over the same hybrid hits, which never refuse: the top passage's
  first 200 characters, all top-5 passages, and the sentence of the top passage sharing the
  most distinct characters with the question.
Leaves out: exact match and F1 of a span (our answers are whole sentences, so the gold span
anywhere in the first 200 characters is the fair, more lenient, test) and tuning anything.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.chunk import split_sentences
from rag.evaluate.metrics import (
    ANSWER_LIMIT,
    PlainAnswer,
    PlainCitation,
    percentile_ms,
    strip_markers,
    top_passage_answer,
    top_passages_answer,
)
from rag.evaluate.run import run_header
from rag.schema import Hit

SYSTEMS = {
    "ours": "ours (hybrid, extractive)",
    "top-passage-200": "top passage, first 200 chars",
    "top-5-passages": "all top-5 passages",
    "best-sentence": "top passage's sentence sharing most characters with the question",
}
K = 10  # passages searched per question (MRR@10)


class SquadError(ValueError):
    """The SQuAD file cannot be used; the message is one line in Chinese."""


@dataclass(frozen=True)
class Paragraph:
    file: str  # the corpus file it is written to; chunk.source of its chunks
    id: str  # the dataset's paragraph id, or "article.paragraph" positions when it has none
    title: str
    context: str


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    file: str  # the paragraph file holding the answer


def paragraph_file(number: int, paragraph_id: str) -> str:
    """The corpus file name of the `number`-th paragraph (1-based), sortable and readable.

    >>> paragraph_file(7, "TRIAL_800"), paragraph_file(12, "a/b c")
    ('0007_TRIAL_800.txt', '0012_a_b_c.txt')
    """
    slug = re.sub(r"[^0-9A-Za-z_.-]+", "_", paragraph_id).strip("._")[:60]
    return f"{number:04d}_{slug}.txt" if slug else f"{number:04d}.txt"


def _need(condition: bool, name: str, where: str, what: str) -> None:
    if not condition:
        raise SquadError(f"{name} 不是 SQuAD v1 格式：{where} {what}")


@dataclass
class SquadSet:
    paragraphs: list[Paragraph]
    questions: list[SquadQuestion]
    skipped: list[str]  # ids of questions with an empty question or no answer text


def parse_squad(data: object, name: str = "SQuAD 文件") -> SquadSet:
    """Paragraphs and questions of SQuAD-v1 JSON (`data[].title`, `paragraphs[].context`,
    `qas[].{id, question, answers[].text}`); raises SquadError naming the bad place. A question
    whose text or answers are empty (CMRC 2018's trial file has two) is skipped and listed."""
    _need(isinstance(data, dict) and isinstance(data.get("data"), list), name, "顶层", "缺少 data 列表")
    paragraphs: list[Paragraph] = []
    questions: list[SquadQuestion] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for a, article in enumerate(data["data"]):
        where = f"data[{a}]"
        _need(isinstance(article, dict) and isinstance(article.get("paragraphs"), list), name, where,
              "缺少 paragraphs 列表")
        title = str(article.get("title") or "").strip()
        for p, para in enumerate(article["paragraphs"]):
            where = f"data[{a}].paragraphs[{p}]"
            _need(isinstance(para, dict), name, where, "不是对象")
            context = para.get("context")
            _need(isinstance(context, str) and context.strip() != "", name, where, "缺少 context 文本")
            _need(isinstance(para.get("qas", []), list), name, where, "的 qas 不是列表")
            pid = str(para.get("id") or article.get("id") or f"{a + 1}.{p + 1}")
            file = paragraph_file(len(paragraphs) + 1, pid)
            paragraphs.append(Paragraph(file, pid, title or pid, context))
            for i, qa in enumerate(para.get("qas", [])):
                where = f"data[{a}].paragraphs[{p}].qas[{i}]"
                _need(isinstance(qa, dict) and isinstance(qa.get("question"), str), name, where, "缺少 question 文本")
                answers = qa.get("answers")
                well_formed = isinstance(answers, list) and all(
                    isinstance(x, dict) and isinstance(x.get("text"), str) for x in answers)
                _need(well_formed, name, where, "的 answers 应为 [{text: …}] 列表")
                qid = str(qa.get("id") or f"{pid}-q{i + 1}")
                _need(qid not in seen, name, where, f"的 id 重复：{qid}")
                seen.add(qid)
                golds = tuple(dict.fromkeys(x["text"].strip() for x in answers if x["text"].strip()))
                if not qa["question"].strip() or not golds:
                    skipped.append(qid)
                    continue
                questions.append(SquadQuestion(qid, qa["question"], golds, file))
    if not questions:
        raise SquadError(f"{name} 中没有可用的问题")
    return SquadSet(paragraphs, questions, skipped)


def load_squad(path: Path, limit: int | None = None) -> SquadSet:
    """Read a SQuAD-v1 file; `limit` keeps the first questions (every paragraph stays in the corpus)."""
    path = Path(path)
    if not path.is_file():
        raise SquadError(f"SQuAD 文件不存在：{path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise SquadError(f"{path.name} 不是 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        raise SquadError(f"{path.name} 不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    except OSError as exc:
        raise SquadError(f"无法读取 SQuAD 文件 {path}：{exc.strerror or exc}") from None
    squad = parse_squad(data, path.name)
    if limit:
        squad.questions = squad.questions[:limit]
    return squad


def write_corpus(paragraphs: list[Paragraph], folder: Path) -> Path:
    """One .txt file per paragraph: title line, then the context (rag.corpus reads it as one essay)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for p in paragraphs:
        (folder / p.file).write_text(f"{p.title}\n{p.context.strip()}\n", encoding="utf-8")
    return folder


# ------------------------------------------------------------------ metrics (pure)


def contains_gold(answer: str, golds: tuple[str, ...], limit: int | None = None) -> bool:
    """Whether the answer (markers removed, cut to `limit` characters if given) holds a gold text.

    >>> contains_gold("范廷颂[1]于1911年出生。", ("1911年",))
    True
    >>> contains_gold("范廷颂于1911年出生。", ("1911年",), limit=5)
    False
    """
    plain = strip_markers(answer)
    if limit is not None:
        plain = plain[:limit]
    return any(g in plain for g in golds)


def own_rank(hits: list[Hit], file: str, golds: tuple[str, ...] = ()) -> int | None:
    """1-based rank of the first hit whose chunk comes from paragraph file `file` (and, with
    `golds`, holds one of those answer texts), or None."""
    return next((rank for rank, h in enumerate(hits, start=1)
                 if h.chunk.source == file and (not golds or any(g in h.chunk.text for g in golds))), None)


def best_sentence_answer(question: str, hits: list[Hit]) -> PlainAnswer:
    """Trivial system: the top passage's sentence sharing the most distinct characters with the
    question (the first such on ties), cited as that passage."""
    if not hits:
        return PlainAnswer("")
    wanted = {ch for ch in question if ch.isalnum()}
    text = hits[0].chunk.text
    sentences = [text[s:e].strip() for s, e in split_sentences(text)]
    best = max((s for s in sentences if s), key=lambda s: len(wanted & set(s)), default="")
    return PlainAnswer(best + "[1]", (PlainCitation(hits[0]),))


def squad_answer_metrics(pairs: list[tuple[tuple[str, ...], object]], limit: int = ANSWER_LIMIT) -> dict:
    """Over (gold texts, answer) pairs: gold within `limit` characters, gold anywhere (a refusal
    counts as neither), median answered length (markers removed), share refused."""
    answered = [(golds, a) for golds, a in pairs if a.answerable]
    n = len(pairs)
    return {
        "gold_200": sum(contains_gold(a.answer, g, limit) for g, a in answered) / n if n else None,
        "gold": sum(contains_gold(a.answer, g) for g, a in answered) / n if n else None,
        "median_answer_chars": float(np.median([len(strip_markers(a.answer)) for _, a in answered]))
        if answered else None,
        "refused": (n - len(answered)) / n if n else None,
    }


def passage_metrics(ranks: list[int | None]) -> dict:
    """Hit@1, Hit@5 and MRR@10 from the rank of each question's own paragraph (None: not found).

    >>> passage_metrics([1, 2, None, 8])
    {'Hit@1': 0.25, 'Hit@5': 0.5, 'MRR@10': 0.40625}
    """
    n = len(ranks)
    if not n:
        return {"Hit@1": None, "Hit@5": None, "MRR@10": None}
    return {"Hit@1": sum(r == 1 for r in ranks) / n,
            "Hit@5": sum(r is not None and r <= 5 for r in ranks) / n,
            "MRR@10": sum(1 / r for r in ranks if r is not None and r <= 10) / n}


# ------------------------------------------------------------------ running


def evaluate_squad(squad: SquadSet, settings, source: str = "",
                   encoder=None, show_progress: bool = True) -> dict:
    """Index the paragraphs in a temporary folder, ask every question, return the section's numbers.

    `settings` are the project's (model, chunk size, LLM…); only the corpus and the index
    folder are replaced. `encoder`, when given, builds the index without loading the model again.
    """
    from tqdm import tqdm

    from rag import build
    from rag.assistant import Assistant

    paragraphs, questions = squad.paragraphs, squad.questions
    with tempfile.TemporaryDirectory(prefix="rag-squad-") as tmp:
        corpus = write_corpus(paragraphs, Path(tmp) / "corpus")
        squad_settings = settings.with_(corpus=corpus, index_dir=Path(tmp) / "index")
        started = time.perf_counter()
        manifest = build.build_index(squad_settings, encoder=encoder, progress=show_progress)
        build_seconds = time.perf_counter() - started
        assistant = Assistant.load(squad_settings, progress=show_progress)
        answers: dict[str, list] = {name: [] for name in SYSTEMS}
        ranks, answer_ranks, records, latencies = [], [], {}, []
        if questions:
            assistant.ask(questions[0].question)  # warm-up
        for q in tqdm(questions, desc="CMRC", unit="问", disable=not show_progress):
            hits = assistant.search(q.question, k=K, mode="hybrid").hits
            started = time.perf_counter()
            ours = assistant.ask(q.question)
            latencies.append(time.perf_counter() - started)
            given = {"ours": ours, "top-passage-200": top_passage_answer(hits),
                     "top-5-passages": top_passages_answer(hits),
                     "best-sentence": best_sentence_answer(q.question, hits)}
            for name, answer in given.items():
                answers[name].append((q.answers, answer))
            rank, answer_rank = own_rank(hits, q.file), own_rank(hits, q.file, q.answers)
            ranks.append(rank)
            answer_ranks.append(answer_rank)
            records[q.id] = {"question": q.question, "gold": list(q.answers), "paragraph": q.file, "rank": rank,
                             "answer_rank": answer_rank,
                             "top": hits[0].chunk.source if hits else None, "answered": bool(ours.answerable),
                             "answer": ours.answer, "gold_200": contains_gold(ours.answer, q.answers, ANSWER_LIMIT)
                             if ours.answerable else False}
    return {
        **run_header(),
        "source": source, "paragraphs": len(paragraphs), "questions": len(questions), "skipped": squad.skipped,
        "chunks": manifest["chunks"], "sentences": manifest["sentences"], "model": manifest["model"],
        "build_seconds": round(build_seconds, 1), "k": K, "limit": ANSWER_LIMIT,
        "passages": passage_metrics(ranks),
        # The passage ranked holds the answer too (issue 12's bar: such a passage first ≥ 0.95).
        "answer_passages": passage_metrics(answer_ranks),
        "answers": {name: squad_answer_metrics(pairs) for name, pairs in answers.items()},
        "ask_p50_ms": percentile_ms(latencies, 50), "ask_p95_ms": percentile_ms(latencies, 95),
        "per_question": records,
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render_squad_markdown(result: dict) -> list[str]:
    """The "CMRC 2018" section of report.md."""
    p, a = result["passages"], result["answers"]
    lines = [
        "## CMRC 2018", "",
        f"`{result['source'] or 'SQuAD file'}`: {result['paragraphs']} paragraphs indexed as a folder corpus "
        f"(one file per paragraph, title first; {result['chunks']} chunks, built in {result['build_seconds']:.1f} s), "
        f"{result['questions']} questions, all answerable"
        + (f" ({len(result['skipped'])} skipped: empty question or answer)" if result.get("skipped") else "")
        + ". Passages: hybrid search, a hit counts when its chunk "
        f"comes from the question's own paragraph (\"answer passage\": and holds a gold answer text). Answers: "
        f"a gold answer text within the first "
        f"{result['limit']} characters (markers removed) — more lenient than span exact match. Trivial systems "
        "use the same hybrid hits and never refuse.", "",
        "| system | own paragraph Hit@1 | Hit@5 | MRR@10 | answer passage Hit@1 | Hit@5 | gold within 200 chars "
        "| gold anywhere | median chars | refused |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ap = result.get("answer_passages") or {"Hit@1": None, "Hit@5": None}
    for name, label in SYSTEMS.items():
        m = a[name]
        passages = ([_fmt(p["Hit@1"]), _fmt(p["Hit@5"]), _fmt(p["MRR@10"]), _fmt(ap["Hit@1"]), _fmt(ap["Hit@5"])]
                    if name == "ours" else ["—"] * 5)
        median = "—" if m["median_answer_chars"] is None else f"{m['median_answer_chars']:.0f}"
        lines.append(f"| {label} | " + " | ".join(passages + [_fmt(m["gold_200"]), _fmt(m["gold"]), median,
                                                            _fmt(m["refused"])]) + " |")
    lines += ["", f"Bars: own paragraph first ≥ 0.95, answer passage first ≥ 0.95 (on CMRC's dev split), "
                  f"gold within 200 characters ≥ 0.80. `ask` p50 "
                  f"{result['ask_p50_ms']:.1f} ms, p95 {result['ask_p95_ms']:.1f} ms.", ""]
    return lines
