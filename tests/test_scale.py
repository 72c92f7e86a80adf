"""The large-corpus path: HNSW and candidate rescoring, checked against the exact path."""

from __future__ import annotations

import numpy as np
import pytest

from rag.build import vector_index
from rag.retrieve import Retriever


def test_flat_or_hnsw_by_size_and_by_setting():
    import faiss

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert isinstance(vector_index(vectors), faiss.IndexFlatIP)
    hnsw = vector_index(vectors, "hnsw")
    assert isinstance(hnsw, faiss.IndexHNSWFlat)
    flat = vector_index(vectors, "flat")
    _, exact = flat.search(vectors[:50], 10)
    _, approx = hnsw.search(vectors[:50], 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.95
    with pytest.raises(ValueError, match="auto、flat、hnsw"):
        vector_index(vectors, "ivf")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_candidate_path_agrees_with_exact_path(assistant, mode):
    exact = assistant.retriever
    approx = Retriever(assistant.index, assistant.settings, exact_limit=0)
    assert exact.exact and not approx.exact
    questions = ["五四村是如何筹集资金的？", "横一村有多少棵柿子树？", "几位学员对何斯路村的经验都谈了什么？",
                 "民政部门在养老服务方面有什么打算？", "有个以前欠了一屁股债的穷村子，后来是怎么翻身变富的？"]
    same_top = 0
    for question in questions:
        _, _, vector, tokens = assistant.query(question, (), mode)
        a = [h.chunk.chunk_id for h in exact.search(vector, tokens, 5, mode)]
        b = [h.chunk.chunk_id for h in approx.search(vector, tokens, 5, mode)]
        same_top += a[0] == b[0]
        assert len(set(a) & set(b)) >= 3, (question, a, b)
    assert same_top >= 4
