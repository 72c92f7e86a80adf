"""Which BM25 the Milvus store should use, by parity with the local store: Milvus's own BM25
function (full-text search over the chunk text with its jieba analyzer) against sparse vectors of
our own BM25 weights (rag/bm25.py: our tokenizer, user dictionary and gazetteer; what
rag/milvus_store.py keeps). For every evaluation question, BM25 mode: the same top 10, the same
top 1, and the mean overlap of the two top 10s, each against the local store (bm25s).

    python eval/milvus_bm25.py     # prints a Markdown table (in eval/NOTES.md)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import milvus_store  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.build import bm25_text  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evaluate.metrics import load_questions  # noqa: E402


def builtin_bm25(client, name: str, texts: list[str], analyzer: dict) -> None:
    """A collection scoring `texts` with Milvus's BM25 function and the given analyzer."""
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65_535, enable_analyzer=True, analyzer_params=analyzer)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    params = client.prepare_index_params()
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection(name, schema=schema, index_params=params)
    client.insert(name, [{"id": i, "text": t} for i, t in enumerate(texts)])
    client.flush(name)


def compare(ours: list[list[int]], theirs: list[list[int]]) -> tuple[float, float, float]:
    """(same top 10, same top 1, mean overlap of the top 10s) over the questions."""
    return (float(np.mean([a == b for a, b in zip(ours, theirs, strict=True)])),
            float(np.mean([a[:1] == b[:1] for a, b in zip(ours, theirs, strict=True)])),
            float(np.mean([len(set(a) & set(b)) / max(len(a), len(b)) if a or b else 1.0
                           for a, b in zip(ours, theirs, strict=True)])))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        local = Assistant.load(Settings.from_env(index_dir=Path(tmp) / "index"), progress=False)
        questions = load_questions(ROOT / "eval" / "qa.jsonl")
        queries = [local.parse(q.question, q.history)[0].query for q in questions]
        ours = [[h.row for h in local.search(q.question, k=10, mode="bm25", history=q.history).hits]
                for q in questions]
        settings = local.settings.with_(store="milvus", milvus_uri=str(Path(tmp) / "m.db"))
        milvus_store.save(settings, local.index, local.index.manifest)
        remote = Assistant.load(settings, rebuild=False, encoder=local.encoder)
        rows = {"our BM25 weights as sparse vectors (rag/milvus_store.py)": [
            [h.row for h in remote.search(q.question, k=10, mode="bm25", history=q.history).hits] for q in questions]}
        client = milvus_store.connect(settings)
        texts = [bm25_text(c) for c in local.index.chunks]
        user_words = sorted({t.split()[0] for t in local.index.terms})
        for label, analyzer in (("Milvus BM25 function, jieba analyzer", {"tokenizer": "jieba"}),
                                ("Milvus BM25 function, jieba analyzer + our dictionary",
                                 {"tokenizer": {"type": "jieba", "dict": ["_default_", *user_words]}})):
            name = f"builtin{len(rows)}"
            try:
                builtin_bm25(client, name, texts, analyzer)
            except Exception as exc:  # noqa: BLE001 - an analyzer option this Milvus does not support
                print(f"{label}: not supported here ({str(exc)[:120]})", file=sys.stderr)
                continue
            found = client.search(name, data=queries, anns_field="sparse", limit=10, output_fields=["id"],
                                  search_params={"metric_type": "BM25"})
            rows[label] = [[hit["id"] for hit in hits] for hits in found]
        milvus_store.close(settings)
    print("| BM25 in Milvus | same top 10 as local | same top 1 | mean overlap of top 10 |")
    print("|---|---:|---:|---:|")
    for label, theirs in rows.items():
        same10, same1, overlap = compare(ours, theirs)
        print(f"| {label} | {same10:.3f} | {same1:.3f} | {overlap:.3f} |")
    print(f"\n{len(questions)} evaluation questions, BM25 mode, top 10.")


if __name__ == "__main__":
    main()
