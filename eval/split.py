"""Fix the dev/test split of eval/qa.jsonl once, by a seeded shuffle stratified by type.

For each question type: the ids sorted, shuffled by `random.Random(f"{seed}:{type}")`, the
first ceil(n/2) are "dev" and the rest "test". A question keeps its split as long as the ids
of its type do not change; adding questions of one type reshuffles that type only.

    python eval/split.py          # write the splits into eval/qa.jsonl (in place)
    python eval/split.py --check  # exit 1 if any stored split differs from assign_splits

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20261129
SPLITS = ("dev", "test")
QA_PATH = Path(__file__).resolve().parent / "qa.jsonl"


def assign_splits(rows: list[dict], seed: int = SEED) -> dict[str, str]:
    """id → "dev" | "test", half of each type (dev gets the odd one).

    >>> assign_splits([{"id": "a", "type": "fact"}, {"id": "b", "type": "fact"}, {"id": "c"}])["c"]
    'dev'
    """
    by_type: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_type[row.get("type", "fact")].append(row["id"])
    splits: dict[str, str] = {}
    for qtype, ids in by_type.items():
        ids = sorted(ids)
        random.Random(f"{seed}:{qtype}").shuffle(ids)
        n_dev = math.ceil(len(ids) / 2)
        for i, qid in enumerate(ids):
            splits[qid] = "dev" if i < n_dev else "test"
    return splits


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_splits(path: Path, seed: int = SEED) -> int:
    """Store each row's split in place; returns how many rows changed."""
    rows = read_rows(path)
    splits = assign_splits(rows, seed)
    changed = 0
    for row in rows:
        changed += row.get("split") != splits[row["id"]]
        row["split"] = splits[row["id"]]
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return changed


def mismatches(path: Path, seed: int = SEED) -> list[str]:
    """Ids whose stored split differs from `assign_splits` (missing counts as different)."""
    rows = read_rows(path)
    splits = assign_splits(rows, seed)
    return [row["id"] for row in rows if row.get("split") != splits[row["id"]]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 on any difference")
    parser.add_argument("--qa", type=Path, default=QA_PATH, help="question file (default: eval/qa.jsonl)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.check:
        bad = mismatches(args.qa, args.seed)
        if bad:
            print(f"{len(bad)} stored split(s) differ from assign_splits: {', '.join(bad[:20])}", file=sys.stderr)
            return 1
        print(f"splits OK ({args.qa})")
        return 0
    changed = write_splits(args.qa, args.seed)
    print(f"wrote splits to {args.qa} ({changed} row(s) changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
