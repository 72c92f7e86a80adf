"""The UI's 资料管理 tab, built only when a login is configured: the essays in the index, adding
uploaded Word, PDF or text files, removing one, and rebuilding the index with a progress bar.

The rebuild encodes only what changed (rag/build.py); the chat keeps answering from the previous
index until the new one is loaded, then every session answers from the new one (`ChatUI.swap`).
Library events run one at a time (one concurrency group), and the build's file lock keeps a
`rag index` started elsewhere from interleaving.
Leaves out: the file operations (library.py) and the chat (ui.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import gradio as gr

from rag import build, library, present
from rag.corpus import CorpusError, file_digests, source_files
from rag.store import IndexUnavailable

log = logging.getLogger("rag.ui")

TOP_LEVEL = "（顶层）"  # the collection choice meaning the corpus folder itself


class LibraryUI:
    """The tab's handlers around the chat's `ChatUI` (whose assistant a rebuild replaces)."""

    def __init__(self, ui) -> None:
        self.ui = ui

    @property
    def folder(self) -> Path:
        return Path(self.ui.assistant.settings.corpus)

    def pending(self) -> dict[str, int]:
        """What changed in the corpus folder since the index was built (by file SHA-256)."""
        return build.file_changes(self.ui.index.manifest.get("file_sha256", {}), file_digests(self.folder))

    def status(self) -> str:
        index = self.ui.index
        where = f"文件夹 `{self.folder.name}/`" if self.folder.is_dir() else f"单个文件 `{self.folder.name}`（只读）"
        lines = [f"语料：{where}；索引：{len(index.essays)} 篇文章，{len(index.chunks)} 个段落，"
                 f"建于 {index.manifest.get('built_at', '')[:16].replace('T', ' ')}。"]
        changes = self.pending()
        if changes["added"] or changes["changed"] or changes["removed"]:
            lines.append(f"**尚未重建**：{build.changes_line(changes)}。点“重建索引”后问答才会用到。")
        return "\n\n".join(lines)

    def removable(self) -> list[tuple[str, str]]:
        essays = Counter(e.source for e in self.ui.index.essays)
        return [(f"{name}（{essays[name]} 篇）" if name in essays else f"{name}（未索引）", name)
                for name, _ in source_files(self.folder)]

    def collections(self) -> list[str]:
        return [TOP_LEVEL] + (library.collections(self.folder) if self.folder.is_dir() else [])

    def table(self) -> str:
        """The indexed essays as a Markdown table."""
        rows = [[present.escape(str(cell)) for cell in row] for row in library.essay_rows(self.ui.index)]
        return "\n".join(["| " + " | ".join(library.COLUMNS) + " |", "|---:|---|---|---|---|---:|"]
                         + ["| " + " | ".join(row) + " |" for row in rows])

    def listing(self) -> tuple:
        """(status, essay table, files to remove, collections to upload into)."""
        return (self.status(), self.table(),
                gr.update(choices=self.removable(), value=None),
                gr.update(choices=self.collections(), value=TOP_LEVEL))

    def add(self, files, collection: str | None) -> tuple[str, None]:
        """Add the uploaded files; one line per file says what became of it. The upload box empties."""
        if not files:
            return "请先选择要上传的文件（.docx、.pdf、.txt、.md）。", None
        collection = "" if collection in (None, TOP_LEVEL) else collection
        lines = []
        for upload in files:
            path = Path(getattr(upload, "name", upload))
            try:
                added = library.add_file(self.folder, path, path.name, collection)
            except CorpusError as exc:
                lines.append(f"- ⚠️ {present.escape(str(exc))}")
                continue
            replaced = "，替换了同名旧文件（旧文件移到 .已移除/）" if added.replaced else ""
            lines.append(f"- 已加入 {present.escape(added.source)}：{added.essays} 篇文章{replaced}")
        return "\n".join(lines), None

    def remove(self, source: str | None) -> str:
        if not source:
            return "请先选择要移除的文件。"
        try:
            aside = library.remove_file(self.folder, source)
        except CorpusError as exc:
            return f"⚠️ {present.escape(str(exc))}"
        kept = aside.relative_to(self.folder).as_posix()
        return f"- 已移除 {present.escape(source)}（文件保存在 {present.escape(kept)}，可随时移回）"

    def rebuild(self, message: str = "", progress=gr.Progress()) -> tuple:  # noqa: B008 - how Gradio asks for one
        """Rebuild the index if the corpus changed and answer from it; `message` (what the add or
        remove said) is kept above the result. Returns the tab's listing and the chat's views."""
        if not any(count for kind, count in self.pending().items() if kind != "unchanged"):
            result = "索引已是最新，无需重建。"
        else:
            try:
                assistant = self.ui.assistant.rebuilt(lambda share, doing: progress(share, desc=doing))
            except (CorpusError, IndexUnavailable, OSError, ValueError) as exc:  # said in Chinese already
                result = f"⚠️ 重建失败，仍使用原来的索引：{present.escape(str(exc))}"
            except Exception:  # noqa: BLE001 - the trainer sees one line; the log keeps the details
                log.exception("rebuild failed")
                result = "⚠️ 重建失败，仍使用原来的索引。"
            else:
                self.ui.swap(assistant)
                manifest = assistant.index.manifest
                result = (f"索引已更新（{build.changes_line(manifest['files_changed'])}，"
                          f"用时 {manifest['build_seconds']:.1f} 秒）。问答已使用新索引。")
        return ("\n\n".join(part for part in (message, result) if part),) + self.listing() + self.ui.views()


def library_tab(ui, views: list) -> LibraryUI:
    """The 资料管理 tab inside the Blocks being built; `views` are the chat's components that
    follow the index (ChatUI.views), refreshed after a rebuild."""
    tab = LibraryUI(ui)
    status, rows, removable, collections = tab.listing()
    with gr.Tab("资料管理", elem_id="library-tab"):
        status_view = gr.Markdown(status, elem_id="library-status")
        table = gr.Markdown(rows, elem_id="library-table")
        with gr.Row():
            with gr.Column():
                uploads = gr.File(label="上传文章（Word .docx、PDF、.txt、.md；可多选）", file_count="multiple",
                                  elem_id="library-upload")
                collection = gr.Dropdown(collections["choices"], value=TOP_LEVEL, label="放入文集（可输入新文集名）",
                                         allow_custom_value=True, elem_id="library-collection")
                add = gr.Button("加入语料并重建索引", variant="primary", elem_id="library-add")
            with gr.Column():
                source = gr.Dropdown(removable["choices"], value=None, label="移除文件（移到 .已移除/，可恢复）",
                                     elem_id="library-remove-choice")
                remove = gr.Button("移除并重建索引", elem_id="library-remove")
                rebuild = gr.Button("重建索引", elem_id="library-rebuild")
        result = gr.Markdown(elem_id="library-result")
    outputs = [result, status_view, table, source, collection, *views]
    # One at a time, apart from the chat's queue: the chat keeps answering while the index builds.
    group = {"concurrency_id": "library", "concurrency_limit": 1, "api_visibility": "private"}
    rebuilding = {"show_progress_on": [result], **group}
    add.click(tab.add, [uploads, collection], [result, uploads], **group).then(
        tab.rebuild, result, outputs, **rebuilding)
    remove.click(tab.remove, source, result, **group).then(tab.rebuild, result, outputs, **rebuilding)
    rebuild.click(lambda: "", None, result, **group).then(tab.rebuild, result, outputs, **rebuilding)
    return tab
