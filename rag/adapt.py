"""Adapt the embedding model to a corpus at index time (`RAG_ADAPT`), from the corpus alone.

Pairs come from the text itself: each sentence of a passage against the rest of that passage
(inverse cloze: a question-like piece against the passage it came from) and a section heading
against its passage. The bundled model's weights are fine-tuned on them with in-batch negatives
(the MultipleNegativesRanking loss: cross-entropy over scaled cosines of a batch), in plain torch
on the same BERT the encoder runs (rag.embed.BertMeanPooling), deterministic under a seed (up to
float rounding: the BLAS may sum in a different order from one run to the next). The
adapted weights are written into the index (`adapted_model/`) and the manifest records how.

Off by default, and `auto` means off: on this corpus and the CMRC 2018 trial split adaptation
did not improve both evaluation splits (eval/NOTES.md, issue 12), and it costs about 40 s.
Leaves out: models other than a BERT with mean pooling (they are indexed unadapted, with a
warning) and hard-negative mining.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from pathlib import Path

from rag.chunk import split_sentences
from rag.config import check_choice
from rag.schema import Chunk

ADAPT_CHOICES = ("auto", "0", "1")
ADAPTED_FOLDER = "adapted_model"
SEED = 0
LEARNING_RATE = 1e-5
MAX_TOKENS = 128
BATCH = 32
EPOCHS = 1
SCALE = 20.0  # cosine → logit, as sentence-transformers' MultipleNegativesRankingLoss
MIN_SENTENCE = 15  # characters of a sentence used as a query
MAX_PAIRS = 480  # a larger corpus is sampled: the cost stays under a minute on two cores


def wanted(setting: str) -> bool:
    """Whether `RAG_ADAPT` asks for adaptation: "1" yes; "0" and "auto" (measured: no gain) no."""
    return check_choice("adapt", setting, ADAPT_CHOICES) == "1"


def training_pairs(chunks: list[Chunk], seed: int = SEED, limit: int = MAX_PAIRS) -> list[tuple[str, str]]:
    """(query, passage) pairs: every sentence of MIN_SENTENCE characters or more against the rest
    of its passage (heading path first), and the passage's own heading against it.

    >>> from rag.schema import Chunk
    >>> text = "全区新建道路十二条，总长三十公里。道路两旁种植行道树，设置错车道和安全护栏，方便村民和游客出行。"
    >>> c = Chunk("1-1", 1, "题", "作者", "题 › 一、道路建设", 0, len(text), text, "a")
    >>> [q for q, _ in training_pairs([c])]
    ['全区新建道路十二条，总长三十公里。', '一、道路建设']
    """
    pairs = []
    for chunk in chunks:
        text = chunk.text
        for start, end in split_sentences(text):
            sentence, rest = text[start:end].strip(), (text[:start] + text[end:]).strip()
            if len(sentence) >= MIN_SENTENCE and len(rest) >= 2 * MIN_SENTENCE:
                pairs.append((sentence, f"{chunk.heading}\n{rest}"))
        heading = chunk.heading.split(" › ")[-1]
        if len(heading) >= 4 and heading != chunk.title:
            pairs.append((heading, chunk.text))
    if len(pairs) > limit:
        pairs = random.Random(seed).sample(pairs, limit)
    return pairs


def adapt(model_folder: Path, chunks: list[Chunk], out: Path, seed: int = SEED, progress: bool = True) -> dict:
    """Fine-tune the model in `model_folder` on the corpus's pairs; write it to `out`; return
    what the manifest records. Raises ValueError for a model this module cannot train."""
    import torch

    from rag.embed import BertMeanPooling

    model_folder = Path(model_folder)
    if not BertMeanPooling.supports(model_folder):
        raise ValueError(f"只能适配 BERT 均值池化模型（{model_folder.name}）")
    previous = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)  # the same corpus and seed give the same weights
    try:
        return _train(model_folder, chunks, out, seed, progress)
    finally:
        torch.use_deterministic_algorithms(previous)


def _train(model_folder: Path, chunks: list[Chunk], out: Path, seed: int, progress: bool) -> dict:
    import torch
    from tqdm import tqdm

    from rag.embed import BertMeanPooling

    started = time.perf_counter()
    torch.manual_seed(seed)
    pairs = training_pairs(chunks, seed)
    order = random.Random(seed)
    bert = BertMeanPooling(model_folder)
    bert.tokenizer.enable_truncation(MAX_TOKENS)
    bert.w = {name: weight.clone().requires_grad_(True) for name, weight in bert.w.items()}
    optimiser = torch.optim.AdamW(bert.w.values(), lr=LEARNING_RATE, weight_decay=0.01)
    steps, losses = 0, []
    for _ in range(EPOCHS):
        order.shuffle(pairs)
        batches = range(0, len(pairs) - 1, BATCH)
        for start in tqdm(batches, desc="适配嵌入模型", disable=not progress):
            batch = pairs[start : start + BATCH]
            if len(batch) < 2:
                break
            queries, passages = _embed(bert, [q for q, _ in batch]), _embed(bert, [p for _, p in batch])
            loss = torch.nn.functional.cross_entropy(SCALE * queries @ passages.T, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            steps, losses = steps + 1, losses + [float(loss.detach())]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(model_folder, out, ignore=shutil.ignore_patterns("pytorch_model.bin", "*.safetensors"))
    torch.save({name: weight.detach().contiguous() for name, weight in bert.w.items()}, out / "pytorch_model.bin")
    return {
        "pairs": len(pairs), "steps": steps, "seed": seed, "learning_rate": LEARNING_RATE, "epochs": EPOCHS,
        "max_tokens": MAX_TOKENS, "first_loss": round(losses[0], 4) if losses else None,
        "last_loss": round(losses[-1], 4) if losses else None,
        "seconds": round(time.perf_counter() - started, 1),
        "weights_sha256": _digest(bert.w),
    }


def _digest(weights: dict) -> str:
    """SHA-256 of the weights' values, in name order (stable where a pickle's bytes may not be)."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        digest.update(name.encode())
        digest.update(weights[name].detach().numpy().tobytes())
    return digest.hexdigest()


def _embed(bert, texts: list[str]):
    import torch

    encodings = bert.tokenizer.encode_batch(texts)
    width = max(len(e.ids) for e in encodings)
    ids = torch.zeros((len(texts), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, e in enumerate(encodings):
        ids[row, : len(e.ids)] = torch.tensor(e.ids)
        mask[row, : len(e.ids)] = 1
    return torch.nn.functional.normalize(bert.forward(ids, mask), dim=-1)
