"""Shared fixtures: the real corpus, the real model and one real index built per session."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "essays.txt"
CHROMIUM = "/usr/bin/chromium"
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="session")
def corpus():
    from rag.corpus import load_corpus

    return load_corpus(CORPUS)


@pytest.fixture(scope="session")
def encoder():
    from rag.embed import Encoder, resolve_model

    return Encoder(resolve_model(None))


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, encoder):
    """Settings pointing at an index of the real corpus, built once for the session."""
    from rag import build
    from rag.config import Settings

    settings = Settings(corpus=CORPUS, index_dir=tmp_path_factory.mktemp("idx") / "index")
    build.build_index(settings, encoder=encoder, progress=False)
    return settings


def in_milvus(settings, uri: Path):
    """Settings for a Milvus Lite file holding the index of `settings`, written from the loaded
    local index (nothing encoded again); the file is let go, so another process may open it."""
    from rag import milvus_store, store

    target = settings.with_(store="milvus", milvus_uri=str(uri))
    index = store.load(settings.index_dir)
    milvus_store.save(target, index, index.manifest)
    milvus_store.close(target)
    return target


@pytest.fixture(scope="session")
def assistant(built_index, encoder):
    from rag import store
    from rag.assistant import Assistant
    from rag.text import Tokenizer

    index = store.load(built_index.index_dir)
    return Assistant(built_index, index, encoder, Tokenizer(index.terms))


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m rag ARGS` in a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it with apt when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield b
        b.close()


# Gradio's own words on the page: visible text and tooltips (title, aria-label) in Latin letters.
LATIN_ON_PAGE = """() => { const out = [];
  document.querySelectorAll('body *').forEach(el => {
    for (const a of ['title', 'aria-label']) { const v = el.getAttribute(a); if (v) out.push(v); }
    if (el.children.length === 0 && el.offsetParent !== null && el.tagName !== 'style')
      out.push(el.textContent.trim()); });
  return out; }"""


def english_words(page) -> list[str]:
    """Latin words the page shows or reads out, other than the corpus's own (m3e, API, Markdown)."""
    allowed = {"Markdown", "API", "Gradio", "MCP", "Word", "IP", "Hi", "docx"}  # file types, names
    return [t for t in page.evaluate(LATIN_ON_PAGE)
            if any(w not in allowed for w in LATIN_WORD.findall(t)) and not t.startswith(("bot's", "user's"))]


def ask_in(page, question: str) -> None:
    """Send a question and wait for its own answer (one more 复制回答 button), not an earlier one."""
    from playwright.sync_api import expect

    answers = page.locator("#chat").get_by_role("button", name="复制回答")
    # The chat may still be redrawing the last answer: count once two reads a moment apart agree.
    before = answers.count()
    for _ in range(20):
        page.wait_for_timeout(300)
        previous, before = before, answers.count()
        if previous == before:
            break
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    expect(answers).to_have_count(before + 1, timeout=60000)
    page.wait_for_timeout(700)  # the page script scrolls the question into view
