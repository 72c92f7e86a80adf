"""What jieba's base dictionary says about a word — is it a common word, is it tagged as a
name — and the characters that close or open a word in running text. The gazetteer's rules
(names.py, places.py) and the focus vocabulary (assistant.py) read it from here.
Leaves out: finding names.
"""

from __future__ import annotations

import re
from functools import lru_cache

PROPER_TAGS = frozenset({"nr", "ns", "nz", "nt", "nrt", "nrfg"})
# Characters that end the word before a name: punctuation is handled apart.
FUNCTION_CHARS = set("的在和与及以从到对把将是为了向由等或也都并被让给同跟")
# A stem starting with one of these is a determiner phrase, not a name: 各村, 本村, 该镇, 全区.
DETERMINERS = set("各本该我你他她全每这那此某其诸哪第")
CJK = re.compile(r"[\u4e00-\u9fff]")
FREQUENT = 100  # jieba's dictionary counts; the rare entries there are mostly names
# Counts of words so common they name a category, not a place: 乡村, 农村, 市区, 景区 (a place
# may end in 一村, 山村 or 新村, 150–400).
CATEGORY = 1000


@lru_cache(maxsize=1)
def base_dictionary() -> frozenset[str]:
    """The words of jieba's base dictionary, the common words of the language (its table also
    lists every prefix of a word, with frequency 0: 径山 as the start of 径山寺; not words)."""
    import jieba

    jieba.setLogLevel(60)
    jieba.dt.initialize()
    return frozenset(w for w, freq in jieba.dt.FREQ.items() if freq > 0)


def frequent(word: str, at_least: int = FREQUENT) -> bool:
    """Whether `word` is in common use by jieba's base dictionary counts (`at_least` or more):
    城乡, 乡镇, 小镇, 乡土 are; 瓜沥镇 and 石镇 (a rare entry, a name) are not."""
    import jieba

    base_dictionary()  # loads jieba's table once
    return jieba.dt.FREQ.get(word, 0) >= at_least


def tag(word: str) -> str:
    """jieba's base part-of-speech tag of `word`, or ""."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab.get(word, "")


def proper(word: str) -> bool:
    """Whether jieba's base dictionary tags `word` as a proper name (nr, ns, nz, nt…)."""
    return tag(word) in PROPER_TAGS


def verb_phrase(text: str) -> bool:
    """Whether `text` is made of verbs alone in jieba's base dictionary ("引进来" = 引进 + 来,
    "走出去"): a quoted slogan's action, not the name of a thing.

    >>> verb_phrase("引进来"), verb_phrase("走出去"), verb_phrase("沥家园"), verb_phrase("积分超市")
    (True, True, False, False)
    """
    parts = words(text)
    return bool(parts) and all(tag(part).startswith("v") for part in parts)


def words(text: str) -> list[str]:
    """`text` cut by jieba's base dictionary alone (no guessing of unknown words)."""
    import jieba

    return jieba.dt.lcut(text, HMM=False)


def common(word: str, base) -> bool:
    """A common word of the language: two characters or more, in the base dictionary, not
    tagged as a name there."""
    return len(word) >= 2 and word in base and not proper(word)


def place_like(word: str, base) -> bool:
    """A word that may name a place: tagged as a name by jieba's base dictionary (安吉), or
    unknown to it (瓜沥) and not opening with a common word (打造通, 依托青石); never a common
    word itself (学习, 号召)."""
    if set(word) & DETERMINERS or word[0] in FUNCTION_CHARS or word[-1] in FUNCTION_CHARS:
        return False
    if word in base:
        return proper(word)
    return not common(words(word)[0], base)
