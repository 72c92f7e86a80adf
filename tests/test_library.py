"""资料管理: adding and removing essay files (rag/library.py), rebuilding from the UI while the chat
keeps answering (rag/ui_library.py), and the tab in a real browser with a login."""

from __future__ import annotations

import re
import shutil
import threading

import pytest
from conftest import CORPUS, ask_in, english_words, run_cli
from test_formats import BAD_FILES, DOCX_ESSAY, TXT_ESSAY, write_docx

from rag.corpus import CorpusError, corpus_files
from rag.library import REMOVED, add_file, clean_name, collections, remove_file
from rag.present import escape

FILE_NAME = re.compile(r"\.(txt|md|docx|pdf)\b")
NEW_QUESTION = "红岭村上线了什么？"  # answered only by TXT_ESSAY


def snapshot(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def folder(tmp_path):
    """A corpus folder with one essay, and a folder of uploads beside it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "数字.txt").write_text(TXT_ESSAY, encoding="utf-8")
    (tmp_path / "uploads").mkdir()
    return corpus


def upload(folder, name: str, text: str = TXT_ESSAY):
    path = folder.parent / "uploads" / "file.txt"
    path.write_text(text, encoding="utf-8")
    return path, name


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("name, message", [
    ("../逃逸.txt", "含有路径"), ("子目录/文章.txt", "含有路径"), ("..\\文章.txt", "含有路径"), ("..", "含有路径"),
    (".隐藏.txt", "隐藏文件"), ("~$草稿.txt", "Word 临时文件"), ("  ", "为空"),
])
def test_a_name_with_a_path_or_hidden_is_refused_and_nothing_is_written(folder, name, message):
    uploaded = upload(folder, name)
    before = snapshot(folder.parent)
    with pytest.raises(CorpusError) as refused:
        add_file(folder, *uploaded)
    assert f"“{name}”" in str(refused.value) and message in str(refused.value) and "未加入语料" in str(refused.value)
    assert snapshot(folder.parent) == before


def test_a_name_loses_unsafe_characters_and_keeps_its_suffix():
    assert clean_name('学习<体会>:"第一期"?.txt') == "学习体会第一期.txt"
    assert clean_name("长" * 300 + ".docx") == "长" * 95 + ".docx"


@pytest.mark.parametrize("name, write, message", BAD_FILES + [
    ("程序.exe", lambda p: p.write_bytes(b"MZ\x90\x00"), "格式不受支持"),
])
def test_a_bad_upload_is_refused_naming_it_and_the_corpus_is_untouched(folder, name, write, message):
    path = folder.parent / "uploads" / name
    write(path)
    before = snapshot(folder)
    with pytest.raises(CorpusError) as refused:
        add_file(folder, path, name)
    assert name in str(refused.value) and message in str(refused.value), refused.value
    assert str(refused.value).endswith("未加入语料")
    assert snapshot(folder) == before


def test_add_replace_and_remove_lose_nothing(folder):
    path, _ = upload(folder, "", TXT_ESSAY.replace("红岭村", "青山村"))
    added = add_file(folder, path, "新.txt")
    assert (added.source, added.essays, added.replaced) == ("新.txt", 1, False)
    assert (folder / "新.txt").read_bytes() == path.read_bytes()

    # Replacing a file keeps the old one aside.
    replaced = add_file(folder, *upload(folder, "数字.txt", TXT_ESSAY + "第二段。\n"))
    assert replaced.replaced and (folder / "数字.txt").read_text(encoding="utf-8").endswith("第二段。\n")
    assert [p.read_text(encoding="utf-8") for p in (folder / REMOVED).rglob("数字.txt")] == [TXT_ESSAY]

    # A Word file into a new collection.
    docx = folder.parent / "uploads" / "规划.docx"
    write_docx(docx, *DOCX_ESSAY)
    assert add_file(folder, docx, "规划.docx", "第二期").source == "第二期/规划.docx"
    assert collections(folder) == ["第二期"]
    assert [name for name, _ in corpus_files(folder)] == ["数字.txt", "新.txt", "第二期/规划.docx"]

    aside = remove_file(folder, "第二期/规划.docx")
    assert aside.read_bytes() == docx.read_bytes() and REMOVED in aside.parts
    assert [name for name, _ in corpus_files(folder)] == ["数字.txt", "新.txt"]  # .removed/ is not read
    with pytest.raises(CorpusError, match="没有文件“第二期/规划.docx”"):
        remove_file(folder, "第二期/规划.docx")
    with pytest.raises(CorpusError, match="没有文件"):
        remove_file(folder, "../corpus/数字.txt")


def test_a_single_file_corpus_is_not_managed(folder):
    with pytest.raises(CorpusError, match="单个文件"):
        add_file(folder / "数字.txt", *upload(folder, "新.txt"))


# ------------------------------------------------------------------ the tab's handlers


@pytest.fixture
def tab(tmp_path, built_index, encoder):
    """The 资料管理 handlers over a corpus folder holding the bundled essays, with a login, and
    a copy of the session's index (the same files, so it is not stale)."""
    from rag.assistant import Assistant
    from rag.config import Settings
    from rag.ui import ChatUI
    from rag.ui_library import LibraryUI

    folder = tmp_path / "心得"
    folder.mkdir()
    shutil.copy(CORPUS, folder / "essays.txt")
    (tmp_path / "uploads").mkdir()
    shutil.copytree(built_index.index_dir, tmp_path / "index")
    settings = Settings(corpus=folder, index_dir=tmp_path / "index", auth="trainer:secret")
    return LibraryUI(ChatUI(Assistant.load(settings, rebuild=False, encoder=encoder)))


def cited_files(ui, question: str) -> set[str]:
    from rag.assistant import Conversation

    _, conversation, _ = ui.respond(question, Conversation(), "hybrid", 5)
    return {c.hit.chunk.source for c in conversation.turns[0][1].citations}


def test_an_upload_is_answered_from_after_the_rebuild(tab):
    path, _ = upload(tab.folder, "")
    message, emptied = tab.add([str(path.rename(path.with_name("数字.txt")))], "（顶层）")
    assert message == f"- 已加入 {escape('数字.txt')}：1 篇文章" and emptied is None
    assert "尚未重建" in tab.status() and "新增 1 篇" in tab.status()
    assert cited_files(tab.ui, NEW_QUESTION) <= {"essays.txt"}  # not indexed yet

    result, status, table, *_, essay_choices, essay_table = tab.rebuild(message)
    assert result.startswith(message) and "新增 1 篇，更新 0 篇，删除 0 篇，未变 1 篇" in result
    assert "尚未重建" not in status and table.count("\n") == 12
    last_row = f"| 11 | 数字乡村的启示 | 县大数据局干部 | （顶层） | {escape('数字.txt')} | "
    assert table.splitlines()[-1].startswith(last_row)
    assert "数字乡村的启示" in essay_table
    assert essay_choices["choices"][-1] == ("11. 数字乡村的启示（县大数据局干部）", 11)
    assert cited_files(tab.ui, NEW_QUESTION) == {"数字.txt"}
    assert tab.ui.index.manifest["encoded"] < 20  # only the new essay's texts

    assert f"已移除 {escape('数字.txt')}" in tab.remove("数字.txt")
    result, *_ = tab.rebuild()
    assert "删除 1 篇" in result and len(tab.ui.index.essays) == 10
    assert "索引已是最新" in tab.rebuild()[0]


def test_the_chat_answers_from_the_previous_index_while_rebuilding(tab):
    path, _ = upload(tab.folder, "")
    tab.add([str(path.rename(path.with_name("数字.txt")))], None)
    old = tab.ui.index
    encoding, answered, shares, during = threading.Event(), threading.Event(), [], []

    def progress(share, desc=None):
        shares.append(share)
        if desc.startswith("编码") and not encoding.is_set():
            encoding.set()
            answered.wait(timeout=120)  # the build waits here, mid-way, until the chat has answered

    builder = threading.Thread(target=lambda: during.append(tab.rebuild("", progress)))
    builder.start()
    assert encoding.wait(timeout=120)
    assert cited_files(tab.ui, NEW_QUESTION) <= {"essays.txt"} and tab.ui.index is old  # answered meanwhile
    answered.set()
    builder.join(timeout=120)
    assert "索引已更新" in during[0][0] and tab.ui.index is not old
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert cited_files(tab.ui, NEW_QUESTION) == {"数字.txt"}


def test_a_server_follows_a_build_made_by_another_process(tab):
    """`rag index` run beside a serving UI: the server notices the new build at its next look and
    loads it beside the questions it answers."""
    settings = tab.ui.assistant.settings
    old = tab.ui.index
    assert tab.ui.follow_builds(now=True) is None  # nothing new
    path, _ = upload(tab.folder, "")
    path.rename(tab.folder / "数字.txt")
    env = {"RAG_CORPUS": str(settings.corpus), "RAG_INDEX_DIR": str(settings.index_dir)}
    done = run_cli("index", "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    assert tab.ui.index is old and cited_files(tab.ui, NEW_QUESTION) <= {"essays.txt"}
    tab.ui.follow_builds(now=True).join(timeout=120)
    assert tab.ui.index is not old and len(tab.ui.index.essays) == 11
    assert cited_files(tab.ui, NEW_QUESTION) == {"数字.txt"}
    assert tab.ui.follow_builds(now=True) is None


def test_a_failed_rebuild_keeps_the_index_in_use(tab):
    old = tab.ui.index
    tab.remove("essays.txt")  # nothing left to index
    result, status, *_ = tab.rebuild()
    assert result.startswith("⚠️ 重建失败，仍使用原来的索引") and "没有可用的文章" in result
    assert tab.ui.index is old and "删除 1 篇" in status
    assert cited_files(tab.ui, "五四村是如何筹集资金的？") == {"essays.txt"}


def test_a_rebuild_into_an_unreachable_store_says_so_and_keeps_the_index(tab):
    old = tab.ui.index
    tab.ui.assistant.settings = tab.ui.assistant.settings.with_(store="milvus", milvus_uri="http://127.0.0.1:1")
    path, _ = upload(tab.folder, "")
    tab.add([str(path.rename(path.with_name("数字.txt")))], None)
    result, *_ = tab.rebuild()
    assert result.startswith("⚠️ 重建失败，仍使用原来的索引：" + escape("无法连接 Milvus（http://127.0.0.1:1）"))
    assert tab.ui.index is old


def test_the_tab_exists_only_with_a_login(assistant, tab):
    from rag.ui import build_demo

    def tabs(demo) -> list[str]:
        return [c["props"].get("label") for c in demo.config["components"] if c["type"] == "tabitem"]

    assert "资料管理" not in tabs(build_demo(assistant))
    assert "资料管理" in tabs(build_demo(tab.ui.assistant, tab.ui))


# ------------------------------------------------------------------ a real browser, logged in


def test_upload_in_a_real_browser_with_a_login(tab, browser):
    from playwright.sync_api import expect

    from rag.ui import build_demo, free_port, launch

    demo = build_demo(tab.ui.assistant, tab.ui)
    _, url, _ = launch(demo, tab.ui.assistant, "127.0.0.1", free_port(), prevent_thread_lock=True,
                         quiet=True)
    try:
        good = tab.folder.parent / "uploads" / "数字.txt"
        good.write_text(TXT_ESSAY, encoding="utf-8")
        bad = tab.folder.parent / "uploads" / "旧编码.txt"
        bad.write_bytes("村庄规划".encode("gbk"))
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.goto(url)
        page.locator("input[type=password]").wait_for(timeout=30000)
        page.locator("input[type=text]").first.fill("trainer")
        page.locator("input[type=password]").fill("secret")
        page.locator("input[type=password]").press("Enter")
        page.get_by_role("tab", name="资料管理").click()
        expect(page.locator("#library-status")).to_contain_text("10 篇文章")
        page.locator("#library-upload input[type=file]").set_input_files([str(good), str(bad)])
        expect(page.locator("#library-upload").get_by_role("button", name="移除此文件")).to_have_count(2)
        page.locator("#library-add").click()
        result = page.locator("#library-result")
        expect(result).to_contain_text("索引已更新", timeout=120000)
        expect(result).to_contain_text("已加入 数字.txt：1 篇文章")
        expect(result).to_contain_text("旧编码.txt 不是 UTF-8")
        expect(page.locator("#library-table")).to_contain_text("数字乡村的启示")
        expect(page.locator("#library-status")).to_contain_text("11 篇文章")
        english = [w for w in english_words(page) if not FILE_NAME.search(w)]  # file names are the user's
        assert english == [], english
        assert sorted(p.name for p in tab.folder.iterdir()) == ["essays.txt", "数字.txt"]

        page.get_by_role("tab", name="问答").click()
        ask_in(page, NEW_QUESTION)
        expect(page.locator("#chat")).to_contain_text("《数字乡村的启示》")
        page.get_by_role("tab", name="文章").click()
        expect(page.locator("#essay-table")).to_contain_text("数字乡村的启示")
        page.context.close()
    finally:
        demo.close()
