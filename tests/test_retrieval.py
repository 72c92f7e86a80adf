"""Retrieval and first answers with the real model on the real corpus."""

from __future__ import annotations

import pytest

CASES = [
    ("五四村是如何筹集资金的？", "30亩土地折价入股"),
    ("梅林村在数字乡村建设方面有哪些做法？", "沥家园"),
    ("民政部门在养老服务方面有什么打算？", "普惠型养老服务"),
    ("刘家塘村的“五众”工作法是什么？", "大事众人定"),
    ("横一村有多少棵柿子树？", "1500多棵"),
    ("一个欠了很多债的穷村子后来怎么变富的？", "负债三十多万"),
]


@pytest.mark.parametrize("question,expected", CASES)
def test_expected_passage_in_top_3(assistant, question, expected):
    hits = assistant.search(question, k=3).hits
    assert any(expected in h.chunk.text for h in hits), [h.chunk.text[:40] for h in hits]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_modes_return_ranked_hits(assistant, mode):
    result = assistant.search("何斯路村的功德银行", k=5, mode=mode)
    assert result.mode == mode
    assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))
    assert 0 < len(result.hits) <= 5
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_unknown_mode_lists_allowed(assistant):
    with pytest.raises(ValueError, match="hybrid、dense、bm25"):
        assistant.search("余村", mode="magic")


def test_answer_quotes_whole_sentences_with_markers(assistant):
    answer = assistant.ask("五四村是如何筹集资金的？")
    assert answer.answerable
    assert "30亩" in answer.answer and "9%" in answer.answer
    assert "德清县莫干山生态旅游发展有限公司" in answer.answer
    numbers = {c.n for c in answer.citations}
    markers = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", answer.answer)}
    assert markers == numbers == set(range(1, len(numbers) + 1))
    source = assistant.index.sources["essays.txt"]
    for c in answer.citations:
        for start, end in c.quote_spans:
            assert source[start:end].strip() in c.hit.chunk.text
    cited = {c.hit.chunk.chunk_id for c in answer.citations}
    assert not cited & {h.chunk.chunk_id for h in answer.related}


def test_empty_question_is_refused(assistant):
    from rag.assistant import QuestionError

    with pytest.raises(QuestionError):
        assistant.ask(" \t\n ")


def test_a_small_collection_in_a_large_corpus_still_gets_k_hits(assistant, monkeypatch):
    """On the candidate path (large corpora), a collection the candidates barely reach is scored
    whole rather than answered with fewer than k hits; its ranking is that of the whole
    collection scored the same way."""
    import numpy as np

    from rag import retrieve

    monkeypatch.setattr(retrieve, "CANDIDATES", 3)  # as if the corpus were far larger than the candidates
    retriever = retrieve.Retriever(assistant.index, assistant.settings, exact_limit=0)
    _, _, vector, tokens = assistant.query("五四村是如何筹集资金的？")
    everywhere = [h.row for h in retriever.search(vector, tokens, 10, "hybrid")]
    small = [r for r in range(len(assistant.index.chunks)) if r not in everywhere][:6]
    retriever.collections = np.where(np.isin(np.arange(retriever.n), small), "小", "大").astype(object)
    hits = retriever.search(vector, tokens, 5, "hybrid", collection="小")
    assert len(hits) == 5 and {h.row for h in hits} <= set(small)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("question,author,at_least", [
    ("乡长学到了哪些经验？", "乡党委副书记、乡长", 3), ("农业农村局局长怎么评价这次培训？", "区农业农村局局长", 2),
])
def test_a_question_naming_an_essays_author_ranks_that_essays_passages_up(assistant, question, author, at_least):
    """"乡长", "农业农村局局长": the author line of one essay (without the bonus, the top 3 hold
    one passage of it and none)."""
    (essay,) = [e.number for e in assistant.index.essays if e.author == author]
    hits = assistant.search(question, k=3).hits
    assert sum(h.chunk.essay == essay for h in hits) >= at_least
    # A role several different authors share names no one, unless said in the plural; one author
    # line shared by three essays names the three.
    assert assistant.authors_named("有位局长怎么看？") == set()
    assert len(assistant.authors_named("村书记们怎么看？")) == 3
    bureau_chiefs = {e.number for e in assistant.index.essays if e.author.endswith("局长")}
    assert assistant.authors_named("局长们怎么看？") == bureau_chiefs and len(bureau_chiefs) == 3
    # An essay named by a quoted part of its title; a village secretary by the title of hers.
    (pioneer,) = [e.number for e in assistant.index.essays if "开路先锋" in e.title]
    assert assistant.authors_named("题目里有“开路先锋”的那篇写了什么？") == {pioneer}
    (scroll,) = [e.number for e in assistant.index.essays if "画卷" in e.title]
    assert assistant.authors_named(assistant.parse("标题带“画卷”的那位村支书有什么打算？")[0]) == {scroll}
    # A role asked of something the question names is that thing's, not an essay's author.
    assert assistant.authors_named(assistant.parse("余村现在的村党支部书记是谁？")[0]) == set()


def _hit(row: int, essay: int, score: float, source: str = "essays.txt"):
    from rag.schema import Chunk, Hit

    chunk = Chunk(f"c{row}", essay, "题", "", "题", 0, 1, "文", source)
    return Hit(row + 1, score, chunk, row)


def _answer_citing(hit):
    from rag.schema import Answer, Citation

    return Answer("问", "答[1]。", True, [Citation(1, hit, "答", ((0, 1),))], [])


def test_the_passage_an_answer_quotes_first_moves_up_from_second_place_within_its_essay():
    from rag.assistant import answer_first

    hits = [_hit(0, 3, 0.9), _hit(1, 3, 0.8), _hit(2, 3, 0.7)]
    moved = answer_first(hits, _answer_citing(hits[1]))
    assert [h.row for h in moved] == [1, 0, 2]
    assert [h.rank for h in moved] == [1, 2, 3] and [h.score for h in moved] == [0.9, 0.8, 0.7]


def test_no_move_from_another_essay_from_deeper_down_or_without_an_answer():
    from rag.assistant import answer_first
    from rag.schema import Answer

    other = [_hit(0, 3, 0.9), _hit(1, 4, 0.8)]
    assert answer_first(other, _answer_citing(other[1])) == other
    deep = [_hit(0, 3, 0.9), _hit(1, 3, 0.8), _hit(2, 3, 0.7)]
    assert answer_first(deep, _answer_citing(deep[2])) == deep
    assert answer_first(deep, Answer("问", "资料中未找到。", False, [], deep)) == deep


def test_a_list_opening_on_its_lead_in_brings_its_first_item_passage_up():
    """"…做到以下几点:" announces; the items say what is listed. The passage of the first quoted
    item within the top LIST_ITEM_DEPTH moves up, from deeper than a first quote may, within the
    top passage's essay."""
    from rag.assistant import LIST_ITEM_DEPTH, answer_first
    from rag.schema import Answer, Citation

    def listing(lead_in, *items):
        quotes = [(lead_in, "要做到以下几点:")] + [(hit, f"{n}.坚持规划引领。") for n, hit in enumerate(items, 1)]
        citations = [Citation(n, hit, quote, ((0, 1),)) for n, (hit, quote) in enumerate(quotes, 1)]
        return Answer("问", "…", True, citations, [])

    hits = [_hit(row, 3, 1 - row / 10) for row in range(LIST_ITEM_DEPTH)]
    moved = answer_first(hits, listing(hits[0], hits[7], hits[4]))
    assert [h.row for h in moved][:3] == [7, 0, 1] and [h.score for h in moved] == [h.score for h in hits]
    beyond = [*hits, _hit(LIST_ITEM_DEPTH, 3, 0.0)]  # the first item ranks too deep: the next one moves
    assert [h.row for h in answer_first(beyond, listing(beyond[0], beyond[-1], beyond[4]))][:2] == [4, 0]
    # An opening that is no lead-in keeps the first quote's rule (depth 2); another essay moves nothing.
    plain = Answer("问", "…", True, [Citation(1, hits[0], "村里修了路。", ((0, 1),)),
                                     Citation(2, hits[4], "又建了桥。", ((0, 1),))], [])
    assert answer_first(hits, plain) == hits
    elsewhere = [hits[0], _hit(1, 5, 0.8), *hits[2:]]
    assert answer_first(elsewhere, listing(elsewhere[0], elsewhere[1])) == elsewhere


def test_hybrid_search_differs_from_the_fused_ranking_only_by_the_answers_first_passage(assistant):
    """The second stage runs in hybrid search only; the dense and BM25 baselines stay as ranked."""
    for question, _ in CASES:
        fused = assistant.retriever.search(*assistant.query(question)[2:], 5, "hybrid", None,
                                           assistant.authors_named(assistant.parse(question)[0]))
        first = assistant.ask(question).citations[0].hit.row
        hits = assistant.search(question, k=5).hits
        if fused[1].row == first and fused[1].chunk.essay == fused[0].chunk.essay:
            assert hits[0].row == first
        else:
            assert [h.row for h in hits] == [h.row for h in fused]
    dense = assistant.search(CASES[0][0], k=5, mode="dense").hits
    assert [h.score for h in dense] == sorted((h.score for h in dense), reverse=True)


def _unit(vectors):
    import numpy as np

    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def test_the_hybrid_dense_half_is_the_cosine_of_centred_vectors_on_both_paths(assistant):
    """The corpus's mean vector subtracted from the question's and every text's, then cosines:
    computed from the raw cosines on the exact path and on the candidate path (large corpora),
    equal to doing it by hand."""
    import numpy as np

    from rag import retrieve

    index, exact = assistant.index, assistant.retriever
    _, _, vector, _ = assistant.query("村里怎么留住年轻人？")
    centre = index.vector_centre
    chunks = _unit(index.dense.reconstruct_batch(np.arange(exact.n)) - centre)
    chunk_of, sentence_of = index.membership
    sentences = _unit(index.sentence_vectors[sentence_of] - centre)
    query = _unit(vector - centre)
    best = np.full(exact.n, -1.0)
    np.maximum.at(best, chunk_of, sentences @ query)
    w = assistant.settings.sentence_weight
    by_hand = np.where(best > -1.0, (1 - w) * (chunks @ query) + w * best, chunks @ query)
    assert np.allclose(exact.dense_scores(vector, centred=True), by_hand, atol=1e-5)
    assert not np.allclose(exact.dense_scores(vector), by_hand, atol=1e-2)  # raw cosines differ
    rows = np.arange(0, exact.n, 3)
    candidates = retrieve.Retriever(index, assistant.settings, exact_limit=0)
    assert np.allclose(candidates.candidate_dense_scores(vector, rows, centred=True), by_hand[rows], atol=1e-5)


def test_centring_makes_passages_less_often_everyones_nearest(assistant):
    """Every essay is about the same programme, so raw vectors crowd together (mean cosine
    between chunks above 0.8) and a few generic passages are the nearest passage of many
    sentences (hubs). After centring, the count of sentences whose nearest passage (outside
    their own essay) is a given passage is less skewed."""
    import numpy as np

    index = assistant.index
    chunks = index.dense.reconstruct_batch(np.arange(len(index.chunks)))
    sentences = index.sentence_vectors
    essay_of_sentence = np.array([index.chunks[c].essay for c in index.membership[0]])
    sentence_rows = index.membership[1]
    chunk_essays = np.array([c.essay for c in index.chunks])

    def skewness(chunk_vectors, sentence_vectors):
        cosines = sentence_vectors[sentence_rows] @ chunk_vectors.T
        cosines[essay_of_sentence[:, None] == chunk_essays[None, :]] = -9
        counts = np.bincount(cosines.argmax(axis=1), minlength=len(chunk_vectors)).astype(float)
        return float(((counts - counts.mean()) ** 3).mean() / counts.std() ** 3)

    assert float((chunks @ chunks.T).mean()) > 0.8
    centre = index.vector_centre
    raw, centred = skewness(chunks, sentences), skewness(_unit(chunks - centre), _unit(sentences - centre))
    assert centred < raw - 0.3, (raw, centred)
