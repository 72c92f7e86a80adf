"""Show that a refactoring changed no output: compare two `rag eval` report.json files, or two
`rag ask/search --batch` outputs, ignoring only what differs between any two runs (dates,
commit, timings) and, for reports, the p-values of the permutation test (Monte Carlo).

    python eval/same_output.py before/report.json after/report.json
    python eval/same_output.py before.jsonl after.jsonl       # byte comparison

Exit 0 and "same" when they agree; exit 1 and the first differing path otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

VOLATILE = ("latency", "_ms", "date", "git", "machine", "seconds", "p_value", "significant")


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


def main(before: str, after: str) -> int:
    a, b = Path(before), Path(after)
    if a.suffix == ".json":
        left, right = list(stable(json.loads(a.read_text("utf-8")))), list(stable(json.loads(b.read_text("utf-8"))))
        for x, y in zip(left, right, strict=False):
            if x != y:
                print(f"different at {x[0]}: {x[1]!r} vs {y[1]!r}")
                return 1
        if len(left) != len(right):
            print(f"different: {len(left)} vs {len(right)} values")
            return 1
    elif a.read_bytes() != b.read_bytes():
        print("different bytes")
        return 1
    print("same")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
