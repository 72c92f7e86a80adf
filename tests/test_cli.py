"""The `rag` command in real subprocesses: JSON contract, batch order, bad input."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, in_milvus, run_cli

HIT_FIELDS = {"rank", "score", "chunk_id", "essay", "title", "author", "heading", "start", "end", "text"}
CITATION_FIELDS = {"n", "chunk_id", "essay", "title", "author", "heading", "start", "end", "text", "quote"}


@pytest.fixture(scope="module", params=["local", "milvus"])
def env(request, built_index, tmp_path_factory):
    """The whole contract runs twice: on the local index files, and on a Milvus Lite file."""
    env = {"RAG_INDEX_DIR": str(built_index.index_dir), "RAG_CORPUS": str(built_index.corpus)}
    if request.param == "milvus":
        settings = in_milvus(built_index, tmp_path_factory.mktemp("milvus") / "index.db")
        env.update(RAG_STORE="milvus", RAG_MILVUS_URI=settings.milvus_uri)
    return env


def test_ask_json_carries_contract_fields(env):
    proc = run_cli("ask", "五四村是如何筹集资金的？", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"id", "question", "answer", "answerable", "citations", "related", "backend"} <= set(data)
    assert data["backend"] == "extractive" and data["answerable"] is True
    assert data["citations"] and all(CITATION_FIELDS <= set(c) for c in data["citations"])
    assert all(HIT_FIELDS <= set(h) for h in data["related"])


def test_batch_search_keeps_order_and_ids(env, tmp_path):
    lines = [{"id": "b", "question": "余村的矿山后来怎么样了？"},
             {"id": 7, "question": "小古城村怎样商量村里的事？", "history": ["余村"]},
             {"id": "a", "question": "四好农村路修了多少公里？"}]
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    proc = run_cli("search", "--batch", str(batch), "--k", "3", "--mode", "bm25", env=env)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["b", 7, "a"]
    for o in out:
        assert o["mode"] == "bm25" and len(o["hits"]) == 3
        assert all(HIT_FIELDS <= set(h) for h in o["hits"])


@pytest.mark.parametrize("args,needle", [
    (["ask", "   "], "问题不能为空"),
    (["search", ""], "问题不能为空"),
    (["index", "--corpus", "/nonexistent/essays.txt"], "语料路径不存在"),
    (["ask", "--k", "0", "余村"], "--k"),
    (["search", "余村", "--mode", "magic"], "参数错误"),
])
def test_bad_input_exits_2_without_traceback(env, args, needle):
    proc = run_cli(*args, env=env)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("variable,value,needle", [
    ("RAG_CHUNK_SIZE", "10", "至少为 50"), ("RAG_MODE", "magic", "RAG_MODE"), ("RAG_VECTOR_INDEX", "ivf", "可选"),
    ("RAG_ADAPT", "yes", "RAG_ADAPT"), ("RAG_PORT", "abc", "RAG_PORT"), ("RAG_LLM_TIMEOUT", "-1", "大于 0"),
])
def test_bad_settings_exit_2_with_one_chinese_line(env, variable, value, needle):
    proc = run_cli("search", "余村", env={**env, variable: value})
    assert proc.returncode == 2 and needle in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_bad_batch_lines_are_reported_in_place_and_the_rest_answered(env, tmp_path):
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"id": "a", "question": "余村在哪个县？"}\nnot json\n{"question": "余村"}\n'
                     '{"id": "d", "question": "  "}\n'
                     '{"id": "e", "question": "五四村是如何筹集资金的？", "history": "x"}\n'
                     '{"id": "f", "question": "五四村是如何筹集资金的？"}\n', encoding="utf-8")
    proc = run_cli("ask", "--batch", str(batch), env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "4 行无法回答" in proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, None, "d", "e", "f"]  # one line out per line in, in order
    assert [o.get("line") for o in out[1:5]] == [2, 3, 4, 5]
    assert "不是合法的 JSON" in out[1]["error"] and "缺少 id" in out[2]["error"]
    assert "问题为空" in out[3]["error"] and "history" in out[4]["error"]
    assert out[0]["answerable"] and "30亩" in out[5]["answer"]


def test_missing_model_gives_install_hint(env, tmp_path):
    proc = run_cli("ask", "余村", env={**env, "RAG_EMBED_MODEL": str(tmp_path / "no-model")})
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "模型" in proc.stderr


def test_dossier_and_brief_commands(env, tmp_path):
    proc = run_cli("dossier", "何斯路", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["name"] == "何斯路村" and "何斯路" in data["merged"] and len(data["essays"]) == 4
    assert all(p["sentences"] for e in data["essays"] for p in e["passages"])
    missing = run_cli("dossier", "不存在的村", env=env)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr

    questions = tmp_path / "questions.txt"
    questions.write_text("五四村是如何筹集资金的？\n\n怎样办理护照？\n", encoding="utf-8")
    proc = run_cli("brief", str(questions), "--out", str(tmp_path / "brief.md"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "brief.md").is_file() and (tmp_path / "brief.docx").is_file()
    assert "【未找到答案】" in (tmp_path / "brief.md").read_text(encoding="utf-8")


def test_the_readme_lists_every_setting_as_the_code_defines_it():
    from rag.config import ENV, settings_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme and all(f"`{variable}`" in readme for variable in ENV.values())
