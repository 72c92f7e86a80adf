"""Shared fixtures: the real corpus, the real model and one real index built per session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "essays.txt"


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
