"""The index on Milvus (RAG_STORE=milvus, rag/milvus_store.py), through Milvus Lite: the same
rankings and answers as the local store, builds that move an alias while a loaded index keeps
answering, and clear failures when the store cannot be reached. (tests/test_cli.py runs the
whole CLI contract on Milvus Lite too.)"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, in_milvus, run_cli
from test_formats import TXT_ESSAY

from rag.evaluate.metrics import load_questions

PARITY = 0.98  # issue 16's bar: the same top-10 for at least this share of questions


def gist(answer) -> tuple:
    """What a reader of the answer sees: its text, whether it answers, and what it cites."""
    return (answer.answer, answer.answerable, answer.reason, [(c.hit.row, c.quote) for c in answer.citations],
            [h.row for h in answer.related])


@pytest.fixture(scope="module")
def milvus_assistant(built_index, encoder, tmp_path_factory):
    from rag.assistant import Assistant

    settings = in_milvus(built_index, tmp_path_factory.mktemp("milvus") / "index.db")
    assistant = Assistant.load(settings, rebuild=False, encoder=encoder)
    yield assistant
    from rag import milvus_store

    milvus_store.close(settings)


def test_the_same_rankings_and_answers_as_the_local_store(assistant, milvus_assistant):
    from rag.milvus_store import MilvusVectors

    assert isinstance(milvus_assistant.index.dense, MilvusVectors)  # the vectors are searched in Milvus
    questions = load_questions(ROOT / "eval" / "qa.jsonl")
    same_hits = same_answers = 0
    for q in questions:
        local = assistant.search(q.question, k=10, history=q.history)
        remote = milvus_assistant.search(q.question, k=10, history=q.history)
        same_hits += [h.row for h in local.hits] == [h.row for h in remote.hits]
        same_answers += (gist(assistant.ask(q.question, history=q.history))
                         == gist(milvus_assistant.ask(q.question, history=q.history)))
    assert same_hits >= PARITY * len(questions) and same_answers >= PARITY * len(questions), \
        (same_hits, same_answers, len(questions))


def test_every_mode_and_a_collection_filter_agree(assistant, milvus_assistant):
    for mode in ("dense", "bm25", "hybrid"):
        for question in ("五四村是如何筹集资金的？", "怎样办理护照？"):
            local = assistant.search(question, k=5, mode=mode, collection="")
            remote = milvus_assistant.search(question, k=5, mode=mode, collection="")
            assert [(h.row, round(h.score, 4)) for h in remote.hits] == [(h.row, round(h.score, 4)) for h in local.hits]


def test_the_candidate_path_agrees_on_the_candidates_it_rescores(assistant, milvus_assistant):
    """Above EXACT_UP_TO chunks the store rescores candidates (vector search, sparse BM25 search,
    vectors and weights fetched by row): forced here on the essays, it ranks as the local store's
    candidate path does."""
    from rag.retrieve import Retriever

    local = Retriever(assistant.index, assistant.settings, exact_limit=0)
    remote = Retriever(milvus_assistant.index, milvus_assistant.settings, exact_limit=0)
    assert not local.exact and not remote.exact
    for question in ("五四村是如何筹集资金的？", "一个欠了很多债的穷村子后来怎么变富的？"):
        _, _, vector, tokens = assistant.query(question)
        for mode in ("hybrid", "bm25", "dense"):
            ours = [(h.row, round(h.score, 4)) for h in local.search(vector, tokens, 10, mode)]
            assert [(h.row, round(h.score, 4)) for h in remote.search(vector, tokens, 10, mode)] == ours


def folder_settings(tmp_path):
    from rag.config import Settings

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "数字.txt").write_text(TXT_ESSAY, encoding="utf-8")
    return Settings(corpus=folder, index_dir=tmp_path / "index", store="milvus", milvus_uri=str(tmp_path / "m.db"),
                    milvus_collection="essays")


def test_a_build_moves_the_alias_and_a_loaded_index_keeps_answering(tmp_path, encoder):
    from rag import build, milvus_store
    from rag.assistant import Assistant
    from rag.ui import ChatUI

    settings = folder_settings(tmp_path)
    try:
        first = build.build_index(settings, encoder=encoder, progress=False)
        before = Assistant.load(settings, rebuild=False, encoder=encoder)
        server = ChatUI(before)
        assert [e.source for e in before.index.essays] == ["数字.txt"] and not (tmp_path / "index").exists()
        (settings.corpus / "水利.txt").write_text("水利建设的思考\n县水利局干部\n白沙村修建了两座山塘水库。\n",
                                                  encoding="utf-8")
        second = build.build_index(settings, encoder=encoder, progress=False)
        assert second["files_changed"] == {"added": 1, "changed": 0, "removed": 0, "unchanged": 1}
        server.follow_builds(now=True).join(timeout=120)  # a serving process picks up the new build
        assert server.index.manifest["build_id"] == second["build_id"] == build.served_build(settings)
        assert second["encoded"] < 10  # the unchanged essay's vectors came back from Milvus
        after = Assistant.load(settings, rebuild=False, encoder=encoder)
        assert [e.source for e in after.index.essays] == ["数字.txt", "水利.txt"]
        # The process that loaded the first build still answers from it.
        assert before.search("红岭村上线了什么？").hits[0].chunk.source == "数字.txt"
        assert after.search("白沙村修了什么？").hits[0].chunk.source == "水利.txt"

        (settings.corpus / "水利.txt").unlink()
        build.build_index(settings, encoder=encoder, progress=False)
        client = milvus_store.connect(settings)
        builds = {name.rsplit("_", 1)[0] for name in client.list_collections()}
        assert len(builds) == milvus_store.KEPT_BUILDS and first["milvus_build"] not in builds
        assert second["milvus_build"] in builds
        assert build.problems(settings) == []
    finally:
        milvus_store.close(settings)


def test_an_unreachable_server_fails_at_once_without_rebuilding(tmp_path):
    env = {"RAG_STORE": "milvus", "RAG_MILVUS_URI": "http://127.0.0.1:1", "RAG_INDEX_DIR": str(tmp_path / "i"),
           "RAG_CORPUS": str(ROOT / "corpus")}
    proc = run_cli("ask", "五四村是如何筹集资金的？", env=env, timeout=60)
    assert proc.returncode == 1 and proc.stderr.startswith("错误：无法连接 Milvus（http://127.0.0.1:1）")
    assert "重建" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_lite_file_open_in_another_process_is_named(tmp_path, encoder):
    from rag import build, milvus_store

    settings = folder_settings(tmp_path)
    build.build_index(settings, encoder=encoder, progress=False)
    milvus_store.close(settings)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pymilvus import MilvusClient; MilvusClient(sys.argv[1]); print('open', flush=True); "
        "time.sleep(60)"), settings.milvus_uri], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        env = {"RAG_STORE": "milvus", "RAG_MILVUS_URI": settings.milvus_uri, "RAG_INDEX_DIR": str(tmp_path / "index"),
               "RAG_CORPUS": str(settings.corpus), "RAG_MILVUS_COLLECTION": "essays"}
        proc = run_cli("search", "红岭村", env=env, timeout=60)
        assert proc.returncode == 1 and "正被另一个进程" in proc.stderr and "Traceback" not in proc.stderr
    finally:
        holder.kill()
        holder.wait()
