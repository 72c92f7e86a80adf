"""Settings for every stage, in one dataclass.

Environment variables (`RAG_*`) are read here and nowhere else; CLI flags override them
by passing keyword arguments to `Settings.from_env`. Leaves out: any file-based config.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODES = ("hybrid", "dense", "bm25")
VECTOR_INDEXES = ("auto", "flat", "hnsw")
STORES = ("local", "milvus")
BUNDLED_MODEL = "m3e-small"


_CONVERTERS = {"Path": Path, "int": int, "float": float}


class SettingsError(ValueError):
    """A setting from the environment or the command line is invalid (Chinese message)."""


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return `value` if allowed, else raise SettingsError naming the setting and the choices.

    >>> check_choice("mode", "bm25", MODES)
    'bm25'
    >>> try:
    ...     check_choice("mode", "magic", MODES)
    ... except SettingsError as exc:
    ...     print(exc)
    设置 mode（环境变量 RAG_MODE）的值 'magic' 无效，可选：hybrid、dense、bm25
    """
    if value not in allowed:
        raise SettingsError(f"{_setting(name)}的值 {value!r} 无效，可选：{'、'.join(allowed)}")
    return value


def _setting(name: str) -> str:
    """How a person sets `name`: "设置 mode（环境变量 RAG_MODE）"."""
    return f"设置 {name}（环境变量 {ENV[name]}）" if name in ENV else f"设置 {name}"


def _env(variable: str, meaning: str, shown: str = "", **options):
    """A setting a person may give as the environment variable `variable` (and a CLI flag where
    there is one); `meaning` and `shown` (the default as shown, if not the value) feed the README."""
    return field(metadata={"env": variable, "help": meaning, "shown": shown}, **options)


@dataclass(frozen=True)
class Settings:
    # The folder, not the compilation in it: the index is the same ("essays.txt" either way), and
    # essays added from the UI's 资料管理 tab land beside it.
    corpus: Path = _env("RAG_CORPUS", "corpus file or folder", "`corpus/` (holding `essays.txt`)",
                        default=PROJECT_ROOT / "corpus")
    index_dir: Path = _env("RAG_INDEX_DIR", "where the index lives", "`index/`", default=PROJECT_ROOT / "index")
    embed_model: str | None = _env("RAG_EMBED_MODEL", "any sentence-transformers model name or local folder",
                                   f"bundled {BUNDLED_MODEL}", default=None)
    chunk_size: int = _env("RAG_CHUNK_SIZE", "chunk size limit in characters", default=350)
    k: int = 10
    mode: str = _env("RAG_MODE", "default retrieval mode: hybrid, dense or bm25", default="hybrid")
    # Dense score of a chunk: (1 - w) * chunk cosine + w * best sentence cosine.
    sentence_weight: float = 0.5
    vector_index: str = _env("RAG_VECTOR_INDEX", "FAISS index: `auto` is exact (flat) below rag.build.HNSW_FROM "
                             "chunks and HNSW above; `flat`, `hnsw`", default="auto")
    adapt: str = _env("RAG_ADAPT", "fine-tune the embedding model on the corpus at index time (`rag index --adapt`; "
                      "inverse cloze, in-batch negatives, seed 0, ~40 s on the essays; weights kept in the index and "
                      "recorded in its manifest): `1`, `0`, or `auto` = off, since it did not improve both "
                      "evaluation splits (eval/NOTES.md)", default="auto")
    store: str = _env("RAG_STORE", "where the index lives: `local` (files in RAG_INDEX_DIR: FAISS + bm25s) or "
                      "`milvus` (RAG_MILVUS_URI; rag/milvus_store.py)", default="local")
    milvus_uri: str = _env("RAG_MILVUS_URI", "Milvus: a file path (Milvus Lite, embedded) or `http://host:19530` "
                           "(a Milvus server or cluster)", "`index.milvus.db` beside RAG_INDEX_DIR", default="")
    milvus_token: str = _env("RAG_MILVUS_TOKEN", "Milvus credentials (`user:password` or an API key)", "none",
                             default="", repr=False)
    milvus_collection: str = _env("RAG_MILVUS_COLLECTION", "the alias the index is served under in Milvus; each "
                                  "build writes new collections, then moves it", default="rag_essays")
    llm_base_url: str | None = _env("RAG_LLM_BASE_URL", "an OpenAI-compatible server for LLM answers "
                                    "(extractive answers when unset)", "off", default=None)
    llm_model: str = _env("RAG_LLM_MODEL", "the LLM's model name", default="qwen2.5:7b-instruct")
    llm_api_key: str = _env("RAG_LLM_API_KEY", "the LLM server's key", "none", default="", repr=False)
    llm_timeout: float = _env("RAG_LLM_TIMEOUT", "seconds to wait for the LLM", default=30.0)
    llm_passages: int = 5
    host: str = _env("RAG_HOST", "where the UI listens (`rag serve --host`)", default="127.0.0.1")
    port: int = _env("RAG_PORT", "the UI's port (`rag serve --port`)", default=7860)
    auth: str | None = _env("RAG_AUTH", "`user:password` login for the UI", "none", default=None, repr=False)

    def __post_init__(self) -> None:
        check_choice("mode", self.mode, MODES)
        check_choice("vector_index", self.vector_index, VECTOR_INDEXES)
        check_choice("adapt", self.adapt, ("auto", "0", "1"))
        check_choice("store", self.store, STORES)
        if self.chunk_size < 50:
            raise SettingsError(f"{_setting('chunk_size')}至少为 50 个字符，现为 {self.chunk_size}")
        if self.k < 1:
            raise SettingsError(f"{_setting('k')}必须是正整数，现为 {self.k}")
        if not 0 < self.port < 65536:
            raise SettingsError(f"端口无效：{self.port}")
        if self.auth is not None and ":" not in self.auth:
            raise SettingsError("RAG_AUTH 的格式应为 用户名:密码")
        if self.llm_timeout <= 0:
            raise SettingsError(f"{_setting('llm_timeout')}必须大于 0，现为 {self.llm_timeout}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then `RAG_*` variables, then explicit overrides (CLI flags)."""
        env = os.environ if env is None else env
        values: dict = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, var in ENV.items():
            convert = _CONVERTERS.get(types[name], str)
            if env.get(var):
                try:
                    values[name] = convert(env[var])
                except ValueError:
                    raise SettingsError(f"环境变量 {var} 的值无效：{env[var]!r}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; allowed: {sorted(known)}")
        return cls(**values)

    @property
    def auth_pair(self) -> tuple[str, str] | None:
        if not self.auth:
            return None
        user, _, password = self.auth.partition(":")
        return user, password

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


# The settings a person may set from the environment, by field name (from the fields above).
ENV = {f.name: f.metadata["env"] for f in fields(Settings) if "env" in f.metadata}


def settings_table() -> str:
    """The README's table of environment variables, generated from the fields."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    for f in fields(Settings):
        if "env" in f.metadata:
            shown = f.metadata["shown"] or f"`{f.default}`"
            rows.append(f"| `{f.metadata['env']}` | {f.metadata['help']} | {shown} |")
    return "\n".join(rows)

