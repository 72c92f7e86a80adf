"""What the UI's page carries besides its components: Chinese for Gradio's own words, the page
script (plain-text copy buttons, scrolling a new question into view) and the stylesheet (the
phone layout among it). Gradio 6 takes these at launch (`page_options()`).

Gradio shows its own words (the chat's 清空对话 button, 加载中, the footer) in the browser's
language and falls back to English; the Chinese below is given as the English, so every
browser shows Chinese. The strings are Gradio's own zh-CN translations, for the keys this
page can show (the few keys Gradio leaves untranslated are translated here).
Leaves out: the components and their events (ui.py), the Markdown of answers (present.py).
"""

from __future__ import annotations

import json

import gradio as gr

GRADIO_CHINESE = {
    "common.built_with": "构建于", "common.built_with_gradio": "使用 Gradio 构建", "common.clear": "清除",
    "common.download": "下载", "common.download_all": "全部下载", "common.edit": "编辑", "common.empty": "空",
    "common.error": "错误", "common.hosted_on": "托管在", "common.loading": "加载中", "common.logo": "标志",
    "common.or": "或", "common.remove": "移除", "common.share": "分享", "common.submit": "提交", "common.undo": "撤销",
    "common.settings": "设置", "common.language": "语言", "common.display_theme": "显示主题", "common.progress": "进度",
    "common.pwa": "渐进式 Web 应用", "common.upload": "上传",
    "upload_text.uploading": "正在上传...", "common.no_devices": "未找到设备", "common.run": "运行",
    "common.runs": "运行记录", "common.runs_description": "查看保存在本浏览器中的运行记录",
    "common.back_to_app": "应用", "common.back_to_app_description": "返回应用",
    "errors.use_via_api": "通过 API 使用", "errors.use_via_api_or_mcp": "通过 API 或 MCP 使用",
    "chatbot.edit": "编辑", "chatbot.retry": "重试", "chatbot.undo": "撤销", "chatbot.submit": "发送",
    "chatbot.cancel": "取消", "chatbot.like": "赞", "chatbot.dislike": "踩", "chatbot.clear": "清空对话",
    "chatbot.copy_message": "复制消息", "chatbot.copied_message": "已复制",
    "upload_text.click_to_upload": "点击上传", "upload_text.drop_file": "将文件拖放到此处",
    "login.login": "登录", "login.username": "用户名", "login.password": "密码",
    "login.incorrect_credentials": "凭据不正确",
    "dropdown.dropdown": "下拉菜单", "radio.radio": "单选框", "slider.slider": "滑块",
}

# Clicks on a .rag-copy button copy the hidden .rag-plain text beside it (present.copy_button);
# the Clipboard API needs a secure page (https or this machine), so a plain-http address on the
# network falls back to a selected textarea.
COPY_SCRIPT = """
document.addEventListener('click', (event) => {
  const button = event.target.closest('.rag-copy');
  if (!button) return;
  event.preventDefault();
  const plain = button.closest('.rag-copybox').querySelector('.rag-plain').cloneNode(true);
  plain.querySelectorAll('br').forEach((br) => br.replaceWith('\\n'));
  const text = plain.textContent;
  const done = () => {
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = '已复制';
    setTimeout(() => { button.textContent = label; }, 1500);
  };
  const fallback = () => {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
    done();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else {
    fallback();
  }
});
"""

# At the click, in the page: the question moves from the box to the hidden "pending" box and the
# question box is emptied before anything reaches the server, so text typed while the server
# replies stays where it is typed.
TAKE_QUESTION = "(question) => [question, '']"

# After a question (and again after its answer), scroll the chat so the new question is at the
# top of its box, below the box's icons: a long answer is then read from its start, under the
# question it answers.
SCROLL_TO_QUESTION = """
() => {
  const scroll = () => {
    const rows = document.querySelectorAll('#chat .user-row');
    const last = rows[rows.length - 1];
    if (!last) return;
    let box = last.parentElement;
    while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
    if (box) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 44;
  };
  setTimeout(scroll, 60);
  setTimeout(scroll, 300);
}
"""

# Labels Gradio writes in English whatever the language (tooltips and screen-reader labels).
GRADIO_LABELS = {"Scroll down": "滚动到底部", "More tabs": "更多标签页", "chatbot conversation": "对话记录",
                 "Gradio footer navigation": "页脚导航", "Remove this file": "移除此文件",
                 "Click to upload or drop files": "点击上传或拖放文件", "File upload": "上传文件"}
RELABEL_SCRIPT = """
const labels = %s;
const relabel = (root) => root.querySelectorAll('[title], [aria-label]').forEach((el) => {
  for (const name of ['title', 'aria-label']) {
    const value = el.getAttribute(name);
    if (value && labels[value]) el.setAttribute(name, labels[value]);
  }
});
relabel(document);
new MutationObserver(() => relabel(document)).observe(document.body, {subtree: true, childList: true});
""" % json.dumps(GRADIO_LABELS, ensure_ascii=False)

PAGE_SCRIPT = "() => {" + COPY_SCRIPT + RELABEL_SCRIPT + "}"

STYLE = """
.rag-plain { display: none; }
.rag-copy { font-size: 12px; line-height: 1.6; padding: 0 6px; margin-left: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); border-radius: 4px; background: var(--background-fill-secondary); }
details.rag-entry { margin: 0 0 6px; padding: 4px 8px; border-left: 3px solid var(--border-color-primary); }
details.rag-entry > summary { cursor: pointer; }
details.rag-entry[open] { border-left-color: var(--color-accent); background: var(--background-fill-secondary); }
#chat .message-wrap { padding-top: 40px; }
#essay-table td:first-child, #essay-table th:first-child { white-space: nowrap; }
@media (max-width: 640px) {
  #chat .bot-row, #chat .bot-row .flex-wrap, #chat .bot-row .message { max-width: 100% !important; width: 100%; }
  #chat .message-row { margin-left: 0 !important; margin-right: 0 !important; }
  #chat .user-row { max-width: 88% !important; }
}
"""


def page_options() -> dict:
    """The launch options that make the page: Chinese, the script and the stylesheet."""
    return {"i18n": gr.I18n(en=GRADIO_CHINESE), "js": PAGE_SCRIPT, "css": STYLE}
