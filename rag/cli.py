"""The `rag` command: index, search, ask (see `rag --help`).

Output is for people by default and the JSON contract of DESIGN.md with `--json` or
`--batch`. Bad input exits 2 with one line in Chinese on stderr, never a traceback;
a missing model or unusable index exits 1 the same way.
Heavy libraries are imported inside the commands, so `rag --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Iterator

from rag.batch import read_batch
from rag.jsonl import JsonlError

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class UserError(Exception):
    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages are English and multi-line
        raise UserError(f"参数错误：{message}（见 rag --help）")


def _print_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _settings(args):
    from rag.config import Settings

    return Settings.from_env(corpus=getattr(args, "corpus", None), k=getattr(args, "k", None),
                             mode=getattr(args, "mode", None), adapt=getattr(args, "adapt", None))


def _requests(args) -> Iterator[dict]:
    if args.batch:
        try:
            yield from read_batch(Path(args.batch))
        except JsonlError as exc:
            raise UserError(f"批量文件有误：{exc}") from None
    else:
        if args.question is None or not args.question.strip():
            raise UserError("问题不能为空")
        yield {"id": None, "question": args.question, "history": []}


def cmd_index(args) -> None:
    from rag import build

    settings = _settings(args)
    if not Path(settings.corpus).exists():
        raise UserError(f"语料路径不存在：{settings.corpus}")
    if not args.force:
        reasons = build.problems(settings, verify=True)
        if not reasons:
            manifest = build.current_manifest(settings)
            where = settings.index_dir if settings.store == "local" else f"Milvus {settings.milvus_collection}"
            print(f"索引已是最新：{manifest['chunks']} 个段落，模型 {manifest['model']}（{where}）")
            return
        print("需要构建索引：" + "；".join(reasons), file=sys.stderr)
    started = time.perf_counter()
    manifest = build.build_index(settings, progress=not args.quiet)
    print(f"索引已建立：{manifest['essays']} 篇文章，{manifest['chunks']} 个段落，{manifest['sentences']} 个句子；"
          f"模型 {manifest['model']}（{manifest['dimension']} 维）；用时 {time.perf_counter() - started:.1f} 秒")


def _assistant(args):
    from rag.assistant import Assistant

    return Assistant.load(_settings(args), progress=not getattr(args, "quiet", False))


def _print_hit(hit) -> None:
    c = hit.chunk
    print(f"[{hit.rank}] {hit.score:.4f}  《{c.title}》 {c.author}")
    print(f"    {c.heading}")
    print(f"    {c.text[:160]}{'……' if len(c.text) > 160 else ''}")


def _answer_each(args, respond) -> None:
    """Run `respond(assistant, request)` for every request; in a batch, a line that cannot be
    asked prints `{id, line, error}` in its place, and the run ends with exit code 2."""
    from rag.assistant import QuestionError

    requests = list(_requests(args))
    assistant = _assistant(args)
    failed = 0
    for req in requests:
        if "error" in req:
            failed += 1
            _print_json(req)
            continue
        try:
            respond(assistant, req)
        except QuestionError as exc:
            if not args.batch:
                raise
            failed += 1
            _print_json({"id": req["id"], "error": str(exc)})
    if failed:
        raise UserError(f"批量文件中 {failed} 行无法回答（输出中为 error），其余 {len(requests) - failed} 行已回答")


def cmd_search(args) -> None:
    def respond(assistant, req) -> None:
        result = assistant.search(req["question"], k=args.k, mode=args.mode, history=req.get("history", []),
                                  collection=args.collection)
        if args.json or args.batch:
            _print_json({"id": req["id"], **result.to_dict()})
        else:
            for hit in result.hits:
                _print_hit(hit)

    _answer_each(args, respond)


def print_answer(answer) -> None:
    from rag.render import answer_blocks, to_text

    print(f"问：{answer.question}")
    print(to_text(answer_blocks(answer)))
    print()


def cmd_ask(args) -> None:
    def respond(assistant, req) -> None:
        answer = assistant.ask(req["question"], history=req.get("history", []), k=args.k, mode=args.mode,
                               collection=args.collection)
        if args.json or args.batch:
            _print_json({"id": req["id"], **answer.to_dict()})
        else:
            print_answer(answer)

    _answer_each(args, respond)


def cmd_eval(args) -> None:
    from rag.config import MODES, check_choice
    from rag.evaluate.metrics import load_questions, split_groups
    from rag.evaluate.report import summary_lines, write_reports
    from rag.evaluate.run import evaluate, run_header

    modes = () if args.no_retrieval else tuple(m.strip() for m in args.modes.split(",") if m.strip())
    try:
        for mode in modes:
            check_choice("mode", mode, MODES)
    except ValueError:
        raise UserError(f"--modes 只能包含 {', '.join(MODES)}") from None
    if args.limit is not None and (args.limit < 1 or not args.squad):
        raise UserError("--limit 须为正整数，且只用于 --squad")
    if args.squad_only and not args.squad:
        raise UserError("--squad-only 需要同时给出 --squad FILE")
    squad = None
    if args.squad:  # read before loading anything, so a bad file fails at once
        from rag.squad import SquadError, load_squad

        try:
            squad = load_squad(Path(args.squad), args.limit)
        except SquadError as exc:
            raise UserError(str(exc)) from None
    questions = None if args.squad_only else load_questions(Path(args.qa))
    if questions is not None:
        split_groups(questions, args.split)  # an empty split fails before the model loads
    notes = ""
    if args.notes:
        if not Path(args.notes).is_file():
            raise UserError(f"说明文件不存在：{args.notes}")
        notes = Path(args.notes).read_text(encoding="utf-8")
    result, encoder = run_header(), None
    if questions is not None:
        assistant = _assistant(args)
        encoder = assistant.encoder
        result = evaluate(assistant, questions, modes, k=args.k or 10, baselines=not args.no_baselines,
                          split=args.split, show_progress=not args.quiet)
    if squad is not None:
        from rag.squad import evaluate_squad

        result["cmrc"] = evaluate_squad(squad, _settings(args), source=Path(args.squad).name, encoder=encoder,
                                        show_progress=not args.quiet)
    paths = write_reports(result, Path(args.out), notes)
    print("\n".join(summary_lines(result)))
    print("报告：" + "，".join(str(p) for p in paths))


def cmd_dossier(args) -> None:
    from rag.present import dossier_overview
    from rag.trainers.dossier import find

    assistant = _assistant(args)
    names = assistant.names()
    if not args.name:
        if args.json:
            _print_json({"names": [{"name": n.name, "kind": n.kind, "essays": n.essays, "paragraphs": len(n.paragraphs),
                                    "merged": list(n.merged), "source": n.source} for n in names]})
        else:
            print(dossier_overview(names))
        return
    name = find(names, args.name)
    if name is None:
        raise UserError(f"资料中没有名为“{args.name}”的村庄或做法（不带参数运行 rag dossier 查看全部）")
    if args.json:
        from rag.trainers.dossier import naming_sentences

        index = assistant.index
        _print_json({"name": name.name, "kind": name.kind, "merged": list(name.merged), "source": name.source,
                     "essays": [
            {"essay": e, "title": index.essay(e).title, "author": index.essay(e).author,
             "passages": [{"start": s, "end": t, "sentences": [index.sources[index.essay(e).source][a:b].strip()
                                                              for a, b in naming_sentences(index, name, e, s, t)]}
                          for pe, s, t in name.paragraphs if pe == e]} for e in name.essays]})
    else:
        from rag.present import dossier_markdown

        print(dossier_markdown(assistant.index, name))


def cmd_brief(args) -> None:
    from rag.trainers.brief import build_brief, write_brief

    path = Path(args.questions)
    if not path.is_file():
        raise UserError(f"问题文件不存在：{path}")
    questions = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not questions:
        raise UserError(f"问题文件中没有问题：{path}")
    assistant = _assistant(args)
    brief = build_brief(assistant, questions, assistant.names())
    for written in write_brief(brief, assistant.index, Path(args.out)):
        print(f"已写出：{written}")


def cmd_serve(args) -> None:
    from rag.config import Settings

    Settings.from_env(host=args.host, port=args.port)  # validate before the slow start
    from rag.ui import serve

    serve(args.host, args.port)


def build_parser() -> argparse.ArgumentParser:
    from rag.config import MODES

    parser = ChineseArgumentParser(prog="rag", description="千万工程培训心得问答助手：检索、问答、评测。")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)

    p = sub.add_parser("index", help="构建索引（已是最新则跳过）")
    p.add_argument("--corpus", type=Path, help="语料文件或文件夹（默认 corpus/ 文件夹）")
    p.add_argument("--force", action="store_true", help="即使索引已是最新也重建")
    p.add_argument("--adapt", choices=("auto", "0", "1"),
                   help="按语料微调嵌入模型（默认 auto，即不微调：实测无益，见 eval/NOTES.md；也可用 RAG_ADAPT）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_index)

    for name, func, text in (("search", cmd_search, "检索相关段落"), ("ask", cmd_ask, "回答问题并给出引用")):
        p = sub.add_parser(name, help=text)
        p.add_argument("question", nargs="?", help="问题")
        p.add_argument("--k", type=int, help="返回的段落数（默认 10）")
        p.add_argument("--mode", choices=MODES, help="检索方式（默认 hybrid）")
        p.add_argument("--collection", help="只在这个文集（语料文件夹下的子文件夹）中检索")
        p.add_argument("--json", action="store_true", help="输出 JSON")
        p.add_argument("--batch", metavar="FILE", help="JSONL 文件，每行 {id, question[, history]}")
        p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
        p.add_argument("--quiet", action="store_true", help="不显示进度条")
        p.set_defaults(func=func)

    p = sub.add_parser("eval", help="在评测集上测量检索与回答质量")
    p.add_argument("--qa", default=str(Path(__file__).resolve().parent.parent / "eval" / "qa.jsonl"),
                   help="评测问题 JSONL（默认 eval/qa.jsonl）")
    p.add_argument("--split", choices=("dev", "test", "all"), default="all",
                   help="只评测 dev 或 test 部分；all（默认）分别计算两部分并排列出")
    p.add_argument("--modes", default=",".join(MODES), help="逗号分隔的检索方式（默认 hybrid,dense,bm25）")
    p.add_argument("--k", type=int, help="评测的检索深度（默认 10）")
    p.add_argument("--out", default="eval/reports", help="报告输出目录（默认 eval/reports）")
    p.add_argument("--notes", help="附在报告末尾的 Markdown 说明文件")
    p.add_argument("--no-baselines", action="store_true", help="不评测固定长度分块基线")
    p.add_argument("--no-retrieval", action="store_true", help="只评测回答，不评测检索")
    p.add_argument("--squad", metavar="FILE",
                   help="另测 SQuAD v1 格式的文件（如 CMRC 2018），结果写入同一报告的 CMRC 2018 一节")
    p.add_argument("--squad-only", action="store_true", help="只测 --squad 文件，不测评测集")
    p.add_argument("--limit", type=int, help="--squad 只问前 N 个问题（段落全部建索引）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("dossier", help="村庄与做法：列出全部，或看某一个在各篇文章中的段落")
    p.add_argument("name", nargs="?", help="村庄或做法的名称，例如 何斯路村")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_dossier)

    p = sub.add_parser("brief", help="为一组问题生成研讨讲义（Markdown 和 .docx）")
    p.add_argument("questions", help="问题文件，每行一个问题")
    p.add_argument("--out", default="brief.md", help="输出文件（另写同名 .docx，默认 brief.md）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("serve", help="启动网页界面（默认 http://127.0.0.1:7860）")
    p.add_argument("--host", help="监听地址（默认 127.0.0.1，或 RAG_HOST）")
    p.add_argument("--port", type=int, help="端口（默认 7860，或 RAG_PORT）")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "k", None) is not None and args.k < 1:
            raise UserError("--k 必须是正整数")
        if getattr(args, "batch", None) and getattr(args, "question", None):
            raise UserError("--batch 与问题参数不能同时使用")
        args.func(args)
        return 0
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - every known failure becomes one line for people
        message, code = _describe(exc)
        print(f"错误：{message}", file=sys.stderr)
        return code


def _describe(exc: Exception) -> tuple[str, int]:
    """Known exception types as (Chinese message, exit code); anything else re-raised."""
    from rag.assistant import QuestionError
    from rag.config import SettingsError
    from rag.corpus import CorpusError
    from rag.embed import ModelMissing
    from rag.evaluate.metrics import EvalSetError
    from rag.store import IndexUnavailable

    if isinstance(exc, (QuestionError, CorpusError, EvalSetError, SettingsError)):
        return str(exc), EXIT_BAD_INPUT
    if isinstance(exc, (ModelMissing, IndexUnavailable)):
        return str(exc), EXIT_FAILURE
    raise exc


if __name__ == "__main__":
    sys.exit(main())
