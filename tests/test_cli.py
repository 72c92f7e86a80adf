"""The `rag` command in real subprocesses: JSON contract, batch order, bad input."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli

HIT_FIELDS = {"rank", "score", "chunk_id", "essay", "title", "author", "heading", "start", "end", "text"}
CITATION_FIELDS = {"n", "chunk_id", "essay", "title", "author", "heading", "start", "end", "text", "quote"}


@pytest.fixture(scope="module")
def env(built_index):
    return {"RAG_INDEX_DIR": str(built_index.index_dir), "RAG_CORPUS": str(built_index.corpus)}


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
    batch.write_text("\n".join(json.dumps(l, ensure_ascii=False) for l in lines) + "\n", encoding="utf-8")
    proc = run_cli("search", "--batch", str(batch), "--k", "3", "--mode", "bm25", env=env)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(l) for l in proc.stdout.splitlines()]
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


@pytest.mark.parametrize("content,needle", [
    ('{"id": 1, "question": "余村"}\nnot json\n', "第 2 行"),
    ('{"question": "余村"}\n', "第 1 行"),
    ('{"id": 1, "question": "  "}\n', "问题为空"),
])
def test_malformed_batch_exits_2(env, tmp_path, content, needle):
    batch = tmp_path / "bad.jsonl"
    batch.write_text(content, encoding="utf-8")
    proc = run_cli("ask", "--batch", str(batch), env=env)
    assert proc.returncode == 2 and needle in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


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
