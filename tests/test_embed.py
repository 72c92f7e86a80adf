"""The bundled model's lean torch path against sentence-transformers itself."""

from __future__ import annotations

import numpy as np
from conftest import CORPUS

from rag.embed import BertMeanPooling, Encoder, resolve_model


def test_lean_path_matches_sentence_transformers(encoder):
    ref = resolve_model(None)
    assert encoder._bert is not None and BertMeanPooling.supports(__import__("pathlib").Path(ref.path))
    library = Encoder(ref, fast=False)
    text = CORPUS.read_text(encoding="utf-8")
    # Short and long texts, past the 512-token limit, mixed scripts and empty-ish input.
    texts = [text[i : i + n] for i, n in zip(range(0, 60000, 1500), [3, 30, 350, 700, 1500] * 8, strict=True)]
    texts += ["五四村是如何筹集资金的？", "ABC abc Ünïcode", "😀", " "]
    ours, theirs = encoder.encode(texts), library.encode(texts)
    assert ours.shape == theirs.shape == (len(texts), 512)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    single = encoder.encode("余村")
    assert single.shape == (512,) and np.allclose(single, encoder.encode(["余村"])[0])
