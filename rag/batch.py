"""Batch files of `rag search/ask --batch`: JSON Lines of `{id, question[, history]}`, each bad
line reported in its place (DESIGN.md §Contract).
Leaves out: answering (cli.py runs the assistant).
"""

from __future__ import annotations

from pathlib import Path

from rag.jsonl import read_jsonl_lines


def read_batch(path: Path) -> list[dict]:
    """The lines of a JSONL batch file, in order: each a request `{id, question, history}`, or
    `{id, line, error}` for a line that cannot be asked (malformed JSON, no id, empty question,
    bad history), answered in its place. A missing or non-UTF-8 file raises JsonlError."""
    items = []
    for number, item, problem in read_jsonl_lines(path):
        item = item or {}
        problem = problem or batch_problem(item)
        if problem:
            items.append({"id": item.get("id"), "line": number, "error": f"第 {number} 行：{problem}"})
        else:
            items.append({"id": item["id"], "question": item["question"], "history": item.get("history", [])})
    return items


def batch_problem(item: dict) -> str:
    """Why a batch line cannot be asked, or "".

    >>> batch_problem({"id": 1, "question": " "}), batch_problem({"question": "余村在哪？"})
    ('问题为空', '缺少 id 字段')
    """
    if "id" not in item:
        return "缺少 id 字段"
    if not isinstance(item.get("question"), str):
        return "缺少 question 字段（应为文本）"
    if not item["question"].strip():
        return "问题为空"
    history = item.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        return "history 必须是问题文本的列表"
    return ""
