"""The Gradio UI: handlers, the API through gradio_client, and a real browser (Debian chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
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
    from rag.ui import launch

    _, url, _ = launch(demo, assistant, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    yield url
    demo.close()


def new():
    from rag.assistant import Conversation

    return Conversation()


# ------------------------------------------------------------------ handlers


def test_chat_handler_answers_with_citations_and_export(ui):
    messages, turns, box, export = ui.respond("五四村是如何筹集资金的？", new(), "hybrid", 10)
    assert box == "" and len(turns.turns) == 1 and len(messages) == 2
    reply = messages[1]["content"]
    assert "30亩" in reply and "[1]" in reply and "引用" in reply
    assert "乡村振兴关键在“人”关键在“干”" in reply and "<mark>" in reply
    text = Path(export).read_text(encoding="utf-8")
    assert "## 问题 1：五四村是如何筹集资金的" in text
    assert "30亩" in text and "《乡村振兴关键在“人”关键在“干”》（镇党委书记）" in text
    assert "一、敢干为先,做乡村治理积极践行者" in text and "> " in text


def test_chat_handler_refuses_and_lists_possibly_related(ui):
    messages, turns, _, export = ui.respond("怎样办理护照？", new(), "hybrid", 10)
    assert "资料中未找到" in messages[1]["content"] and "可能相关" in messages[1]["content"]
    exported = Path(export).read_text(encoding="utf-8")
    assert "【未找到答案】资料中未找到" in exported and "可能相关" in exported


def test_follow_up_in_the_same_chat(ui):
    _, turns, _, _ = ui.respond("五四村是如何筹集资金的？", new(), "hybrid", 10)
    messages, turns, _, _ = ui.respond("那个公司由谁来经营？", turns, "hybrid", 10)
    # The questions are kept as typed: the full-width "？" is shown and exported as a full-width one.
    assert len(turns.turns) == 2 and turns.history == ["五四村是如何筹集资金的？", "那个公司由谁来经营？"]
    assert messages[2]["content"] == "那个公司由谁来经营？"
    assert "## 问题 2：那个公司由谁来经营？" in Path(ui.write_export(turns)).read_text(encoding="utf-8")
    assert "莫干山大酒店" in messages[3]["content"]
    assert ui.new_chat()[:2] == ([], new())


def test_empty_message_sends_nothing(ui):
    outputs = ui.respond("   ", new(), "hybrid", 10)
    assert all(isinstance(o, dict) and o.get("__type__") == "update" for o in outputs)


def test_long_message_is_answered_from_its_first_part(ui):
    messages, _, _, _ = ui.respond("五四村是如何筹集资金的？" + "啊" * 3000, new(), "hybrid", 10)
    assert "2000" in messages[1]["content"]


def test_chat_content_parts_are_normalised(ui):
    from rag.present import content_text

    assert content_text([{"type": "text", "text": "五四村"}, {"type": "text", "text": "如何筹资"}]) == "五四村如何筹资"
    messages, _, _, _ = ui.respond([{"type": "text", "text": "五四村是如何筹集资金的？"}], new(), "bm25", 5)
    assert "30亩" in messages[1]["content"]


def test_user_and_corpus_text_are_escaped(ui):
    messages, _, _, _ = ui.respond(XSS[0], new(), "hybrid", 10)
    assert "<img" not in messages[0]["content"] and "&lt;img" in messages[0]["content"]
    assert "<img" not in messages[1]["content"]


def test_brief_from_the_chat(ui):
    from docx import Document

    _, turns, _, _ = ui.respond("五四村是如何筹集资金的？", new(), "hybrid", 10)
    _, turns, _, _ = ui.respond("怎样办理护照？", turns, "hybrid", 10)
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


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it with apt when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield b
        b.close()


def test_in_a_real_browser(served, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(served)
    question = page.locator("#question textarea")
    chat = page.locator("#chat")

    question.fill("五四村是如何筹集资金的？")
    page.locator("#send").click()
    expect(chat).to_contain_text("引用", timeout=60000)
    expect(chat).to_contain_text("《乡村振兴关键在“人”关键在“干”》")
    expect(chat.locator("mark").first).to_be_visible()
    # The chat scrolls to its end; show the question and the answer for the screenshot.
    page.evaluate("""() => document.querySelectorAll('#chat *').forEach(el => {
        if (el.scrollHeight > el.clientHeight + 10) el.scrollTop = 0; })""")
    shots = ROOT / "eval" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "answer.png"))
    chat.locator("details summary").first.click()
    expect(chat).to_contain_text("（上一段）")

    with page.expect_download() as download:
        page.locator("#export").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "五四村是如何筹集资金的" in exported and "30亩" in exported and "镇党委书记" in exported

    for payload in XSS:
        question.fill(payload)
        page.locator("#send").click()
        expect(chat).to_contain_text(payload, timeout=60000)
    assert dialogs == []

    page.locator("#new-chat").click()
    expect(chat).not_to_contain_text("五四村是如何筹集资金的", timeout=10000)

    # An empty question says why nothing happens.
    page.locator("#send").click()
    expect(page.get_by_text("请输入问题")).to_be_visible(timeout=10000)
    # The chat's own trash icon clears the conversation too: the next question is no follow-up.
    question.fill("五四村是如何筹集资金的？")
    page.locator("#send").click()
    expect(chat).to_contain_text("引用", timeout=60000)
    chat.locator('button[aria-label="Clear"]').click()
    expect(chat).not_to_contain_text("五四村是如何筹集资金的", timeout=10000)
    page.wait_for_timeout(1000)
    question.fill("它是怎么分红的？")
    page.locator("#send").click()
    expect(chat).to_contain_text("它是怎么分红的？", timeout=60000)  # typed full-width "？" kept
    expect(chat.locator(".message").last).to_be_visible()
    page.wait_for_timeout(500)
    assert "按上文理解为" not in chat.inner_text()
    page.get_by_text("检索设置").click()  # retrieval modes in Chinese, the values unchanged
    expect(page.get_by_text("关键词", exact=True)).to_be_visible(timeout=10000)
    assert page.get_by_text("bm25", exact=True).count() == 0

    page.get_by_role("tab", name="村庄与主题").click()
    page.locator("#name-choice input").click()
    page.get_by_role("option", name="何斯路村（村庄").click()
    view = page.locator("#name-view")
    expect(view).to_contain_text("已合并的写法：何斯路", timeout=10000)
    expect(view.locator("h3")).to_have_count(4)  # four essays, hand-counted
    expect(view.locator("mark").first).to_be_visible()

    page.get_by_role("tab", name="文章").click()
    expect(page.locator("#essays-tab").get_by_text("区民政局局长").first).to_be_visible()
    page.locator("#essay-choice input").click()
    page.get_by_role("option", name="3. 学习借鉴").click()
    expect(page.locator("#essay-view")).to_contain_text("三、工作思路", timeout=10000)
    page.close()
