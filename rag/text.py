"""Text normalisation and the jieba tokenizer used by BM25 and by term-overlap scoring.

`normalize` makes user input safe and comparable: NFKC (full-width → ASCII punctuation,
as the corpus writes it), control and invisible format characters and lone surrogates
removed, blanks folded.
`Tokenizer` cuts with jieba plus a user dictionary (a small file under rag/ and the quoted
names found in the corpus), drops punctuation, blanks and function words.
Leaves out: traditional→simplified conversion and synonyms.
"""

from __future__ import annotations

import functools
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable

USER_DICT = Path(__file__).with_name("userdict.txt")
# Characters of written Chinese that several stages read, defined here once.
SENTENCE_END = "。！？；!?;"  # what closes a sentence; "…" may close one too or trail off
ORDINALS = "一二三四五六七八九十"  # the numerals of ordinal markers: 一、 (二) 三是 四要
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"  # every Chinese numeral character
_CN_VALUE = {c: i for i, c in enumerate("零" + ORDINALS)} | {"两": 2}
# Question and function words: they carry no topic, and BM25 would reward chunks for them.
STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 也 都 就 而 又 并 把 被 对 从 向 为 以 于 之 其 这 那 该 此 有 没有 无
    吗 呢 吧 啊 呀 么 什么 哪些 哪个 哪几个 哪里 哪 怎么 怎样 怎么样 如何 为什么 为何 多少 几 几个
    是否 是不是 有没有 能否 可以 一些 一下 方面 关于 请问 请 谁 我 我们 你 你们 他 他们 它 它们 她
    这些 那些 这个 那个 这样 那样 做法 有何 哪方面 进行 通过 中""".split()
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_WORD = re.compile(r"[\w]", re.UNICODE)
WORD_STARTS_CACHE = 8192  # sentences whose word boundaries are kept (a few corpora's worth of the essays)
QUOTED = re.compile(r"[“\"《]([^“”\"《》,，。！？；:：、\s]{2,10})[”\"》]")


def normalize(text: str) -> str:
    """Clean user text: NFKC, no control characters or lone surrogates, blanks folded.

    >>> normalize("  五四村，\\x00如何 \\n 筹资？ ")
    '五四村,如何 筹资?'
    """
    return tidy(unicodedata.normalize("NFKC", tidy(text)))


def tidy(text: str) -> str:
    """User text as typed, only made safe: no control or invisible format characters, no lone
    surrogates, blanks folded; full-width punctuation kept (what the chat shows and exports).

    >>> tidy("  五四村   如何筹资？ ")
    '五四村 如何筹资？'
    """
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text
    text = _CONTROL.sub("", text)
    # Invisible format characters (zero-width spaces, direction overrides) carry no words.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", " ", text).strip()


def shorten(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and "……" when longer (a long question echoed).

    >>> shorten("五四村是如何筹集资金的", 5)
    '五四村是如……'
    """
    return text if len(text) <= limit else text[:limit] + "……"


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def corpus_terms(texts: Iterable[str]) -> list[str]:
    """Names the corpus marks itself: quoted terms and 《titles》 of 2–10 characters.

    >>> corpus_terms(["以“四好农村路”建设为重点"])
    ['四好农村路']
    """
    found = set()
    for text in texts:
        found.update(m.group(1) for m in QUOTED.finditer(text))
    return sorted(found)


def read_user_dict(path: Path = USER_DICT) -> list[str]:
    """Dictionary entries, each `word` or `word tag`, comments and blank lines dropped."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = " ".join(line.split("#", 1)[0].split())
        if entry:
            words.append(entry)
    return words


def cn_number(text: str) -> int | None:
    """The value of a small Chinese or Arabic numeral (up to 99).

    >>> cn_number("三"), cn_number("十二"), cn_number("12"), cn_number("二十"), cn_number("两")
    (3, 12, 12, 20, 2)
    """
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_VALUE for c in text):
        return None
    if "十" not in text:
        return _CN_VALUE[text[0]] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_CN_VALUE.get(tens, 1) if tens else 1) * 10 + (_CN_VALUE.get(ones, 0) if ones else 0)


def regroup_interrogatives(words: list[str], dictionary) -> list[str]:
    """jieba reads "什么样本" as 什么样 | 本; when the character after 什么样 makes a word with
    样 (样本, 样品), the question says 什么 | 样本.

    >>> regroup_interrogatives(["用", "的", "是", "什么样", "本"], {"样本": 10})
    ['用', '的', '是', '什么', '样本']
    >>> regroup_interrogatives(["什么样", "的"], {"样本": 10})
    ['什么样', '的']
    """
    out: list[str] = []
    for word in words:
        if out and out[-1] == "什么样" and len(word) == 1 and dictionary.get("样" + word):
            out[-1:] = ["什么", "样" + word]
        else:
            out.append(word)
    return out


class Tokenizer:
    """jieba with our dictionary; `tokenize` returns content words only.

    Uses its own `jieba.Tokenizer` so that loading our words never changes the global one.
    """

    def __init__(self, words: Iterable[str] = (), cache_dir: Path | None = None) -> None:
        import jieba

        jieba.setLogLevel(60)
        if not jieba.dt.initialized:
            jieba.dt.tmp_dir = str(cache_dir or tempfile.gettempdir())
            jieba.dt.initialize()
        self._jieba = jieba.Tokenizer()
        # The base table is the same for every tokenizer: a copy of the process's (loaded once;
        # rag.lexicon reads it too) instead of unmarshalling it again, 0.6 s of every start.
        self._jieba.FREQ, self._jieba.total = dict(jieba.dt.FREQ), jieba.dt.total
        self._jieba.initialized = True
        entries = sorted(set(words))
        self.words = sorted({e.split(" ")[0] for e in entries})
        self.people = frozenset(e.split(" ")[0] for e in entries if e.endswith(" nr"))
        self.places = frozenset(e.split(" ")[0] for e in entries if e.endswith(" ns"))
        # Names with a numeral in them (“千万工程”, 五四村): their numerals state no value.
        self.numbered = tuple(w for w in self.words if len(w) >= 3 and any(c.isdigit() or c in CN_DIGITS for c in w))
        for entry in entries:
            word, _, tag = entry.partition(" ")
            # A high frequency makes jieba keep the name whole even inside longer runs.
            self._jieba.add_word(word, freq=100000, tag=tag or None)
        self._posseg = None
        # Bounded: a server over a large corpus reads new sentences for as long as it runs.
        self.word_starts = functools.lru_cache(maxsize=WORD_STARTS_CACHE)(self._word_starts)

    def tokenize(self, text: str) -> list[str]:
        """Lower-cased content tokens of `text`, in order, search-engine granularity.

        Compound names come out whole and as their parts (a listed 青石合作社 → 青石, 合作社 and
        青石合作社), so a question using either form matches.
        """
        text = normalize(text).lower()
        words = regroup_interrogatives(list(self._jieba.cut_for_search(text)), self._jieba.FREQ)
        return [t for t in words if t.strip() and _WORD.search(t) and t not in STOPWORDS]

    def _word_starts(self, text: str) -> frozenset[int]:
        """The offsets in `text` at which a word begins (jieba's precise cut, our dictionary's words
        whole); `word_starts` caches it, as the answer reads the same sentences for every kind of
        value."""
        offsets, pos = [], 0
        for word in self._jieba.cut(text):
            offsets.append(pos)
            pos += len(word)
        return frozenset(offsets)

    def tagged(self, text: str):
        """jieba's (word, flag) pairs for `text`, with our dictionary's tags; slower than `tokenize`."""
        if self._posseg is None:
            import jieba.posseg

            self._posseg = jieba.posseg.POSTokenizer(self._jieba)
        return self._posseg.cut(text)

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.tokenize(t) for t in texts]
