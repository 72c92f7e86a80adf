"""Show that a refactoring changed no output: compare two `rag eval` report.json files, or two
`rag ask/search --batch` outputs, ignoring only what differs between any two runs (dates,
commit, timings) and, for reports, the p-values of the permutation test (Monte Carlo).

    python eval/same_output.py before/report.json after/report.json
    python eval/same_output.py before.jsonl after.jsonl

Floats agree within 1e-5: two runs of the same code on the same index differ in the sixth
decimal of a score now and then (the query's encoding on several threads). Exit 0 and "same"
when they agree; exit 1 and the first differing path otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

VOLATILE = ("latency", "_ms", "date", "git", "machine", "seconds", "p_value", "significant")
TOLERANCE = 1e-5


def stable(value, path: str = ""):
    """`value` without volatile keys, as (path, leaf) pairs in order."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not any(v in key for v in VOLATILE):
                yield from stable(item, f"{path}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from stable(item, f"{path}[{i}]")
    else:
        yield path, value


def values(path: Path) -> list[tuple[str, object]]:
    text = path.read_text("utf-8")
    if path.suffix == ".jsonl":
        return [leaf for n, line in enumerate(text.splitlines()) for leaf in stable(json.loads(line), f"line {n + 1}")]
    return list(stable(json.loads(text)))


def agree(x: object, y: object) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return abs(x - y) <= TOLERANCE
    return x == y


def main(before: str, after: str) -> int:
    left, right = values(Path(before)), values(Path(after))
    for (path, x), (other, y) in zip(left, right, strict=False):
        if path != other or not agree(x, y):
            print(f"different at {path}: {x!r} vs {y!r}")
            return 1
    if len(left) != len(right):
        print(f"different: {len(left)} vs {len(right)} values")
        return 1
    print("same")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
