"""Adapting the embedding model at index time (rag/adapt.py, RAG_ADAPT): deterministic under a
seed, recorded in the manifest, used for queries; off by default and then the index is as before."""

from __future__ import annotations

import json

import numpy as np
import pytest

ESSAY = """乡村道路建设心得
区交通运输局
一、道路建设
全区今年新建农村公路十二条，总长三十公里，连通了五个行政村。道路两旁种植行道树，设置了错车道和安全护栏。
二、客运服务
城乡公交线路延伸到每一个行政村，村民出行不再需要步行到镇上。票价统一为两元，老年人可以免费乘车。
三、下一步打算
明年将继续完善村内道路，推动农村物流站点建设，让农产品运得出、卖得好。
"""


def _build(tmp_path, encoder, adapt: str, name: str):
    from rag import build
    from rag.config import Settings

    (tmp_path / "corpus").mkdir(exist_ok=True)
    (tmp_path / "corpus" / "roads.txt").write_text(ESSAY, encoding="utf-8")
    settings = Settings(corpus=tmp_path / "corpus", index_dir=tmp_path / name, adapt=adapt)
    manifest = build.build_index(settings, encoder=encoder, progress=False)
    return settings, manifest


def test_adaptation_is_deterministic_recorded_and_used_for_queries(tmp_path, encoder):
    import torch

    from rag import build, store

    settings, first = _build(tmp_path, encoder, "1", "a")
    again, second = _build(tmp_path, encoder, "1", "b")
    record = first["adaptation"]
    assert record and record["pairs"] >= 5 and record["steps"] >= 1 and record["seed"] == 0
    assert (record["pairs"], record["steps"]) == (second["adaptation"]["pairs"], second["adaptation"]["steps"])
    # Same seed, same weights, up to float rounding (the BLAS may sum in another order on another run).
    weights = [torch.load(s.index_dir / "adapted_model" / "pytorch_model.bin") for s in (settings, again)]
    assert weights[0].keys() == weights[1].keys()
    assert all(torch.allclose(weights[0][k], weights[1][k], atol=1e-5) for k in weights[0])
    assert (settings.index_dir / "adapted_model" / "pytorch_model.bin").is_file()
    assert "adapted_model/pytorch_model.bin" in first["files"]  # checksummed like every index file
    adapted = build.encoder_for(settings, first, encoder)
    question = "村民坐公交要多少钱？"
    assert not np.allclose(adapted.encode(question), encoder.encode(question))
    index = store.load(settings.index_dir)  # the stored sentence vectors are the adapted model's
    text = index.sources["roads.txt"]
    s = index.sentences[0]
    assert np.allclose(index.sentence_vectors[0], adapted.encode(text[s.start : s.end]), atol=1e-5)
    assert build.staleness(settings, first) == []
    assert build.staleness(settings.with_(adapt="0"), first)  # switching it off rebuilds


def test_off_by_default_and_then_the_index_is_the_base_models(tmp_path, encoder):
    from rag import build, store
    from rag.config import Settings

    assert Settings().adapt == "auto"
    settings, manifest = _build(tmp_path, encoder, "auto", "off")
    assert manifest["adaptation"] is None and not (settings.index_dir / "adapted_model").exists()
    index = store.load(settings.index_dir)
    text = index.sources["roads.txt"]
    expected = encoder.encode([text[s.start : s.end] for s in index.sentences])
    assert np.allclose(index.sentence_vectors, expected, atol=1e-6)
    assert build.encoder_for(settings, manifest, encoder) is encoder


def test_bad_setting_is_refused():
    from rag.config import Settings, SettingsError

    with pytest.raises(ValueError):
        Settings(adapt="yes")
    with pytest.raises((SettingsError, ValueError)):
        Settings.from_env({"RAG_ADAPT": "maybe"})
    assert json.dumps(Settings.from_env({"RAG_ADAPT": "1"}).adapt) == '"1"'
