"""Incremental indexing, measured: a full build of the bundled essays (as a folder), then the
same folder with one essay added, re-indexed; both timed in this run, on this machine.

    python eval/incremental.py

Prints the two times, their ratio and what the second build encoded. A first, untimed build
warms the process (torch, the model, jieba), so both timed builds start alike.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDED = """乡村运营的几点思考
县文化和旅游局干部
一、运营先行
桃源村引入专业运营团队，把闲置农房改造成民宿和研学基地，每年接待游客两万多人次。
二、利益共享
村集体、运营公司和农户按约定比例分红，农户户均增收八千元。
"""


def timed_build(settings) -> tuple[float, dict]:
    from rag import build

    started = time.perf_counter()
    manifest = build.build_index(settings, progress=False)
    return time.perf_counter() - started, manifest


def main() -> int:
    from rag.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        shutil.copy(ROOT / "corpus" / "essays.txt", folder / "essays.txt")
        timed_build(Settings(corpus=folder, index_dir=Path(tmp) / "warm-up"))
        settings = Settings(corpus=folder, index_dir=Path(tmp) / "index")
        full, manifest = timed_build(settings)
        (folder / "added.txt").write_text(ADDED, encoding="utf-8")
        added, after = timed_build(settings)
    print(f"full build: {full:.1f} s ({manifest['chunks']} chunks, {manifest['encoded']} texts encoded)")
    print(f"one essay added: {added:.1f} s ({after['chunks']} chunks, {after['encoded']} texts encoded, "
          f"files {after['files_changed']})")
    print(f"ratio: {added / full:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
