"""Essays as Word, PDF and text files (rag/formats.py), collections (subfolders) and
incremental indexing (rag/build.py), on files written here with python-docx and reportlab."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, run_cli

DOCX_ESSAY = ("村庄规划的几点体会", "县自然资源局干部", [
    ("Heading 1", "一、规划先行"),
    (None, "青石村请来专家编制村庄规划，把闲置农房改造成十二间民宿。"),
    ("Heading 1", "二、产业带动"),
    (None, "青石村成立了茶叶合作社，带动一百多户农户增收。"),
])
PDF_LINES = ["学习体会汇编", "水利建设的思考", "县水利局干部",
             "白沙村修建了两座山塘水库，解决了三百亩农田的灌溉问题，", "村民种上了高山蔬菜。"]
TXT_ESSAY = "数字乡村的启示\n县大数据局干部\n红岭村上线了村务小程序，村民在手机上就能查看村级财务公开。\n"


def write_docx(path, title, author, paragraphs, table=None) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph(title, style="Title")
    doc.add_paragraph(author)
    for style, text in paragraphs:
        doc.add_paragraph(text, style=style) if style else doc.add_paragraph(text)
    if table:
        grid = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    doc.save(str(path))


def write_pdf(path, pages: list[list[str]], encrypt: str | None = None) -> None:
    """A text PDF in a standard Chinese CID font; each page's first line is a running header and
    its page number is drawn at the foot."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), encrypt=encrypt)
    for number, lines in enumerate(pages, start=1):
        pdf.setFont("STSong-Light", 11)
        for i, line in enumerate(lines):
            pdf.drawString(60, 790 - 18 * i, line)
        pdf.drawString(290, 30, str(number))
        pdf.showPage()
    pdf.save()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A folder with one essay in each format."""
    folder = tmp_path_factory.mktemp("mixed") / "corpus"
    folder.mkdir()
    write_docx(folder / "规划.docx", *DOCX_ESSAY, table=[["村名", "民宿"], ["青石村", "12间"]])
    header = PDF_LINES[0]
    write_pdf(folder / "水利.pdf", [PDF_LINES, [header, "第二年又修了一条引水渠。"]])
    (folder / "数字.txt").write_text(TXT_ESSAY, encoding="utf-8")
    return folder


def test_each_format_becomes_an_essay(mixed):
    from rag.corpus import load_corpus

    corpus = load_corpus(mixed)
    essays = {e.source: e for e in corpus.essays}
    assert corpus.warnings == []
    docx, pdf, txt = essays["规划.docx"], essays["水利.pdf"], essays["数字.txt"]
    assert (docx.title, docx.author) == ("村庄规划的几点体会", "县自然资源局干部")
    assert [s.heading_path for s in docx.sections] == [("一、规划先行",), ("二、产业带动",)]
    assert "青石村 | 12间" in corpus.texts["规划.docx"]  # a table row as a line of text
    assert (pdf.title, pdf.author) == ("水利建设的思考", "县水利局干部")
    text = corpus.texts["水利.pdf"]
    # The running header and the page numbers are dropped; the broken line is joined again.
    assert "学习体会汇编" not in text and "\n1\n" not in text and not text.rstrip().endswith("2")
    assert "灌溉问题，村民种上了高山蔬菜。" in text and "第二年又修了一条引水渠。" in text
    assert (txt.title, txt.author) == ("数字乡村的启示", "县大数据局干部")


def test_search_finds_a_sentence_of_each_format_with_exact_offsets(mixed, tmp_path, encoder):
    from rag import build, store
    from rag.assistant import Assistant
    from rag.config import Settings
    from rag.text import Tokenizer

    settings = Settings(corpus=mixed, index_dir=tmp_path / "index")
    build.build_index(settings, encoder=encoder, progress=False)
    index = store.load(settings.index_dir)
    assistant = Assistant(settings, index, encoder, Tokenizer(index.terms))
    for question, source, words in [("青石村请谁来编制村庄规划？", "规划.docx", "请来专家编制村庄规划"),
                                    ("白沙村修了几座山塘水库？", "水利.pdf", "两座山塘水库"),
                                    ("红岭村上线了什么？", "数字.txt", "村务小程序")]:
        top = assistant.search(question, k=3).hits[0].chunk
        assert top.source == source and words in top.text
        assert index.sources[source][top.start : top.end] == top.text


def test_an_unchanged_corpus_is_checked_without_reading_its_files(mixed, tmp_path, encoder, monkeypatch):
    """Whether the index is stale is decided from the files' bytes: Word and PDF files are not
    extracted again at every start; a changed file is."""
    import shutil

    from rag import build, corpus
    from rag.config import Settings

    folder = tmp_path / "corpus"
    shutil.copytree(mixed, folder)
    settings = Settings(corpus=folder, index_dir=tmp_path / "index")
    build.build_index(settings, encoder=encoder, progress=False)
    read = []
    real = corpus.read_document
    monkeypatch.setattr(corpus, "read_document", lambda path, name=None: read.append(name) or real(path, name))
    assert build.problems(settings) == [] and read == []
    with (folder / "数字.txt").open("a", encoding="utf-8") as fh:
        fh.write("红岭村还建了文化礼堂。\n")
    assert build.problems(settings) == ["语料已更改"] and sorted(read) == ["数字.txt", "水利.pdf", "规划.docx"]


def test_a_compiled_docx_reads_like_the_compiled_text(tmp_path):
    """The bundled corpus as one Word document (a paragraph per line) gives the same text, so the
    same essays, sections, chunks and evaluation numbers."""
    from docx import Document

    from rag.chunk import chunk_corpus
    from rag.corpus import load_corpus

    text = CORPUS.read_text(encoding="utf-8")
    doc = Document()
    for line in text.split("\n"):
        doc.add_paragraph(line)
    doc.save(str(tmp_path / "essays.docx"))
    as_text, as_docx = load_corpus(CORPUS), load_corpus(tmp_path / "essays.docx")
    assert as_docx.texts["essays.docx"] == text
    assert [(e.title, e.author, e.start, e.end, e.sections) for e in as_docx.essays] == \
        [(e.title, e.author, e.start, e.end, e.sections) for e in as_text.essays]
    assert [c.text for c in chunk_corpus(as_docx)] == [c.text for c in chunk_corpus(as_text)]


BAD_FILES = [
    ("空白.txt", lambda p: p.write_text("  \n", encoding="utf-8"), "空文件"),
    ("旧编码.txt", lambda p: p.write_bytes("村庄规划".encode("gbk")), "不是 UTF-8"),
    ("假的.docx", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100), "不是有效的 Word 文档"),
    ("加密.pdf", lambda p: write_pdf(p, [["机密内容。"]], encrypt="secret"), "已加密"),
    ("扫描件.pdf", lambda p: write_pdf(p, [[]]), "未能提取文字，可能是扫描件"),
    ("坏的.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50), "无法解析"),
    ("超大.pdf", lambda p: p.open("wb").truncate(50 * 2**20), "超过单个文件"),
]


@pytest.mark.parametrize("name, write, message", BAD_FILES)
def test_a_bad_file_is_named_and_the_others_still_load(tmp_path, name, write, message):
    from rag.corpus import load_corpus

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "数字.txt").write_text(TXT_ESSAY, encoding="utf-8")
    write(folder / name)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.stat().st_size < 2**20}
    corpus = load_corpus(folder)
    assert [e.source for e in corpus.essays] == ["数字.txt"]
    assert any(name in w and message in w for w in corpus.warnings), corpus.warnings
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.stat().st_size < 2**20} == before


def test_collections_are_subfolders_and_filter_search(tmp_path, encoder):
    from rag import build, store
    from rag.assistant import Assistant, QuestionError
    from rag.config import Settings
    from rag.text import Tokenizer

    folder = tmp_path / "corpus"
    (folder / "2024春").mkdir(parents=True)
    (folder / "2024秋").mkdir()
    (folder / "2024春" / "数字.txt").write_text(TXT_ESSAY, encoding="utf-8")
    (folder / "2024秋" / "数字二.txt").write_text(TXT_ESSAY.replace("红岭村", "绿水村"), encoding="utf-8")
    settings = Settings(corpus=folder, index_dir=tmp_path / "index")
    build.build_index(settings, encoder=encoder, progress=False)
    index = store.load(settings.index_dir)
    assert {(c.source, c.collection) for c in index.chunks} == {("2024春/数字.txt", "2024春"),
                                                                ("2024秋/数字二.txt", "2024秋")}
    assistant = Assistant(settings, index, encoder, Tokenizer(index.terms))
    hits = assistant.search("哪个村上线了村务小程序？", collection="2024秋").hits
    assert hits and {h.chunk.collection for h in hits} == {"2024秋"}
    assert hits[0].to_dict()["collection"] == "2024秋"
    with pytest.raises(QuestionError, match="没有名为“2025”的文集"):
        assistant.search("村务小程序", collection="2025")
    # questions about the collection itself count within the collection chosen
    counted = assistant.ask("资料里共有多少篇文章？", collection="2024秋")
    assert counted.answer.startswith("资料共收文章1篇") and counted.answer.count("《数字乡村的启示》") == 1
    assert {c.hit.chunk.collection for c in counted.citations} == {"2024秋"}
    assert assistant.ask("资料里共有多少篇文章？").answer.startswith("资料共收文章2篇")
    result = run_cli("search", "村务小程序", "--json", "--collection", "2024春", "--quiet",
                     env={"RAG_CORPUS": str(folder), "RAG_INDEX_DIR": str(settings.index_dir)})
    assert result.returncode == 0, result.stderr
    assert {h["collection"] for h in json.loads(result.stdout)["hits"]} == {"2024春"}


class CountingEncoder:
    """The real encoder, counting the texts it is asked to encode."""

    def __init__(self, encoder) -> None:
        self.encoder, self.ref, self.dim, self.texts = encoder, encoder.ref, encoder.dim, 0

    def encode(self, texts, **options):
        self.texts += 1 if isinstance(texts, str) else len(texts)
        return self.encoder.encode(texts, **options)


def test_incremental_build_encodes_only_what_changed(tmp_path, encoder, capsys):
    from rag import build, store
    from rag.config import Settings

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "数字.txt").write_text(TXT_ESSAY, encoding="utf-8")
    write_docx(folder / "规划.docx", *DOCX_ESSAY)
    settings = Settings(corpus=folder, index_dir=tmp_path / "index")
    first = CountingEncoder(encoder)
    build.build_index(settings, encoder=first, progress=False)
    full = first.texts
    assert full > 0

    (folder / "三.txt").write_text("产业振兴的体会\n县农业局干部\n黄泥村种了五百亩猕猴桃。\n", encoding="utf-8")
    added = CountingEncoder(encoder)
    manifest = build.build_index(settings, encoder=added, progress=True)
    assert "新增 1 篇，更新 0 篇，删除 0 篇，未变 2 篇" in capsys.readouterr().err
    assert 0 < added.texts == manifest["encoded"] < full / 2  # only the new essay's passages and sentences
    again = CountingEncoder(encoder)
    (folder / "数字.txt").write_text(TXT_ESSAY.replace("村务小程序", "村务公众号"), encoding="utf-8")
    (folder / "规划.docx").unlink()
    manifest = build.build_index(settings, encoder=again, progress=False)
    assert manifest["files_changed"] == {"added": 0, "changed": 1, "removed": 1, "unchanged": 1}
    index = store.load(settings.index_dir)
    assert sorted(index.sources) == ["三.txt", "数字.txt"] and "村务公众号" in index.sources["数字.txt"]
    assert 0 < again.texts < full
    # The reused vectors are the ones a full build makes.
    fresh = tmp_path / "fresh"
    build.build_index(Settings(corpus=folder, index_dir=fresh), encoder=encoder, progress=False)
    rebuilt = store.load(fresh)
    assert abs(index.sentence_vectors - rebuilt.sentence_vectors).max() < 1e-5
