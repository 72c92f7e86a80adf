"""The Gradio UI: a chat with cited answers, the villages and practices, the essays to read, a
Markdown export and session briefs.

`build_demo(assistant)` builds the Blocks around an assistant that is already loaded; importing
this module loads no model and builds no index (`serve()` does both, once, then launches). Every
answer comes from `rag.assistant.Assistant`, every piece of Markdown from `rag.present`; the
chat's state is a `Conversation`. Leaves out: answering (assistant.py), rendering (present.py) and
the page's script, style and Chinese for Gradio's words (ui_page.py).
"""

from __future__ import annotations

import ipaddress
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path

import gradio as gr

from rag import build, present
from rag.assistant import Assistant, Conversation, QuestionError
from rag.config import MODES, Settings
from rag.store import IndexUnavailable
from rag.text import tidy
from rag.trainers.brief import build_brief, write_brief
from rag.trainers.dossier import find
from rag.ui_page import SCROLL_TO_QUESTION, TAKE_QUESTION, page_options

log = logging.getLogger("rag.ui")

ALL_COLLECTIONS = "*"  # the collection choice meaning every one
FOLLOW_SECONDS = 30  # how often a server looks whether another process rebuilt the index
PENDING = "正在查找资料……"  # the answer's bubble until it comes
MODE_LABELS = {"hybrid": "混合", "dense": "语义", "bm25": "关键词"}  # shown; the values stay the contract's
EXAMPLES = [
    "五四村是如何筹集资金的？",  # officials: a fact with numbers
    "几位学员对余村的经验都谈了什么？",  # trainers: what several participants wrote
    "民政部门在养老服务方面有什么打算？",
    "一个欠了很多债的穷村子后来怎么变富的？",  # a paraphrase
]


class ChatUI:
    """The UI's handlers around one loaded assistant; each takes and returns plain values."""

    def __init__(self, assistant: Assistant, export_dir: Path | None = None) -> None:
        self.swap(assistant)
        self.export_dir = Path(export_dir or tempfile.mkdtemp(prefix="rag-export-"))
        self._checked = time.monotonic()  # when follow_builds last looked
        self._reloading = threading.Lock()

    def follow_builds(self, now: bool = False) -> threading.Thread | None:
        """Load the index another process built (`rag index`, another server's 资料管理 tab),
        looking at most every FOLLOW_SECONDS (or `now`); the loading runs beside the questions
        being answered, which keep the index they started with. Returns the loading thread."""
        if not now and time.monotonic() - self._checked < FOLLOW_SECONDS:
            return None
        self._checked = time.monotonic()
        if not self._reloading.acquire(blocking=False):
            return None  # already loading one
        try:
            served = build.served_build(self.assistant.settings)
        except IndexUnavailable:
            served = None  # nothing usable there now: keep answering from what is loaded
        if served is None or served == self.index.manifest.get("build_id"):
            self._reloading.release()
            return None
        loading = threading.Thread(target=self._reload, name="rag-reload", daemon=True)
        loading.start()
        return loading

    def _reload(self) -> None:
        try:
            self.swap(self.assistant.reloaded())
            log.info("loaded the index built elsewhere: %s", self.index.manifest.get("build_id"))
        except Exception:  # noqa: BLE001 - a failed reload leaves the loaded index serving
            log.exception("could not load the index built elsewhere")
        finally:
            self._reloading.release()

    def swap(self, assistant: Assistant) -> None:
        """Answer from `assistant` from now on (after a rebuild); a question being answered
        finishes with the assistant it started with."""
        self.assistant, self.index, self.names = assistant, assistant.index, assistant.names()

    # What the page shows of the index, in the order of `build_demo`'s `views` (refreshed after a rebuild).
    def header_markdown(self) -> str:
        return ("# 千万工程培训心得问答\n"
                f"依据 {len(self.index.essays)} 篇学员心得回答问题，每句回答都标出处 [n]；资料中没有的，如实说明。")

    def collection_choices(self) -> list[tuple[str, str]]:
        collections = sorted({e.collection for e in self.index.essays})
        return [("全部文集", ALL_COLLECTIONS)] + [(c or "（顶层）", c) for c in collections]

    def name_choices(self) -> list[tuple[str, str]]:
        return [(f"{n.name}（{n.kind}，{len(n.essays)} 篇，{len(n.paragraphs)} 段）", n.name) for n in self.names]

    def essay_choices(self) -> list[tuple[str, int]]:
        return [(f"{e.number}. {e.title}（{e.author}）", e.number) for e in self.index.essays]

    def essay_table(self) -> str:
        return "\n".join(["| # | 标题 | 作者 |", "|---:|---|---|"] + [
            f"| {e.number} | {present.escape(e.title)} | {present.escape(e.author)} |" for e in self.index.essays])

    def views(self) -> tuple:
        """Updates of the views above after a rebuild: choices follow the new index, and what was
        being read is closed (its essay number or name may now mean something else)."""
        collections = self.collection_choices()
        return (self.header_markdown(),
                gr.update(choices=collections, value=ALL_COLLECTIONS, visible=len(collections) > 2),
                gr.update(choices=self.name_choices(), value=None), present.dossier_overview(self.names),
                gr.update(choices=self.essay_choices(), value=None), self.essay_table())

    def chat_messages(self, conversation: Conversation) -> list[dict]:
        """The Chatbot's messages, rebuilt from the conversation kept in state."""
        messages = []
        for question, reply in conversation.turns:
            messages.append({"role": "user", "content": present.question_markdown(question)})
            content = reply if isinstance(reply, str) else present.answer_markdown(self.index, reply)
            messages.append({"role": "assistant", "content": content})
        return messages

    def write_export(self, conversation: Conversation) -> str | None:
        answered = conversation.answered()
        if not answered:
            return None
        path = self.export_dir / f"对话记录-{time.strftime('%Y%m%d-%H%M%S')}-{id(conversation) % 10000}.md"
        path.write_text(present.export_markdown(answered), encoding="utf-8")
        return str(path)

    def show_question(self, message, conversation: Conversation):
        """The question in the chat at once, with a bubble saying the answer is on its way, and
        handed on (`respond` answers it). The page has already emptied the box (TAKE_QUESTION), so
        what the user types next is never wiped by this reply. An empty question sends nothing
        and says why."""
        message = present.content_text(message)
        if not message.strip():
            gr.Warning("请输入问题。", title="提示")
            return gr.skip(), ""
        waiting = [{"role": "user", "content": present.question_markdown(tidy(message))},
                   {"role": "assistant", "content": PENDING}]
        return self.chat_messages(conversation) + waiting, message

    def respond(self, message, conversation: Conversation, mode: str, k: float, collection: str = ALL_COLLECTIONS):
        """Answer one chat message: (messages, conversation, export file). The turn keeps the
        question as the user typed it (a full-width "？" stays one); nothing to answer, no change."""
        message = present.content_text(message)
        if not message.strip():
            return gr.skip(), gr.skip(), gr.skip()
        self.follow_builds()
        assistant = self.assistant  # one index for the whole answer, even if a rebuild swaps it meanwhile
        try:
            _, conversation = assistant.reply(conversation, message, mode=mode, k=int(k),
                                              collection=None if collection == ALL_COLLECTIONS else collection)
        except (QuestionError, ValueError) as exc:
            conversation = conversation.add(message, f"⚠️ {present.escape(str(exc))}")
        except Exception:  # noqa: BLE001 - the user sees one line; the log keeps the details
            log.exception("ask failed")
            conversation = conversation.add(message, "⚠️ 出错了，请稍后再试。")
        return self.chat_messages(conversation), conversation, self.write_export(conversation)

    def make_brief(self, conversation: Conversation):
        """A session brief (Markdown and .docx) from the questions of the current chat; the file
        box appears only with files in it. Before any answer, it says why nothing is made."""
        questions = conversation.history
        if not questions:
            gr.Warning("还没有已回答的问题，先提问再生成研讨讲义。", title="提示")
            return gr.update(value=None, visible=False)
        stem = self.export_dir / f"研讨讲义-{time.strftime('%Y%m%d-%H%M%S')}-{id(conversation) % 10000}"
        brief = build_brief(self.assistant, questions, self.names)
        return gr.update(value=[str(p) for p in write_brief(brief, self.index, stem)], visible=True)

    def show_name(self, name) -> str:
        entry = find(self.names, name) if name else None
        return present.dossier_markdown(self.index, entry) if entry else ""

    def show_essay(self, number) -> str:
        return present.essay_markdown(self.index, int(number)) if number else ""

    @staticmethod
    def new_chat():
        """Everything of the chat cleared: messages, the conversation behind follow-ups, the
        question box, the export."""
        return [], Conversation(), "", None

    @staticmethod
    def cleared():
        """After the chat's trash icon: no messages, no conversation behind follow-ups, no export."""
        return [], Conversation(), None

    @staticmethod
    def check_export(conversation: Conversation) -> None:
        """Say why 导出对话 gives nothing before any answer (with one, the button downloads)."""
        if not conversation.answered():
            gr.Warning("还没有可导出的回答，先提问。", title="提示")

    def ask(self, question: str, mode: str = "hybrid", k: int = 10, history: list[str] | None = None,
            collection: str | None = None) -> dict:
        """Answer a question with citations, as the JSON of `rag ask --json`; bad input gives {"error": …}."""
        self.follow_builds()
        try:
            return self.assistant.ask(question, history=history or [], mode=mode, k=int(k),
                                      collection=collection or None).to_dict()
        except (QuestionError, ValueError, TypeError) as exc:
            return {"question": question if isinstance(question, str) else "", "error": str(exc)}


def build_demo(assistant: Assistant, ui: ChatUI | None = None) -> gr.Blocks:
    """The Blocks of the UI around a loaded assistant (queued, not launched). With a login
    configured (RAG_AUTH), a 资料管理 tab manages the essays (rag/ui_library.py)."""
    ui = ui or ChatUI(assistant)
    settings = assistant.settings
    with gr.Blocks(title="千万工程培训心得问答") as demo:
        header = gr.Markdown(ui.header_markdown())
        conversation = gr.State(Conversation())
        with gr.Tab("问答"):
            # No built-in copy buttons (they copy Markdown and speak English): every answer and
            # citation has its own plain-text copy button. No autoscroll: the page script scrolls
            # the new question, not the end of a long answer, into view.
            chatbot = gr.Chatbot(label="对话", height=560, allow_tags=False, sanitize_html=True, buttons=[],
                                 feedback_options=None, autoscroll=False, elem_id="chat")
            # The question between taking it from the box and answering it: a hidden textbox, as
            # the page itself writes it (a State lives on the server).
            pending = gr.Textbox(visible=False, elem_id="pending")
            with gr.Row():
                question_box = gr.Textbox(label="问题", placeholder="输入问题，例如：五四村是如何筹集资金的？",
                                          show_label=False, scale=5, max_lines=4, elem_id="question")
                send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
            with gr.Row():
                clear = gr.Button("新对话", elem_id="new-chat")
                export = gr.DownloadButton("导出对话（Markdown）", value=None, elem_id="export")
                brief_button = gr.Button("生成研讨讲义", elem_id="brief")
            brief_files = gr.File(label="研讨讲义（Markdown 与 Word）", file_count="multiple", elem_id="brief-files",
                                  visible=False)
            gr.Examples(EXAMPLES, inputs=question_box, label="示例问题")
            with gr.Accordion("检索设置", open=False):
                mode = gr.Radio([(MODE_LABELS[m], m) for m in MODES], value=settings.mode, label="检索方式")
                k = gr.Slider(3, 20, value=settings.k, step=1, label="检索段落数 k")
                # Subfolders of the corpus folder are collections (one per cohort, say); with more
                # than one, questions can be kept to one of them.
                collections = ui.collection_choices()
                collection = gr.Dropdown(collections, value=ALL_COLLECTIONS, label="文集", visible=len(collections) > 2,
                                         elem_id="collection")
        with gr.Tab("村庄与主题", elem_id="names-tab"):
            gr.Markdown("文中提到的村庄和做法，按提到它的文章数排列。选择一个，查看每篇文章怎么写它。")
            name_choice = gr.Dropdown(ui.name_choices(), label="村庄或做法", value=None, elem_id="name-choice")
            name_view = gr.Markdown(elem_id="name-view")
            with gr.Accordion("全部名称", open=False):
                names_overview = gr.Markdown(present.dossier_overview(ui.names))
        with gr.Tab("文章", elem_id="essays-tab"):
            essay_choice = gr.Dropdown(ui.essay_choices(), label="选择文章阅读", value=None, elem_id="essay-choice")
            essay_view = gr.Markdown(elem_id="essay-view")
            essay_table = gr.Markdown(ui.essay_table(), elem_id="essay-table")
        if settings.auth_pair:
            from rag.ui_library import library_tab

            library_tab(ui, [header, collection, name_choice, names_overview, essay_choice, essay_table])

        for trigger in (question_box.submit, send.click):
            # The page takes the question out of the box at the click, then the server shows it
            # and answers it in place of the waiting bubble.
            (trigger(None, question_box, [pending, question_box], js=TAKE_QUESTION)
             .then(ui.show_question, [pending, conversation], [chatbot, pending],
                   show_progress="hidden", api_visibility="private")
             .then(None, js=SCROLL_TO_QUESTION)
             .then(ui.respond, [pending, conversation, mode, k, collection], [chatbot, conversation, export],
                   show_progress="hidden", api_visibility="private")
             .then(None, js=SCROLL_TO_QUESTION))
        clear.click(ui.new_chat, None, [chatbot, conversation, question_box, export], api_visibility="private")
        # The chat's own trash icon clears everything too, not only the screen (but not a
        # question being typed); unqueued, so the next question cannot overtake it.
        chatbot.clear(ui.cleared, None, [chatbot, conversation, export], api_visibility="private", queue=False)
        export.click(ui.check_export, conversation, None, api_visibility="private")
        essay_choice.change(ui.show_essay, essay_choice, essay_view, show_progress="hidden", api_visibility="private")
        name_choice.change(ui.show_name, name_choice, name_view, show_progress="hidden", api_visibility="private")
        brief_button.click(ui.make_brief, conversation, brief_files, api_visibility="private")
        gr.api(ui.ask, api_name="ask")
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now (for a server started beside others, such
    as a test's or a screenshot script's; the UI's own default is RAG_PORT)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def launch(demo: gr.Blocks, assistant: Assistant, host: str | None = None, port: int | None = None, **options):
    """Serve `demo`; warns when a non-loopback address is bound without a login."""
    settings = assistant.settings
    host = host or settings.host
    port = port or settings.port
    auth = settings.auth_pair
    if not is_loopback(host) and auth is None:
        print(f"警告：正在监听非本机地址 {host} 且未设置 RAG_AUTH，任何能访问该地址的人都能使用。", file=sys.stderr)
    index = assistant.index
    print(f"已加载索引：{len(index.essays)} 篇文章，{len(index.chunks)} 个段落，模型 {index.manifest.get('model')}",
          flush=True)
    return demo.launch(server_name=host, server_port=port, auth=auth, auth_message="请登录" if auth else None,
                       show_error=False, **page_options(), **options)


def serve(host: str | None = None, port: int | None = None, **options):
    """Load the index once (building it if missing or stale), build the UI and serve it."""
    settings = Settings.from_env(host=host, port=port)
    assistant = Assistant.load(settings)
    return launch(build_demo(assistant), assistant, host, port, **options)
