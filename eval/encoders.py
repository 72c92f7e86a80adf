"""What embedding costs at build time, the cost that dominates a large index: texts per second
of the bundled m3e-small by batch size and torch threads, and whether an ONNX Runtime encoder
(float32, and int8 by dynamic quantisation) would be worth offering: its speed-up and how far
it keeps the ranking (cosine to the torch vectors; the same top 10 and top 1 for every
evaluation question, hybrid search, index and questions both encoded by it).

    python eval/encoders.py        # writes eval/ENCODERS.md and eval/encoders.json

Needs `onnxruntime` and `onnx` (not project dependencies: `pip install onnxruntime onnx`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.assistant import Assistant  # noqa: E402
from rag.build import embedding_text, vector_index  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.embed import BertMeanPooling, resolve_model  # noqa: E402
from rag.evaluate.metrics import load_questions  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402

BATCH_SIZES = (4, 8, 16, 32, 128)
THREADS = (1, 2)


def texts_of(assistant: Assistant) -> list[str]:
    """What a build embeds: every chunk (with its heading path) and every sentence."""
    index = assistant.index
    return [embedding_text(c) for c in index.chunks] + [index.sources[s.source][s.start : s.end]
                                                       for s in index.sentences]


def per_second(encode, texts: list[str]) -> float:
    encode(texts[:16])  # warm up
    started = time.perf_counter()
    encode(texts)
    return len(texts) / (time.perf_counter() - started)


def export_onnx(bert: BertMeanPooling, folder: Path) -> tuple[Path, Path]:
    """The model as ONNX (ids, mask → mean-pooled vector), and its int8 dynamic quantisation."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Pooled(torch.nn.Module):
        def forward(self, ids, mask):
            return bert.forward(ids, mask)

    fp32, int8 = folder / "m3e-small.onnx", folder / "m3e-small-int8.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(Pooled(), (ids, torch.ones_like(ids)), str(fp32), input_names=["ids", "mask"],
                      output_names=["pooled"], opset_version=17, dynamo=False,
                      dynamic_axes={"ids": {0: "batch", 1: "length"}, "mask": {0: "batch", 1: "length"},
                                    "pooled": {0: "batch"}})
    # Constant folding first: exported weights reach MatMul through a Transpose, which dynamic
    # quantisation would otherwise leave in float32.
    prepared = folder / "m3e-small-prepared.onnx"
    quant_pre_process(str(fp32), str(prepared))
    quantize_dynamic(str(prepared), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


class OnnxEncoder:
    """The same tokenisation, batching and normalisation as BertMeanPooling, run by ONNX Runtime."""

    def __init__(self, bert: BertMeanPooling, model: Path, threads: int) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        self.bert, self.dim = bert, bert.dim
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def encode(self, texts, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        single = isinstance(texts, str)
        texts = [texts] if single else list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows, ids, mask in self.bert.batches(texts, batch_size):
            pooled = self.session.run(None, {"ids": ids, "mask": mask})[0]
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out[0] if single else out


def rankings(assistant: Assistant, encode, questions) -> list[list[int]]:
    """Hybrid top 10 per question with the index's vectors and the questions encoded by `encode`."""
    index = assistant.index
    n = len(index.chunks)
    vectors = encode(texts_of(assistant))
    swapped = replace(index, dense=vector_index(vectors[:n]), sentence_vectors=vectors[n:])
    retriever = Retriever(swapped, assistant.settings)
    out = []
    for q in questions:
        parsed, _ = assistant.parse(q.question, q.history)
        out.append([h.row for h in retriever.search(encode(parsed.query), assistant.tokenizer.tokenize(parsed.query),
                                                    10, "hybrid")])
    return out


def main() -> None:
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(index_dir=Path(tmp) / "index")
        assistant = Assistant.load(settings, progress=False)
        texts = texts_of(assistant)
        bert = assistant.encoder._bert or BertMeanPooling(Path(resolve_model(settings.embed_model).path))
        results: dict = {"texts": len(texts), "date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
                         "torch": {}, "onnx_fp32": {}, "onnx_int8": {}}
        for threads in THREADS:
            torch.set_num_threads(threads)
            for size in BATCH_SIZES:
                results["torch"][f"{threads}x{size}"] = per_second(lambda t, s=size: bert.encode(t, s, False), texts)
        torch.set_num_threads(max(THREADS))
        fp32, int8 = export_onnx(bert, Path(tmp))
        encoders = {}
        for name, model in (("onnx_fp32", fp32), ("onnx_int8", int8)):
            for threads in THREADS:
                encoder = OnnxEncoder(bert, model, threads)
                for size in BATCH_SIZES:
                    results[name][f"{threads}x{size}"] = per_second(lambda t, e=encoder, s=size: e.encode(t, s), texts)
            encoders[name] = OnnxEncoder(bert, model, max(THREADS))
        reference = assistant.encoder.encode(texts)
        questions = load_questions(ROOT / "eval" / "qa.jsonl")
        ours = rankings(assistant, assistant.encoder.encode, questions)
        for name, encoder in encoders.items():
            vectors = encoder.encode(texts)
            theirs = rankings(assistant, encoder.encode, questions)
            results[name]["cosine_mean"] = float(np.mean(np.sum(vectors * reference, axis=1)))
            results[name]["cosine_min"] = float(np.min(np.sum(vectors * reference, axis=1)))
            results[name]["same_top10"] = float(np.mean([a == b for a, b in zip(ours, theirs, strict=True)]))
            results[name]["same_top1"] = float(np.mean([a[:1] == b[:1] for a, b in zip(ours, theirs, strict=True)]))
            results[name]["model_mb"] = (fp32 if name == "onnx_fp32" else int8).stat().st_size / 2**20
    (ROOT / "eval" / "encoders.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (ROOT / "eval" / "ENCODERS.md").write_text(render(results), encoding="utf-8")
    print(render(results))


def render(r: dict) -> str:
    best = max(r["torch"].values())
    lines = ["# Encoding cost: batch size, threads, ONNX Runtime", "",
             f"`python eval/encoders.py`, {r['date']}, {r['cpus']} CPUs: the {r['texts']} texts a build of the "
             "essays embeds (chunks with their heading paths, and sentences), m3e-small.", "",
             "| encoder | threads × batch | texts/s | vs best torch |", "|---|---|---:|---:|"]
    for name, label in (("torch", "torch (rag/embed.py)"), ("onnx_fp32", "ONNX Runtime float32"),
                        ("onnx_int8", "ONNX Runtime int8 (dynamic)")):
        for key, value in r[name].items():
            if "x" in key:
                lines.append(f"| {label} | {key.replace('x', ' × ')} | {value:.0f} | {value / best:.2f} |")
    lines += ["", "| encoder | model MB | mean cosine to torch | min cosine | same top 10 | same top 1 |",
              "|---|---:|---:|---:|---:|---:|"]
    for name in ("onnx_fp32", "onnx_int8"):
        e = r[name]
        lines.append(f"| {name} | {e['model_mb']:.0f} | {e['cosine_mean']:.4f} | {e['cosine_min']:.4f} | "
                     f"{e['same_top10']:.3f} | {e['same_top1']:.3f} |")
    lines += ["", "Same top 10 / top 1: hybrid search over the 175 evaluation questions, with the index and the "
              "questions both encoded by that encoder, against the torch encoder's rankings."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
