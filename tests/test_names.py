"""The gazetteer derived from the text (rag/names.py): on the essays against lists counted by
hand, on a small corpus written here, and on the CMRC 2018 trial paragraphs when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from rag.names import Gazetteer, build_gazetteer

# Counted by hand from corpus/essays.txt: every village the essays name, and the three that
# rag/userdict.txt lists because no rule can tell them from ordinary words (see its comments).
ESSAY_VILLAGES = {"五四村", "何斯路村", "余村", "横一村", "梅林村", "小古城村", "径山村", "刘家塘村", "桥沟村",
                  "东掌村", "西申家庄村", "南呈村", "永丰村", "振兴村"}
LISTED_BY_HAND = {"南呈村", "永丰村", "振兴村"}
ESSAY_PEOPLE = {"何允辉", "任强军", "傅临产", "沈伟桥", "杜英森", "梁雪松"}
CMRC = ROOT.parent / "shared" / "cmrc2018" / "cmrc2018_trial.json"


@pytest.fixture(scope="module")
def essays_gazetteer(corpus):
    from rag.text import corpus_terms

    return build_gazetteer(corpus.texts, corpus_terms(corpus.texts.values()))


def _fragments(gazetteer: Gazetteer, texts: dict[str, str]) -> list[str]:
    """Places never seen outside a longer place of the same gazetteer (掌村 inside 东掌村)."""
    places = [n.name for n in gazetteer.of_kind("place")]
    out = []
    for name in places:
        longer = [p for p in places if p != name and p.endswith(name)]
        alone = sum(t.count(name) for t in texts.values()) - sum(t.count(p) for t in texts.values() for p in longer)
        if longer and alone <= 0:
            out.append(name)
    return out


def test_essay_villages_people_and_aliases_are_found_in_the_text(essays_gazetteer, corpus):
    places = {n.name: n for n in essays_gazetteer.of_kind("place")}
    villages = {n for n in places if n.endswith("村")}
    assert villages == ESSAY_VILLAGES - LISTED_BY_HAND  # nothing more: no 掌村, 古城村, 精品示范村
    assert {n.name for n in essays_gazetteer.of_kind("person")} == ESSAY_PEOPLE
    assert "何斯路" in places["何斯路村"].aliases and "梅村" in places["梅林村"].aliases
    assert {"安吉", "余杭"} <= set(places)  # places that qualify two villages each
    # Counties and cities jieba's dictionary knows, the bare stem as an alias.
    assert places["德清县"].aliases == ["德清"] and places["杭州市"].aliases == ["杭州"]
    assert "安吉县" in places["安吉"].aliases
    assert not _fragments(essays_gazetteer, corpus.texts)
    for name in essays_gazetteer.names:  # where and how each was found
        source, offset = name.first
        assert corpus.texts[source][offset : offset + len(name.name)] == name.name and name.how


def test_the_hand_list_holds_only_what_no_rule_derives(essays_gazetteer):
    from rag.text import read_user_dict

    derived = {s for n in essays_gazetteer.names for s in (n.name, *n.aliases)}
    listed = {entry.split(" ")[0] for entry in read_user_dict()}
    assert not listed & derived
    assert all("#" in line for line in (ROOT / "rag" / "userdict.txt").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#"))  # every entry says why


def test_names_on_a_corpus_written_here():
    texts = {"a.txt": "我们来到青石镇白沙村。白沙村的书记王建国介绍了经验。在白沙村，村民种植茶叶。"
                      "随后参观了红枫村，红枫村的合作社很有名。王建国书记说，要把乡村建设好。",
             "b.txt": "青石镇红枫村和白沙村都在山区。李明老师讲到，各村要因地制宜，全村上下一条心。"
                      "3个示范村已经建成，示范村的经验值得推广。"}
    g = build_gazetteer(texts)
    places = {n.name for n in g.of_kind("place")}
    assert {"白沙村", "红枫村"} <= places
    assert not places & {"沙村", "枫村", "各村", "全村", "示范村", "乡村", "山区"}
    assert {n.name for n in g.of_kind("person")} == {"王建国", "李明"}


def test_administrative_places_jieba_knows():
    g = build_gazetteer({"a.txt": "我们从杭州市出发，来到德清县。德清的茶很有名。山区和新区都在搞建设。"})
    places = {n.name: n for n in g.of_kind("place")}
    assert set(places) == {"杭州市", "德清县"}  # not 山区, 新区: a stem of one character
    assert places["德清县"].aliases == ["德清"] and places["杭州市"].aliases == []  # 杭州 never alone


def test_the_index_stores_the_gazetteer(built_index):
    folder = Path(built_index.index_dir)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert "names.json" in manifest["files"]
    loaded = Gazetteer.load(folder / "names.json")
    assert ESSAY_VILLAGES - LISTED_BY_HAND <= {n.name for n in loaded.of_kind("place")}
    terms = (folder / "terms.txt").read_text(encoding="utf-8").split("\n")
    assert "何斯路村 ns" in terms and "何允辉 nr" in terms  # the tokenizer keeps them whole


@pytest.mark.skipif(not CMRC.exists(), reason="CMRC 2018 trial split not present")
def test_names_on_the_cmrc_trial_paragraphs_with_no_hand_list():
    from rag.squad import load_squad

    texts = {p.file: f"{p.title}\n{p.context}" for p in load_squad(CMRC).paragraphs}
    g = build_gazetteer(texts)
    places = {n.name for n in g.of_kind("place")}
    assert {"乍都节县", "大溪区", "徐水区"} <= places
    assert not _fragments(g, texts)
    assert not {p for p in places if p[0] in "的第各全该本" or p[:-1].isdigit()}
