"""The bundled question set (eval/qa.jsonl): dev/test split, refusal kinds, evidence, counts.

Standard library and pytest only; no model, no index, no retrieval.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QA = ROOT / "eval" / "qa.jsonl"
CORPUS = ROOT / "corpus" / "essays.txt"


def _load_split_module():
    spec = importlib.util.spec_from_file_location("eval_split", ROOT / "eval" / "split.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


split = _load_split_module()


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_ids_are_unique(rows):
    counts = Counter(row["id"] for row in rows)
    assert not [qid for qid, n in counts.items() if n > 1]


def test_every_line_has_a_split_and_each_type_is_about_half_dev(rows):
    unsplit = [r["id"] for r in rows if r.get("split") not in ("dev", "test")]
    assert not unsplit, unsplit
    by_type: dict[str, list[str]] = {}
    for row in rows:
        by_type.setdefault(row.get("type", "fact"), []).append(row["split"])
    for qtype, splits in by_type.items():
        share = splits.count("dev") / len(splits)
        assert 0.4 <= share <= 0.6, (qtype, share)


def test_stored_splits_equal_assign_splits(rows):
    expected = split.assign_splits(rows)
    assert {row["id"]: row["split"] for row in rows} == expected
    assert split.mismatches(QA) == []


def test_assign_splits_is_stable_and_stratified():
    rows = [{"id": f"a{i:02d}", "type": "fact"} for i in range(7)] + [{"id": "b1", "type": "list"}]
    first = split.assign_splits(rows)
    assert first == split.assign_splits(list(reversed(rows)))  # order of lines does not matter
    assert first == split.assign_splits(rows, seed=split.SEED)
    assert sum(first[f"a{i:02d}"] == "dev" for i in range(7)) == 4  # ceil(7/2)
    assert first["b1"] == "dev"
    # Adding a question of another type leaves this type's split alone.
    assert {k: v for k, v in split.assign_splits(rows + [{"id": "c1", "type": "number"}]).items() if k != "c1"} == first


def test_check_cli_flags_a_changed_split(tmp_path, rows):
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert split.main(["--check", "--qa", str(path)]) == 0
    flipped = [dict(r) for r in rows]
    flipped[0]["split"] = "test" if flipped[0]["split"] == "dev" else "dev"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in flipped), encoding="utf-8")
    assert split.main(["--check", "--qa", str(path)]) == 1
    assert split.main(["--qa", str(path)]) == 0  # rewrite restores it, keeping everything else
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == rows


def test_unanswerable_lines_have_a_refusal_kind(rows):
    unanswerable = [row for row in rows if row.get("type") == "unanswerable"]
    assert all(row.get("refusal") in ("near-miss", "off-topic") for row in unanswerable), \
        [r["id"] for r in unanswerable if r.get("refusal") not in ("near-miss", "off-topic")]
    assert all(not row.get("facts") and not row.get("evidence") for row in unanswerable)
    assert sum(row["refusal"] == "near-miss" for row in unanswerable) >= 20
    assert all("refusal" not in row for row in rows if row.get("type") != "unanswerable")


def test_answerable_evidence_and_facts_occur_in_the_corpus(rows):
    text = CORPUS.read_text(encoding="utf-8")
    missing = []
    for row in rows:
        if row.get("type") == "unanswerable":
            continue
        assert row.get("evidence"), row["id"]
        missing += [(row["id"], s) for s in list(row["evidence"]) + list(row.get("facts") or []) if s not in text]
    assert not missing


def test_there_are_enough_list_questions(rows):
    assert sum(row.get("type") == "list" for row in rows) >= 22


def test_check_sets_are_well_formed_and_quote_the_corpus():
    """Every extra check set (eval/*_extra.jsonl): one JSON object per line, ids unique within it,
    a question, and every fact and evidence string copied verbatim from the corpus."""
    text = CORPUS.read_text(encoding="utf-8")
    files = sorted((ROOT / "eval").glob("*_extra.jsonl"))
    assert len(files) >= 20
    for path in files:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len({row["id"] for row in rows}) == len(rows), path.name
        assert all(row["question"].strip() for row in rows), path.name
        quoted = [(row["id"], s) for row in rows
                  for s in list(row.get("evidence") or []) + list(row.get("facts") or [])]
        missing = [(i, s) for i, s in quoted if s not in text]
        assert not missing, (path.name, missing[:3])
