"""The Gradio UI: handlers, the API through gradio_client, and a real browser (Debian chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, ask_in, english_words

XSS = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"]


@pytest.fixture(scope="module")
def ui(assistant):
    """The UI's handlers around the session's assistant (rag/ui.py)."""
    from rag.ui import ChatUI

    return ChatUI(assistant)


@pytest.fixture(scope="module")
def demo(assistant, ui):
    from rag.ui import build_demo

    return build_demo(assistant, ui)


@pytest.fixture(scope="module")
def served(assistant, demo):
    """The UI on a free port of 127.0.0.1, as `serve` launches it."""
    from rag.ui import free_port, launch

    _, url, _ = launch(demo, assistant, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    yield url
    demo.close()


def new():
    from rag.assistant import Conversation

    return Conversation()


# ------------------------------------------------------------------ handlers


def test_chat_handler_answers_with_citations_and_export(ui):
    messages, turns, export = ui.respond("五四村是如何筹集资金的？", new(), "hybrid", 10)
    assert len(turns.turns) == 1 and len(messages) == 2
    reply = messages[1]["content"]
    assert "30亩" in reply and "[1]" in reply and "引用" in reply
    assert "乡村振兴关键在“人”关键在“干”" in reply and "<mark>" in reply
    text = Path(export).read_text(encoding="utf-8")
    assert "## 问题 1：五四村是如何筹集资金的" in text
    assert "30亩" in text and "《乡村振兴关键在“人”关键在“干”》（镇党委书记）" in text
    assert "一、敢干为先,做乡村治理积极践行者" in text and "> " in text


def test_chat_handler_refuses_and_lists_possibly_related(ui):
    messages, turns, export = ui.respond("怎样办理护照？", new(), "hybrid", 10)
    assert "资料中未找到" in messages[1]["content"] and "可能相关" in messages[1]["content"]
    exported = Path(export).read_text(encoding="utf-8")
    assert "【未找到答案】资料中未找到" in exported and "可能相关" in exported


def test_follow_up_in_the_same_chat(ui):
    _, turns, _ = ui.respond("五四村是如何筹集资金的？", new(), "hybrid", 10)
    messages, turns, _ = ui.respond("那个公司由谁来经营？", turns, "hybrid", 10)
    # The questions are kept as typed: the full-width "？" is shown and exported as a full-width one.
    assert len(turns.turns) == 2 and turns.history == ["五四村是如何筹集资金的？", "那个公司由谁来经营？"]
    assert messages[2]["content"] == "那个公司由谁来经营？"
    assert "## 问题 2：那个公司由谁来经营？" in Path(ui.write_export(turns)).read_text(encoding="utf-8")
    assert "莫干山大酒店" in messages[3]["content"]
    assert ui.new_chat()[:2] == ([], new())


def test_empty_message_sends_nothing(ui):
    chat, pending = ui.show_question("   ", new())
    assert pending == "" and chat.get("__type__") == "update"  # unchanged
    outputs = ui.respond(pending, new(), "hybrid", 10)
    assert all(isinstance(o, dict) and o.get("__type__") == "update" for o in outputs)


def test_a_question_shows_at_once_then_its_answer(ui):
    _, turns, _ = ui.respond("五四村是如何筹集资金的？", new(), "hybrid", 10)
    chat, pending = ui.show_question("那个公司由谁来经营？", turns)
    assert pending == "那个公司由谁来经营？"
    assert [m["role"] for m in chat] == ["user", "assistant", "user", "assistant"]
    assert chat[2]["content"] == "那个公司由谁来经营？" and "正在查找资料" in chat[3]["content"]
    assert len(turns.turns) == 1  # nothing is answered until respond


def test_long_message_is_answered_from_its_first_part_and_shown_collapsed(ui):
    messages, turns, _ = ui.respond("五四村是如何筹集资金的？" + "啊" * 3000, new(), "hybrid", 10)
    assert "2000" in messages[1]["content"]
    assert messages[0]["content"].startswith("<details><summary>五四村是如何筹集资金的？啊")
    assert "（共 3012 字，展开全文）" in messages[0]["content"]
    # A follow-up's note echoes the long question shortened, not whole.
    messages, _, _ = ui.respond("它是怎么分红的？", turns, "hybrid", 10)
    note = next(line for line in messages[3]["content"].split("\n") if "按上文理解为" in line)
    assert "……" in note and len(note) < 200


def test_each_citation_and_answer_has_a_plain_text_copy(ui):
    messages, turns, _ = ui.respond("五四村是如何筹集资金的？", new(), "hybrid", 10)
    reply = messages[1]["content"]
    assert reply.count('class="rag-copy"') == 1 + len(turns.turns[0][1].citations)
    assert "复制引用" in reply and "复制回答" in reply


def test_context_shows_neighbouring_paragraphs_not_headings_nor_the_passage(ui, assistant):
    from rag.present import paragraph_context

    answer = assistant.ask("五四村是如何筹集资金的？")
    hit = answer.citations[0].hit
    (before_label, before), (after_label, after) = paragraph_context(assistant.index, hit)
    assert before and after
    assert before_label.startswith(("上一段", "本段前文")) and after_label.startswith(("下一段", "本段后文"))
    for text in (before, after):
        assert not text.startswith(("一、", "二、", "三、"))  # a heading line is not a paragraph
        assert text not in hit.chunk.text and hit.chunk.text[:20] not in text


def test_chat_content_parts_are_normalised(ui):
    from rag.present import content_text

    assert content_text([{"type": "text", "text": "五四村"}, {"type": "text", "text": "如何筹资"}]) == "五四村如何筹资"
    messages, _, _ = ui.respond([{"type": "text", "text": "五四村是如何筹集资金的？"}], new(), "bm25", 5)
    assert "30亩" in messages[1]["content"]


def test_user_and_corpus_text_are_escaped(ui):
    messages, _, _ = ui.respond(XSS[0], new(), "hybrid", 10)
    assert "<img" not in messages[0]["content"] and "&lt;img" in messages[0]["content"]
    assert "<img" not in messages[1]["content"]


def test_brief_from_the_chat(ui):
    from docx import Document

    _, turns, _ = ui.respond("五四村是如何筹集资金的？", new(), "hybrid", 10)
    _, turns, _ = ui.respond("怎样办理护照？", turns, "hybrid", 10)
    update = ui.make_brief(turns)
    assert update["visible"] is True
    markdown, docx = update["value"]
    text = Path(markdown).read_text(encoding="utf-8")
    assert "五四村是如何筹集资金的" in text and "【未找到答案】" in text and "## 五四村（村庄" in text
    assert "五四村是如何筹集资金的" in "\n".join(p.text for p in Document(docx).paragraphs)
    assert ui.make_brief(new())["visible"] is False  # nothing to show, and a warning says why


def test_essay_view_has_headings(ui):
    text = ui.show_essay(3)
    assert "学习借鉴“千万工程”经验奋力开创民政工作新局面" in text and "区民政局局长" in text
    assert "### 三、工作思路" in text and "#### \\(二\\)着力提升养老服务水平" in text


def test_non_loopback_without_auth_warns(assistant, demo, capsys, monkeypatch):
    from rag.ui import is_loopback, launch

    calls = {}
    monkeypatch.setattr(demo, "launch", lambda **kw: calls.update(kw))
    launch(demo, assistant, "0.0.0.0", 7999)
    assert "警告" in capsys.readouterr().err and calls["server_name"] == "0.0.0.0"
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and not is_loopback("0.0.0.0")


def test_importing_the_ui_loads_no_model_and_builds_no_index(tmp_path):
    import subprocess
    import sys

    code = ("import sys, rag.ui, app; "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "RAG_INDEX_DIR": str(tmp_path / "none")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"] and not (tmp_path / "none").exists()
    assert len((ROOT / "app.py").read_text(encoding="utf-8").splitlines()) < 40


# ------------------------------------------------------------------ API


def test_api_ask_through_gradio_client(served):
    from gradio_client import Client

    result = Client(served, verbose=False).predict("五四村是如何筹集资金的？", api_name="/ask")
    assert result["answerable"] and result["citations"]
    assert "30亩" in result["answer"] and result["citations"][0]["title"]


# ------------------------------------------------------------------ real browser


# Where the last question sits in the chat's scrolling box: (its top, the box's top, the box's bottom).
QUESTION_IN_BOX = """() => {
  const rows = document.querySelectorAll('#chat .user-row'); const last = rows[rows.length - 1];
  let box = last.parentElement; while (box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  const r = last.getBoundingClientRect(), b = box.getBoundingClientRect(); return [r.top, b.top, b.bottom]; }"""



def test_chat_in_a_real_browser(served, browser, tmp_path):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True,
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(served)
    chat = page.locator("#chat")

    ask_in(page, "五四村是如何筹集资金的？")
    expect(chat).to_contain_text("《乡村振兴关键在“人”关键在“干”》")
    expect(chat.locator("mark").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "answer.png"))  # the README's come from eval/screenshots.py
    # Gradio's own words are Chinese: no "Copy message", "Clear" or "processing" anywhere.
    assert english_words(page) == [], english_words(page)
    # 展开上下文 shows the neighbouring paragraphs, not headings, and not the passage again.
    chat.locator("details summary").first.click()
    context_text = chat.locator("details").first.inner_text()
    assert "上面引用的段落" in context_text and "为了解决资金短缺问题" not in context_text
    assert "一、敢干为先" not in context_text.split("（")[1]

    # Each citation copies itself as plain text; 复制回答 copies the answer with its citations.
    chat.get_by_role("button", name="复制引用").first.click()
    expect(chat.get_by_role("button", name="已复制").first).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("《乡村振兴关键在“人”关键在“干”》 镇党委书记 · 一、敢干为先,做乡村治理积极践行者：")
    assert "30亩" in copied and not re.search(r"[<>\\*]|mark", copied)
    chat.get_by_role("button", name="复制回答").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("答：") and "\n引用：\n  [1] 《乡村振兴关键在“人”关键在“干”》" in copied
    assert not re.search(r"[<>\\]|mark|details", copied)

    with page.expect_download() as download:
        page.locator("#export").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "五四村是如何筹集资金的" in exported and "30亩" in exported and "镇党委书记" in exported

    for payload in XSS:
        ask_in(page, payload)  # each answered before the next is sent
        expect(chat).to_contain_text(payload)
    assert dialogs == []

    # A long answer: the chat keeps the new question in view instead of scrolling to the end.
    ask_in(page, "几位学员对余村的经验都谈了什么？")
    top, box_top, box_bottom = page.evaluate(QUESTION_IN_BOX)
    assert box_top <= top < box_bottom - 100, (top, box_top, box_bottom)

    # A very long question shows collapsed, and a follow-up's note echoes it shortened.
    ask_in(page, "五四村的旅游公司是怎么来的？" + "请详细说明。" * 300)
    bubble = chat.locator(".user-row").last
    expect(bubble).to_contain_text("展开全文")
    assert bubble.bounding_box()["height"] < 120
    ask_in(page, "它是怎么分红的？")
    note = chat.locator(".bot-row").last.locator("small", has_text="按上文理解为")
    assert len(note.inner_text()) < 200

    page.locator("#new-chat").click()
    expect(chat).not_to_contain_text("五四村是如何筹集资金的", timeout=10000)

    # An empty question says why nothing happens.
    page.locator("#send").click()
    expect(page.get_by_text("请输入问题")).to_be_visible(timeout=10000)
    # The chat's own trash icon clears the conversation too: the next question is no follow-up.
    ask_in(page, "五四村是如何筹集资金的？")
    chat.get_by_role("button", name="清空对话").click()
    expect(chat).not_to_contain_text("五四村是如何筹集资金的", timeout=10000)
    page.wait_for_timeout(1000)
    ask_in(page, "它是怎么分红的？")
    expect(chat).to_contain_text("它是怎么分红的？")  # typed full-width "？" kept
    assert "按上文理解为" not in chat.inner_text()
    page.get_by_text("检索设置").click()  # retrieval modes in Chinese, the values unchanged
    expect(page.get_by_text("关键词", exact=True)).to_be_visible(timeout=10000)
    assert page.get_by_text("bm25", exact=True).count() == 0
    context.close()


def test_text_typed_right_after_sending_is_kept_in_a_real_browser(served, browser):
    """The box is emptied in the page at the click: what the user starts typing while the server
    shows the question is not wiped by its reply, and is the next question asked."""
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(served)
    chat, box = page.locator("#chat"), page.locator("#question textarea")
    answers = chat.get_by_role("button", name="复制回答")
    box.fill("五四村是如何筹集资金的？")
    page.locator("#send").click()
    box.press_sequentially("它是怎么分红的")
    expect(answers).to_have_count(1, timeout=60000)
    page.wait_for_timeout(500)
    assert box.input_value() == "它是怎么分红的"
    box.press("Enter")
    expect(answers).to_have_count(2, timeout=60000)
    expect(chat.locator(".user-row").last).to_contain_text("它是怎么分红的")
    assert box.input_value() == ""
    page.close()


def test_export_and_brief_agree_on_a_refusal_in_a_real_browser(served, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page.goto(served)
    ask_in(page, "怎样办理护照？")
    with page.expect_download() as download:
        page.locator("#export").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    page.locator("#brief").click()
    link = page.locator('#brief-files a[download$=".md"]')
    leaks = []
    for _ in range(600):  # up to a minute; no "processing |" while the brief is made
        if link.is_visible():
            break
        leaks += english_words(page)
        page.wait_for_timeout(100)
    assert leaks == [], leaks
    with page.expect_download() as download:
        link.click()
    brief = Path(download.value.path()).read_text(encoding="utf-8")
    for document in (exported, brief):
        assert "怎样办理护照" in document and "【未找到答案】" in document
    assert english_words(page) == [], english_words(page)
    page.close()


def test_villages_and_essays_in_a_real_browser(served, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(served)
    page.get_by_role("tab", name="村庄与主题").click()
    page.locator("#name-choice input").click()
    page.get_by_role("option", name="何斯路村（村庄").click()
    view = page.locator("#name-view")
    expect(view).to_contain_text("已合并的写法：何斯路", timeout=10000)
    expect(view.locator("h3")).to_have_count(4)  # four essays, hand-counted
    # One entry per paragraph, each with its own toggle; no literal "- " between them.
    entries = view.locator("details.rag-entry")
    paragraphs = int(re.search(r"(\d+) 个段落", view.inner_text()).group(1))
    expect(entries).to_have_count(paragraphs)
    assert "\n- " not in view.inner_text() and not view.inner_text().startswith("- ")
    expect(entries.first.locator("summary mark").first).to_be_visible()
    entries.nth(1).locator("summary").click()
    expect(entries.nth(1)).to_have_attribute("open", "")
    expect(entries.nth(1).locator("p mark").first).to_be_visible()  # the whole paragraph, highlighted
    assert entries.first.get_attribute("open") is None

    page.get_by_role("tab", name="文章").click()
    expect(page.locator("#essays-tab").get_by_text("区民政局局长").first).to_be_visible()
    page.locator("#essay-choice input").click()
    page.get_by_role("option", name="3. 学习借鉴").click()
    expect(page.locator("#essay-view")).to_contain_text("三、工作思路", timeout=10000)
    page.close()


def test_phone_layout_in_a_real_browser(served, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(served)
    ask_in(page, "五四村是如何筹集资金的？")
    chat = page.locator("#chat").bounding_box()
    answer = page.locator("#chat .bot-row .message").last.bounding_box()
    assert answer["width"] > 0.85 * chat["width"], (answer, chat)  # full width, not 12 characters
    # The user's bubble sits clear of the chat's icons.
    icons = page.locator("#chat").get_by_role("button", name="清空对话").bounding_box()
    bubble = page.locator("#chat .user-row").last.bounding_box()
    assert bubble["y"] >= icons["y"] + icons["height"] or bubble["x"] + bubble["width"] <= icons["x"]
    page.screenshot(path=str(tmp_path / "phone.png"))
    page.get_by_role("tab", name="文章").click()
    picker = page.locator("#essay-choice").bounding_box()
    table = page.locator("#essay-table").bounding_box()
    assert picker["y"] < table["y"]  # the picker first
    ten = page.locator("#essay-table td", has_text=re.compile(r"^10$")).first
    assert ten.bounding_box()["height"] < 2 * page.locator("#essay-table td", has_text=re.compile(r"^1$")).first \
        .bounding_box()["height"] or ten.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    page.close()
