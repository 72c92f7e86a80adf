"""Speed and scale on this machine (`make bench`): writes eval/BENCH.md and eval/bench.png.

Measures cold start (`rag ask`, the UI), index build, warm latency per mode with the
fixed-window dense baseline, `--batch` throughput and peak RSS on the real corpus; then how
cost grows with synthetic corpora of 10^3, 10^4 and 10^5 chunks: FAISS flat against HNSW
(latency, HNSW recall@10 against flat), BM25 latency, the full candidate-path search, and
memory per chunk; and the local store against Milvus Lite at 10^4 and 10^5 chunks.
Synthetic vectors recombine real sentence vectors (mean of two, plus noise, renormalised), so
they cluster like real text does; synthetic BM25 documents recombine the tokens of real
sentences. Every timing is the median of REPEATS runs; the spread across runs is reported as
the machine's noise. `python eval/bench.py stores` runs one part and keeps the others' numbers.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.assistant import Assistant  # noqa: E402
from rag.build import bm25_postings, vector_index  # noqa: E402
from rag.config import MODES, Settings  # noqa: E402
from rag.evaluate.metrics import load_questions  # noqa: E402
from rag.evaluate.run import BaselineSearch  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402
from rag.schema import Chunk  # noqa: E402
from rag.store import Index  # noqa: E402

REPEATS = 3
SIZES = (1_000, 10_000, 100_000)
STORE_SIZES = (10_000, 100_000)
PY = sys.executable


def median_spread(values: list[float]) -> tuple[float, float]:
    """Median and relative spread (max-min over median)."""
    m = statistics.median(values)
    return m, (max(values) - min(values)) / m if m else 0.0


def timed_run(args: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of a child process."""
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-500:])
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def ui_ready_seconds(env: dict) -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen([PY, "app.py"], cwd=ROOT, env={**os.environ, **env, "RAG_PORT": str(port)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 120:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                return time.perf_counter() - started
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("UI did not start")
    finally:
        server.terminate()
        server.wait()


def percentiles(call, items, passes: int = REPEATS) -> tuple[float, float, float]:
    """Median over passes of (p50, p95) in ms, and the spread of p50 across passes."""
    call(items[0])
    p50s, p95s = [], []
    for _ in range(passes):
        times = []
        for item in items:
            t = time.perf_counter()
            call(item)
            times.append((time.perf_counter() - t) * 1000)
        p50s.append(float(np.percentile(times, 50)))
        p95s.append(float(np.percentile(times, 95)))
    p50, spread = median_spread(p50s)
    return p50, statistics.median(p95s), spread


def real_corpus(results: dict, env: dict, settings: Settings) -> Assistant:
    subprocess.run([PY, "-m", "rag", "index", "--quiet"], cwd=ROOT, env={**os.environ, **env}, check=True,
                   capture_output=True)
    cold = [timed_run([PY, "-m", "rag", "ask", "五四村是如何筹集资金的？"], env)[0] for _ in range(REPEATS)]
    helps = [timed_run([PY, "-m", "rag", "--help"], env)[0] for _ in range(REPEATS)]
    builds = [timed_run([PY, "-m", "rag", "index", "--force", "--quiet"], env)[0] for _ in range(REPEATS)]
    ui = [ui_ready_seconds(env) for _ in range(2)]
    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    batch = Path(env["RAG_INDEX_DIR"]).parent / "batch.jsonl"
    batch.write_text("\n".join(json.dumps({"id": q.id, "question": q.question, "history": list(q.history)},
                                          ensure_ascii=False) for q in questions) + "\n", encoding="utf-8")
    batch_runs = [timed_run([PY, "-m", "rag", "ask", "--batch", str(batch)], env) for _ in range(REPEATS)]
    results["real"] = {
        "cold_ask_s": median_spread(cold), "help_s": median_spread(helps), "build_s": median_spread(builds),
        "ui_ready_s": median_spread(ui),
        "batch_q_per_s": median_spread([len(questions) / wall for wall, _ in batch_runs]),
        "batch_peak_rss_mb": max(rss for _, rss in batch_runs) / 1024,
        "questions": len(questions),
    }
    assistant = Assistant.load(settings, progress=False)
    results["real"]["chunks"] = len(assistant.index.chunks)
    latency = {}
    for mode in MODES:
        latency[f"search {mode}"] = percentiles(
            lambda q, m=mode: assistant.search(q.question, mode=m, history=q.history), questions)
    baseline = BaselineSearch(assistant)
    latency["search fixed-dense baseline"] = percentiles(lambda q: baseline.search(q, 10, "dense"), questions)
    latency["ask (extractive)"] = percentiles(lambda q: assistant.ask(q.question, history=q.history), questions)
    results["latency_ms"] = latency
    results["in_process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return assistant


def synthetic_vectors(base: np.ndarray, n: int, rng) -> np.ndarray:
    pick = rng.integers(0, len(base), size=(n, 2))
    v = base[pick[:, 0]] + base[pick[:, 1]] + rng.normal(scale=0.02, size=(n, base.shape[1]))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def sentence_tokens(assistant: Assistant) -> list[list[str]]:
    """The BM25 tokens of each real sentence, which synthetic documents recombine."""
    index = assistant.index
    return [assistant.tokenizer.tokenize(index.sources[s.source][s.start : s.end]) for s in index.sentences]


def synthetic_bm25(tokens: list[list[str]], n: int, rng) -> tuple:
    """(bm25s index, terms, offsets) over `n` documents of four real sentences' tokens each."""
    import bm25s

    docs = [sum((tokens[i] for i in rng.integers(0, len(tokens), size=4)), []) for _ in range(n)]
    bm25 = bm25s.BM25()
    bm25.index(docs, show_progress=False)
    return (bm25, *bm25_postings(docs, bm25.vocab_dict))


def scaling(results: dict, assistant: Assistant) -> None:
    rng = np.random.default_rng(0)
    base = assistant.index.sentence_vectors
    tokens = sentence_tokens(assistant)
    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    queries = assistant.encoder.encode([q.question for q in questions])
    query_tokens = [assistant.tokenizer.tokenize(q.question) for q in questions]
    rows = []
    for n in SIZES:
        vectors = synthetic_vectors(base, n, rng)
        entry = {"chunks": n}
        for kind in ("flat", "hnsw"):
            t = time.perf_counter()
            index = vector_index(vectors, kind)
            entry[f"{kind}_build_s"] = time.perf_counter() - t
            entry[f"{kind}_p50_ms"] = percentiles(lambda q, index=index: index.search(q.reshape(1, -1), 10),
                                                  list(queries))[0]
            with tempfile.NamedTemporaryFile() as fh:
                import faiss

                faiss.write_index(index, fh.name)
                entry[f"{kind}_bytes_per_chunk"] = os.path.getsize(fh.name) / n
            entry[f"_{kind}"] = index
        _, exact = entry["_flat"].search(queries, 10)
        _, approx = entry["_hnsw"].search(queries, 10)
        entry["hnsw_recall10"] = float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)]))
        bm25, terms, offsets = synthetic_bm25(tokens, n, rng)
        entry["bm25_p50_ms"] = percentiles(
            lambda toks, bm25=bm25: bm25.get_scores_from_ids(bm25.get_tokens_ids(toks) or [0]), query_tokens)[0]
        with tempfile.TemporaryDirectory() as tmp:
            bm25.save(tmp, show_progress=False)
            entry["bm25_bytes_per_chunk"] = sum(p.stat().st_size for p in Path(tmp).iterdir()) / n
        # The whole search path over this synthetic index: candidates from HNSW and BM25, rescored.
        chunks = [Chunk(f"s{i}", 1, "t", "a", "t", 0, 0, "", "x") for i in range(n)]
        synthetic = Index(chunks=chunks, sentence_vectors=np.zeros((0, base.shape[1]), np.float32),
                          dense=entry["_hnsw"], bm25=bm25, bm25_terms=terms, bm25_offsets=offsets)
        retriever = Retriever(synthetic, assistant.settings)
        items = list(zip(queries, query_tokens, strict=True))
        entry["search_hybrid_p50_ms"] = percentiles(lambda qt, r=retriever: r.search(qt[0], qt[1], 10, "hybrid"),
                                                    items)[0]
        rows.append({k: v for k, v in entry.items() if not k.startswith("_")})
        print(f"  {n} chunks done", file=sys.stderr, flush=True)
    results["scaling"] = rows


def rss_mb() -> float:
    """This process's resident memory now (not its peak), in MB."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def synthetic_index(assistant: Assistant, tokens: list[list[str]], n: int, rng) -> Index:
    """A whole index of `n` synthetic chunks with two sentences each, as a build would make it."""
    from rag.names import Gazetteer
    from rag.schema import Sentence

    base = assistant.index.sentence_vectors
    bm25, terms, offsets = synthetic_bm25(tokens, n, rng)
    return Index(
        manifest={"chunks": n, "sentences": 2 * n, "dimension": base.shape[1]},
        chunks=[Chunk(f"c{i}", 1, "t", "a", "t", 0, 2, "xx", f"s{i}") for i in range(n)],
        sentences=[Sentence(f"s{i}", j, j + 1) for i in range(n) for j in (0, 1)],
        sentence_vectors=synthetic_vectors(base, 2 * n, rng), dense=vector_index(synthetic_vectors(base, n, rng)),
        bm25=bm25, bm25_terms=terms, bm25_offsets=offsets, sources={f"s{i}": "xx" for i in range(n)},
        names=Gazetteer([]))


def stores(results: dict, assistant: Assistant) -> None:
    """The local store (files: FAISS + bm25s) against Milvus Lite on the same synthetic index:
    writing it, memory taken by loading it, hybrid search latency, and how often both return
    the same top 10 (the local store scores every chunk below 20,000; Milvus rescores candidates
    above rag.milvus_store.EXACT_UP_TO)."""
    from rag import milvus_store, store

    rng = np.random.default_rng(1)
    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    items = list(zip(assistant.encoder.encode([q.question for q in questions]),
                     [assistant.tokenizer.tokenize(q.question) for q in questions], strict=True))
    tokens = sentence_tokens(assistant)
    rows = []
    for n in STORE_SIZES:
        index = synthetic_index(assistant, tokens, n, rng)
        entry = {"chunks": n, "sentences": 2 * n}
        with tempfile.TemporaryDirectory() as tmp:
            settings = assistant.settings.with_(index_dir=Path(tmp) / "index", store="milvus",
                                                milvus_uri=str(Path(tmp) / "milvus.db"), milvus_collection="bench")
            t = time.perf_counter()
            (Path(tmp) / "index").mkdir()
            store.save(Path(tmp) / "index", index, index.manifest)
            entry["local_write_s"] = time.perf_counter() - t
            t = time.perf_counter()
            milvus_store.save(settings, index, index.manifest)
            entry["milvus_write_s"] = time.perf_counter() - t
            milvus_store.close(settings)
            del index
            top10 = {}
            for name, open_index in (("local", lambda folder=Path(tmp) / "index": store.load(folder)),
                                     ("milvus", lambda target=settings: milvus_store.load(target))):
                before = rss_mb()
                loaded = open_index()
                retriever = Retriever(loaded, assistant.settings)
                entry[f"{name}_load_mb"] = rss_mb() - before
                p50, p95, _ = percentiles(lambda qt, r=retriever: r.search(qt[0], qt[1], 10, "hybrid"), items)
                entry[f"{name}_p50_ms"], entry[f"{name}_p95_ms"] = p50, p95
                top10[name] = [[h.row for h in retriever.search(v, toks, 10, "hybrid")] for v, toks in items]
                if name == "local":  # the same path as Milvus: candidates from an exact index, rescored
                    flat = replace(loaded, dense=vector_index(loaded.dense.reconstruct_batch(np.arange(n)), "flat"))
                    retriever = Retriever(flat, assistant.settings, exact_limit=0)
                    top10["local candidates"] = [[h.row for h in retriever.search(v, toks, 10, "hybrid")]
                                                 for v, toks in items]
                del loaded, retriever
            milvus_store.close(settings)
        for key, local in (("same_top10", "local"), ("same_top10_same_path", "local candidates")):
            entry[key] = float(np.mean([a == b for a, b in zip(top10[local], top10["milvus"], strict=True)]))
        rows.append(entry)
        print(f"  stores: {n} chunks done", file=sys.stderr, flush=True)
    results["stores"] = rows


def render(results: dict) -> str:
    r = results["real"]
    fmt = lambda ms: f"{ms[0]:.2f} s (±{ms[1] * 50:.0f}%)"  # noqa: E731 - spread shown as half range
    lines = [
        "# Speed and scale", "",
        f"`make bench` (eval/bench.py), {results['date']}, {results['machine']}; load average at start "
        f"{results['load_average']}. Timings are medians of {REPEATS} runs; ± is half the spread between runs.",
        "Parts run at: " + ", ".join(f"{part} {when}" for part, when in results.get("part_dates", {}).items())
        + " (`python eval/bench.py PART` re-runs one part and keeps the others' numbers).", "",
        f"## On the corpus ({r.get('chunks', '?')} chunks)", "",
        "| measure | value | target |", "|---|---:|---:|",
        f"| cold `rag ask` (process start to answer) | {fmt(r['cold_ask_s'])} | ≤ 6 s |",
        f"| `rag --help` | {fmt(r['help_s'])} | ≤ 0.5 s |",
        f"| UI ready (process start to first HTTP 200) | {fmt(r['ui_ready_s'])} | ≤ 15 s |",
        f"| `rag index --force` (process, imports included) | {fmt(r['build_s'])} | ≤ 20 s |",
        f"| `rag ask --batch`, {r['questions']} questions, start-up included | {r['batch_q_per_s'][0]:.1f} q/s | |",
        f"| peak RSS, `rag ask --batch` | {r['batch_peak_rss_mb']:.0f} MB | ≤ 1.5 GB |",
        f"| peak RSS, this benchmark process (model, index, baseline) | {results['in_process_peak_rss_mb']:.0f} MB | |",
        "", f"| warm, in-process, {r['questions']} questions | p50 ms | p95 ms | p50 spread |", "|---|---:|---:|---:|",
    ]
    for name, (p50, p95, spread) in results["latency_ms"].items():
        lines.append(f"| {name} | {p50:.1f} | {p95:.1f} | {spread * 100:.0f}% |")
    lines += ["", "Targets: warm `ask` p50 ≤ 30 ms and p95 ≤ 80 ms; warm hybrid `search` p50 ≤ 15 ms.", "",
              "## How cost grows (synthetic corpora)", "",
              "| chunks | flat p50 ms | HNSW p50 ms | HNSW recall@10 | HNSW build s | BM25 p50 ms "
              "| hybrid search p50 ms | bytes/chunk: flat | HNSW | BM25 |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for e in results["scaling"]:
        lines.append(f"| {e['chunks']:,} | {e['flat_p50_ms']:.2f} | {e['hnsw_p50_ms']:.2f} | "
                     f"{e['hnsw_recall10']:.3f} | {e['hnsw_build_s']:.1f} | {e['bm25_p50_ms']:.2f} | "
                     f"{e['search_hybrid_p50_ms']:.2f} | {e['flat_bytes_per_chunk']:.0f} | "
                     f"{e['hnsw_bytes_per_chunk']:.0f} | {e['bm25_bytes_per_chunk']:.0f} |")
    lines += ["", "Hybrid search here is the full candidate path (HNSW top 200 ∪ BM25 top 200, rescored), query "
              "encoding excluded (≈ 8 ms, constant). The index picks flat below 50,000 chunks and HNSW "
              "(M=32, efSearch=200) above; `RAG_VECTOR_INDEX=flat|hnsw` overrides.", "",
              "![latency by corpus size](bench.png)", "",
              "## Stores: local files against Milvus Lite (`RAG_STORE`)", "",
              "The same synthetic index (two sentences per chunk) written to each store and loaded back; "
              "hybrid search with real questions, query encoding excluded. Memory is the growth of this "
              "process's resident memory on loading (Milvus Lite runs inside the process); it understates "
              "when the allocator reuses memory freed by the step before (the local store at 10^4 shows "
              "about 0), so take it as a rough guide. Writing excludes encoding, which both share "
              "(eval/ENCODERS.md).", "",
              "| chunks | store | write s | chunks/s written | load MB | hybrid p50 ms | p95 ms "
              "| same top 10 as local: as served | same path |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for e in results.get("stores", []):
        for name, label in (("local", "local (FAISS + bm25s files)"), ("milvus", "Milvus Lite")):
            same = f"{e['same_top10']:.3f} | {e['same_top10_same_path']:.3f}" if name == "milvus" else " | "
            lines.append(f"| {e['chunks']:,} | {label} | {e[f'{name}_write_s']:.1f} | "
                         f"{e['chunks'] / e[f'{name}_write_s']:,.0f} | {e[f'{name}_load_mb']:.0f} | "
                         f"{e[f'{name}_p50_ms']:.1f} | {e[f'{name}_p95_ms']:.1f} | {same} |")
    lines += ["", "As served, the local store scores every chunk exactly up to 20,000 chunks (flat FAISS) and "
              "rescores HNSW and BM25 candidates above; Milvus rescores candidates from an exact (FLAT) search "
              "above rag.milvus_store.EXACT_UP_TO = 2,000 chunks, since scoring every chunk would fetch every "
              "vector per question. The same path compares Milvus with the local store's candidate path over "
              "an exact index: what differs is then only the store."]
    return "\n".join(lines) + "\n"


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = results["scaling"]
    n = [e["chunks"] for e in rows]
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, label in (("flat_p50_ms", "FAISS flat"), ("hnsw_p50_ms", "FAISS HNSW"), ("bm25_p50_ms", "BM25"),
                       ("search_hybrid_p50_ms", "hybrid search (candidates)")):
        ax.plot(n, [e[key] for e in rows], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks")
    ax.set_ylabel("p50 latency (ms)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


PARTS = ("real", "scaling", "stores")


def main() -> None:
    """`python eval/bench.py [PART …]`: all parts, or only those named (the others' numbers are
    kept from eval/bench.json)."""
    import platform

    parts = sys.argv[1:] or list(PARTS)
    unknown = set(parts) - set(PARTS)
    if unknown:
        sys.exit(f"unknown parts {sorted(unknown)}; allowed: {', '.join(PARTS)}")
    previous = ROOT / "eval" / "bench.json"
    results = json.loads(previous.read_text(encoding="utf-8")) if previous.exists() and len(parts) < len(PARTS) else {}
    now = time.strftime("%Y-%m-%d %H:%M")
    results.setdefault("part_dates", {}).update({part: now for part in parts})
    results.update({"date": now,
                    "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
                    "machine": f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"})
    with tempfile.TemporaryDirectory() as tmp:
        env = {"RAG_INDEX_DIR": str(Path(tmp) / "index")}
        settings = Settings.from_env(index_dir=Path(tmp) / "index")
        if "real" in parts:
            print("real corpus…", file=sys.stderr, flush=True)
            assistant = real_corpus(results, env, settings)
        else:
            assistant = Assistant.load(settings, progress=False)
        if "scaling" in parts:
            print("scaling…", file=sys.stderr, flush=True)
            scaling(results, assistant)
        if "stores" in parts:
            print("stores…", file=sys.stderr, flush=True)
            stores(results, assistant)
    (ROOT / "eval" / "bench.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    (ROOT / "eval" / "BENCH.md").write_text(render(results), encoding="utf-8")
    chart(results, ROOT / "eval" / "bench.png")
    print(render(results))


if __name__ == "__main__":
    main()
