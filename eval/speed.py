"""Index build time and warm search/ask latency on this machine (`make speed`).

Builds the index of the default corpus into a temporary folder (model load excluded, reported
separately), then times every question of eval/qa.jsonl through `search` in each mode and
through `ask`, after one warm-up query. Prints a Markdown table for the README.
Leaves out: cold start, scaling and memory (a later benchmark).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import index as index_store  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.config import MODES, Settings  # noqa: E402
from rag.embed import Encoder, resolve_model  # noqa: E402
from rag.evaluate import load_questions  # noqa: E402
from rag.text import Tokenizer  # noqa: E402


def main(repeats: int = 3) -> None:
    started = time.perf_counter()
    encoder = Encoder(resolve_model(None))
    model_seconds = time.perf_counter() - started
    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(index_dir=Path(tmp) / "index")
        builds = []
        for _ in range(repeats):
            started = time.perf_counter()
            index_store.build(settings, encoder=encoder, progress=False)
            builds.append(time.perf_counter() - started)
        index = index_store.load(settings.index_dir)
        assistant = Assistant(settings, index, encoder, Tokenizer(index.terms))
        rows = []
        for name, call in [(f"search {m}", lambda q, m=m: assistant.search(q.question, mode=m, history=q.history))
                           for m in MODES] + [("ask (extractive)", lambda q: assistant.ask(q.question, history=q.history))]:
            call(questions[0])
            times = []
            for q in questions:
                t = time.perf_counter()
                call(q)
                times.append((time.perf_counter() - t) * 1000)
            rows.append((name, np.percentile(times, 50), np.percentile(times, 95)))
    print(f"model load {model_seconds:.1f} s; index build (median of {repeats}) {statistics.median(builds):.1f} s "
          f"(runs: {', '.join(f'{b:.1f}' for b in builds)}); {len(index.chunks)} chunks, {len(index.sentences)} sentences")
    print(f"\n| operation ({len(questions)} questions, warm) | p50 ms | p95 ms |\n|---|---:|---:|")
    for name, p50, p95 in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
