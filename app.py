"""The Gradio UI: a chat with cited answers, the essays to read, and a Markdown export.

Thin by design: every answer comes from `rag.assistant.Assistant`, every piece of Markdown
from `rag.present`. The index and model load once, when this module is imported; the Blocks
are built at module level and launched only by `launch()` (`python app.py`, `rag serve`).
"""

from __future__ import annotations

import ipaddress
import logging
import sys
import tempfile
import time
from pathlib import Path

import gradio as gr

from rag import present
from rag.assistant import Assistant, QuestionError
from rag.brief import build_brief, write_brief
from rag.dossier import find
from rag.config import MODES, Settings

log = logging.getLogger("rag.app")

SETTINGS = Settings.from_env()
ASSISTANT = Assistant.load(SETTINGS)
INDEX = ASSISTANT.index
EXAMPLES = [
    "五四村是如何筹集资金的？",  # officials: a fact with numbers
    "几位学员对何斯路村的经验都谈了什么？",  # trainers: what several participants wrote
    "民政部门在养老服务方面有什么打算？",
    "一个欠了很多债的穷村子后来怎么变富的？",  # a paraphrase
]
ESSAY_CHOICES = [(f"{e.number}. {e.title}（{e.author}）", e.number) for e in INDEX.essays]
NAMES = ASSISTANT.names()
NAME_CHOICES = [(f"{n.name}（{n.kind}，{len(n.essays)} 篇，{len(n.paragraphs)} 段）", n.name) for n in NAMES]
EXPORT_DIR = Path(tempfile.mkdtemp(prefix="rag-export-"))


def chat_messages(turns: list[tuple[str, object]]) -> list[dict]:
    """The Chatbot's messages, rebuilt from the conversation kept in state."""
    messages = []
    for question, answer in turns:
        messages.append({"role": "user", "content": present.escape(question)})
        reply = answer if isinstance(answer, str) else present.answer_markdown(INDEX, answer)
        messages.append({"role": "assistant", "content": reply})
    return messages


def write_export(turns) -> str | None:
    answered = [(q, a) for q, a in turns if not isinstance(a, str)]
    if not answered:
        return None
    path = EXPORT_DIR / f"对话记录-{time.strftime('%Y%m%d-%H%M%S')}-{id(turns) % 10000}.md"
    path.write_text(present.export_markdown(answered), encoding="utf-8")
    return str(path)


def respond(message: str, turns: list, mode: str, k: float):
    """Answer one chat message; an empty message sends nothing."""
    message = present.content_text(message)
    if not message.strip():
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    history = [q for q, a in turns if not isinstance(a, str)]
    try:
        answer = ASSISTANT.ask(message, history=history, mode=mode, k=int(k))
        turns = turns + [(answer.question, answer)]
    except (QuestionError, ValueError) as exc:
        turns = turns + [(message, f"⚠️ {present.escape(str(exc))}")]
    except Exception:  # noqa: BLE001 - the user sees one line; the log keeps the details
        log.exception("ask failed")
        turns = turns + [(message, "⚠️ 出错了，请稍后再试。")]
    return chat_messages(turns), turns, "", write_export(turns)


def make_brief(turns: list):
    """A session brief (Markdown and .docx) from the questions of the current chat."""
    questions = [q for q, a in turns if not isinstance(a, str)]
    if not questions:
        return None
    stem = EXPORT_DIR / f"研讨讲义-{time.strftime('%Y%m%d-%H%M%S')}-{id(turns) % 10000}"
    brief = build_brief(ASSISTANT, questions, NAMES)
    return [str(p) for p in write_brief(brief, INDEX, stem)]


def show_name(name) -> str:
    entry = find(NAMES, name) if name else None
    return present.dossier_markdown(INDEX, entry) if entry else ""


def new_chat():
    return [], [], "", None


def ask(question: str, mode: str = "hybrid", k: int = 10, history: list[str] | None = None) -> dict:
    """Answer a question with citations, as the JSON of `rag ask --json`; bad input gives {"error": …}."""
    try:
        return ASSISTANT.ask(question, history=history or [], mode=mode, k=int(k)).to_dict()
    except (QuestionError, ValueError, TypeError) as exc:
        return {"question": question if isinstance(question, str) else "", "error": str(exc)}


def show_essay(number) -> str:
    return present.essay_markdown(INDEX, int(number)) if number else ""


with gr.Blocks(title="千万工程培训心得问答") as demo:
    gr.Markdown(
        "# 千万工程培训心得问答\n"
        f"依据 {len(INDEX.essays)} 篇学员心得回答问题，每句回答都标出处 [n]；资料中没有的，如实说明。"
    )
    turns_state = gr.State([])
    with gr.Tab("问答"):
        chatbot = gr.Chatbot(label="对话", height=560, allow_tags=False, sanitize_html=True,
                             feedback_options=None, elem_id="chat")
        with gr.Row():
            question_box = gr.Textbox(placeholder="输入问题，例如：五四村是如何筹集资金的？", show_label=False,
                                      scale=5, max_lines=4, elem_id="question")
            send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
        with gr.Row():
            clear = gr.Button("新对话", elem_id="new-chat")
            export = gr.DownloadButton("导出对话（Markdown）", value=None, elem_id="export")
            brief_button = gr.Button("生成研讨讲义", elem_id="brief")
        brief_files = gr.File(label="研讨讲义（Markdown 与 Word）", file_count="multiple", elem_id="brief-files")
        gr.Examples(EXAMPLES, inputs=question_box, label="示例问题")
        with gr.Accordion("检索设置", open=False):
            mode = gr.Radio(list(MODES), value=SETTINGS.mode, label="检索方式")
            k = gr.Slider(3, 20, value=SETTINGS.k, step=1, label="检索段落数 k")
    with gr.Tab("村庄与主题", elem_id="names-tab"):
        gr.Markdown("文中提到的村庄和做法，按提到它的文章数排列。选择一个，查看每篇文章怎么写它。")
        name_choice = gr.Dropdown(NAME_CHOICES, label="村庄或做法", value=None, elem_id="name-choice")
        name_view = gr.Markdown(elem_id="name-view")
        with gr.Accordion("全部名称", open=False):
            gr.Markdown(present.dossier_overview(NAMES))
    with gr.Tab("文章", elem_id="essays-tab"):
        gr.Markdown("\n".join(["| # | 标题 | 作者 |", "|---:|---|---|"] + [
            f"| {e.number} | {present.escape(e.title)} | {present.escape(e.author)} |" for e in INDEX.essays]))
        essay_choice = gr.Dropdown(ESSAY_CHOICES, label="选择文章阅读", value=None, elem_id="essay-choice")
        essay_view = gr.Markdown(elem_id="essay-view")

    outputs = [chatbot, turns_state, question_box, export]
    question_box.submit(respond, [question_box, turns_state, mode, k], outputs, api_visibility="private")
    send.click(respond, [question_box, turns_state, mode, k], outputs, api_visibility="private")
    clear.click(new_chat, None, outputs, api_visibility="private")
    essay_choice.change(show_essay, essay_choice, essay_view, api_visibility="private")
    name_choice.change(show_name, name_choice, name_view, api_visibility="private")
    brief_button.click(make_brief, turns_state, brief_files, api_visibility="private")
    gr.api(ask, api_name="ask")

demo.queue(default_concurrency_limit=2, max_size=64)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def launch(host: str | None = None, port: int | None = None, **options):
    """Serve the UI; warns when a non-loopback address is bound without a login."""
    host = host or SETTINGS.host
    port = port or SETTINGS.port
    auth = SETTINGS.auth_pair
    if not is_loopback(host) and auth is None:
        print(f"警告：正在监听非本机地址 {host} 且未设置 RAG_AUTH，任何能访问该地址的人都能使用。", file=sys.stderr)
    print(f"已加载索引：{len(INDEX.essays)} 篇文章，{len(INDEX.chunks)} 个段落，模型 {INDEX.manifest.get('model')}",
          flush=True)
    result = demo.launch(server_name=host, server_port=port, auth=auth, auth_message="请登录" if auth else None,
                         show_error=False, **options)
    return result


if __name__ == "__main__":
    launch()
