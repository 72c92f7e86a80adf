"""Read JSON Lines files that people write by hand (batch questions, evaluation sets).

Blank lines are skipped; a problem is named with the file and the line, in Chinese: raised as
`JsonlError` (read_jsonl) or reported in the line's place (read_jsonl_lines, for batches).
Leaves out: what the objects must contain.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator


class JsonlError(ValueError):
    """The file is missing, not UTF-8, or has a line that is not a JSON object."""


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for every non-blank line of `path`; the first bad line raises."""
    for number, item, problem in read_jsonl_lines(path):
        if problem:
            raise JsonlError(problem)
        yield number, item


def read_jsonl_lines(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line number, object or None, problem or "") for every non-blank line of `path`: a bad
    line is reported in its place and reading goes on. A missing or non-UTF-8 file raises."""
    path = Path(path)
    if not path.is_file():
        raise JsonlError(f"文件不存在：{path}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise JsonlError(f"{path.name} 不是 UTF-8 编码") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            yield number, None, f"{path.name} 第 {number} 行不是合法的 JSON"
            continue
        if not isinstance(item, dict):
            yield number, None, f"{path.name} 第 {number} 行不是 JSON 对象"
            continue
        yield number, item, ""
