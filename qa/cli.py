"""The `qa` command: index, ask, eval, serve. The only place library errors become messages.

Configuration lives here, at the edge: flags with environment fallbacks (QA_SEEDS_DIR,
QA_INDEX_DIR, QA_MODEL). Heavy libraries load only in the subcommands that need them, so
`qa --help` and a no-change `qa index` are instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

from qa.errors import QAError

EXAMPLE = "Who commanded the CSTO peacekeeping force?"


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # the app parses its own options (`qa serve -h` lists them)
        from qa.ui import main as serve

        return serve(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except QAError as e:
        print(f"qa: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nqa: interrupted; the index is as it was before this run.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa ask ... | head`: the reader left; end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qa",
        description="Ask questions about transcripts and get answers cited to who said what.",
        epilog=f'example: qa index && qa ask "{EXAMPLE}"',
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp, seeds=False):
        sp.add_argument(
            "--index",
            type=Path,
            default=Path(_env("QA_INDEX_DIR", "index")),
            help="index folder (env QA_INDEX_DIR; default: index)",
        )
        if seeds:
            sp.add_argument(
                "--chroma-url",
                default=os.environ.get("QA_CHROMA_URL") or None,
                help="keep vectors on a Chroma server, e.g. http://127.0.0.1:8000 "
                "(env QA_CHROMA_URL; default: in the index folder)",
            )
            sp.add_argument(
                "--seeds",
                type=Path,
                default=Path(_env("QA_SEEDS_DIR", "seeds")),
                help="transcripts folder (env QA_SEEDS_DIR; default: seeds)",
            )

    sp = sub.add_parser("index", help="build or update the index from the seeds folder")
    common(sp, seeds=True)
    sp.add_argument(
        "--model",
        default=_env("QA_MODEL", "all-MiniLM-L6-v2"),
        help="embedding model: name or local path (env QA_MODEL; default: the "
        "bundled all-MiniLM-L6-v2)",
    )
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(run=cmd_index)

    sp = sub.add_parser("inspect", help="show how transcript files are read (no index needed)")
    sp.add_argument("files", nargs="+", type=Path, metavar="FILE", help="transcript files")
    sp.add_argument("--turns", type=int, default=3, help="turns to show per file (default: 3)")
    sp.set_defaults(run=cmd_inspect)

    sp = sub.add_parser("ask", help="answer a question with cited passages")
    sp.add_argument("question", help="the question, in quotes")
    common(sp, seeds=True)
    sp.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="EARLIER",
        help="an earlier question of the same chat (repeat, oldest first)",
    )
    sp.add_argument("--speaker", help="only passages by this speaker (name or surname)")
    sp.add_argument("--source", help="only passages from this seed file")
    sp.add_argument("-k", type=int, default=5, help="passages to cite (default: 5)")
    sp.add_argument("--json", action="store_true", help="print the answer as JSON")
    sp.add_argument("--llm", metavar="URL", default=None,
                    help="answer in a language model's words, checked against the passages: "
                    "base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 "
                    "(env QA_LLM_URL; key from QA_LLM_API_KEY or OPENAI_API_KEY)")  # fmt: skip
    sp.add_argument("--llm-model", metavar="NAME", default=None,
                    help="the model to ask (env QA_LLM_MODEL; default: the first the server "
                    "lists)")  # fmt: skip
    sp.add_argument("--llm-timeout", type=float, default=60.0, metavar="S",
                    help="seconds the model may take before the extractive answer is shown "
                    "(default: 60)")  # fmt: skip
    sp.set_defaults(run=cmd_ask)

    sp = sub.add_parser("serve", help="serve the web chat (same as python app.py)", add_help=False)
    sp.add_argument("rest", nargs=argparse.REMAINDER, help="app options, see `qa serve -h`")
    sp.set_defaults(run=lambda args: __import__("qa.ui").ui.main(args.rest))

    sp = sub.add_parser("eval", help="measure retrieval and answers on question files")
    common(sp)
    sp.add_argument("--qa-file", type=Path, action="extend", nargs="+", metavar="FILE",
                    help="questions, one JSON object per line; several files (or a repeated "
                         "--qa-file) are joined (default: eval/dev_qa.jsonl)")  # fmt: skip
    sp.add_argument("--seeds", type=Path, action="append", metavar="DIR",
                    help="evaluate on a fresh index of these folders (repeat to join them) "
                         "instead of --index")  # fmt: skip
    sp.add_argument("--compare", action="store_true",
                    help="also run the baselines (fixed-size chunks, dense, keyword, hybrid) "
                         "on fresh indexes of --seeds (default: seeds)")  # fmt: skip
    sp.add_argument(
        "--per-source",
        action="store_true",
        help="also one row per transcript (and its format) the questions are about",
    )
    sp.add_argument("--json", action="store_true", help="print the figures as JSON")
    sp.set_defaults(run=cmd_eval)
    return p


# --------------------------------------------------------------------------- index


def cmd_index(args) -> int:
    from qa.index import build

    progress = False if args.quiet else True if sys.stderr.isatty() else progress_lines()
    report = build(
        args.seeds, args.index, model=args.model, chroma_url=args.chroma_url, progress=progress
    )
    print(report.describe(args.seeds, args.index))
    return 0


def progress_lines(every: float = 5.0):
    """Progress for a log, not a terminal: a line every `every` seconds and at the end."""
    import time

    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= every:
            last[0] = now
            print(f"qa index: embedded {done} of {total} passages", file=sys.stderr, flush=True)

    return report


# --------------------------------------------------------------------------- inspect


def cmd_inspect(args) -> int:
    from qa.formats import read

    failed = 0
    for path in args.files:
        if not path.is_file():
            print(f"{path}: not found", file=sys.stderr)
            failed += 1
            continue
        try:
            doc = read(path.name, path.read_bytes())
        except QAError as e:
            print(f"{path}: cannot be read: {e}", file=sys.stderr)
            failed += 1
            continue
        print(describe_document(doc, path, turns=args.turns))
    return 2 if failed else 0


def describe_document(doc, path, *, turns: int = 3) -> str:
    """How a file was read: format, metadata, speakers and their turns, first turns, warnings."""
    from qa.types import clock

    counts: dict[str, int] = {}
    for t in doc.turns:
        if t.speaker:
            counts[t.speaker] = counts.get(t.speaker, 0) + 1
    roles = {t.speaker: t.role for t in doc.turns if t.speaker and t.role}
    out = [
        f"{path}",
        f"  format:   {doc.format}",
        f"  title:    {doc.title}",
        f"  date:     {doc.date or '-'}" + (f"   place: {doc.place}" if doc.place else ""),
        f"  turns:    {sum(1 for t in doc.turns if t.number > 0)}"
        f" ({sum(1 for t in doc.turns if t.speaker)} with a speaker)",
        f"  speakers: {len(counts)}",
    ]
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        role = f" ({roles[name]})" if name in roles else ""
        out.append(f"    {n:4d}  {name}{role}")
    shown = [t for t in doc.turns if t.speaker][:turns] or doc.turns[:turns]
    for t in shown:
        start, _, page = t.where(t.start, t.end)
        where = f" [{clock(start)}]" if start is not None else f" [p. {page}]" if page else ""

        body = " ".join(doc.text[t.start : t.end].split())
        out.append(f"  > {t.speaker or 'Narration'}{where}: {textwrap.shorten(body, 160)}")
    for w in doc.warnings:
        out.append(f"  warning: {w}")
    return "\n".join(out)


# --------------------------------------------------------------------------- ask


def cmd_ask(args) -> int:
    from qa.index import FORMAT, read_manifest
    from qa.pipeline import Pipeline
    from qa.understand import check_question

    check_question(args.question)  # a bad question is refused before any index is built
    manifest = read_manifest(args.index)
    if (manifest is None or manifest.get("format") != FORMAT) and args.seeds.is_dir():
        why = (f"no index at {args.index} yet" if manifest is None
               else f"the index at {args.index} is of an older qa")  # fmt: skip
        print(
            f"qa: {why}; building it from {args.seeds} (once)...",
            file=sys.stderr,
        )
        from qa.index import build

        report = build(
            args.seeds, args.index, chroma_url=args.chroma_url, progress=sys.stderr.isatty()
        )
        print(report.describe(args.seeds, args.index), file=sys.stderr)
    from qa.readers.llm import LLMSettings

    llm = LLMSettings.from_env(args.llm, args.llm_model, timeout=args.llm_timeout)
    a = Pipeline(args.index, llm=llm).answer(
        args.question, args.history or None, args.speaker, args.source, k=args.k
    )
    if args.json:
        print(json.dumps(a.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(format_answer(a, args.question, color=sys.stdout.isatty()))
    return 0


def format_answer(a, question: str = "", *, color: bool = False, width: int = 100) -> str:
    out = []
    if a.query and " ".join(question.split()) != a.query:
        out.append(f"Searched for: {a.query}\n")
    out.append(textwrap.fill(a.text, width))
    for sentence in a.unsupported:
        out.append(textwrap.fill(f"! not supported by the passage it cites: {sentence}", width))
    if a.fallback:
        out.append(f"(the language model's answer is not shown: {a.fallback})")
    for n, p in enumerate(a.citations, start=1):
        who = p.speaker or "Narration"
        if p.role:
            who += f" ({p.role})"
        out.append(
            f"\n[{n}] {who}\n    {p.title}, {p.date or 'undated'}  "
            f"[{p.location()}, score {p.score:.4f}]"
        )
        out.append(textwrap.indent(textwrap.fill(_mark(p, color), width - 4), "    "))
    return "\n".join(out)


def _mark(p, color: bool) -> str:
    """The passage text with the answering sentence(s) marked."""
    on, off = ("\033[1;33m", "\033[0m") if color else (">>", "<<")
    text, pos, parts = p.text, 0, []
    for a, b in sorted(p.highlights):
        a, b = a - p.start, b - p.start
        parts += [text[pos:a], on, text[a:b], off]
        pos = b
    parts.append(text[pos:])
    return " ".join("".join(parts).split())


# --------------------------------------------------------------------------- eval


def cmd_eval(args) -> int:
    import tempfile

    from qa.evaluate import compare, gather_seeds, load_questions, run, summarize, table

    questions = []
    for f in args.qa_file or [Path("eval/dev_qa.jsonl")]:
        if not f.is_file():
            raise QAError(f"question file not found: {f}")
        try:
            questions += load_questions(f)
        except ValueError as e:
            raise QAError(str(e)) from None
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as tmp:
        work = Path(tmp)
        if args.compare or args.seeds:
            seeds = gather_seeds(args.seeds or [Path("seeds")], work / "seeds")
        if args.compare:
            rows = compare(questions, seeds, work, progress=lambda m: print(m, file=sys.stderr))
            results = rows[-1][2]
        else:
            index = args.index
            if args.seeds:
                from qa.index import build

                index = work / "index"
                build(seeds, index)
            results = run(questions, index_dir=index)
            rows = [("shipped", summarize(results), results)]
    if args.json:
        print(json.dumps({"pipelines": {n: s for n, s, _ in rows},
                          "results": [r.__dict__ for r in results]},
                         ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    for r in results:
        if not r.correct or (r.answerable and r.rank != 1) or r.speaker_ok is False:
            print(f"MISS {r.id}: {r.question}\n  searched: {r.query}\n  retrieval rank: "
                  f"{r.rank}  answer ok: {r.correct}  speaker ok: {r.speaker_ok}\n"
                  f"  answer: {r.answer[:240]}")  # fmt: skip
    print(f"\n{len(questions)} questions\n")
    print(table([(n, s) for n, s, _ in rows]))
    shipped = rows[-1][1]
    print(f"\nshort answers (shipped): led with one on {shipped['short_given']} of the answered "
          f"answerable questions; right on {shipped['short_accuracy']} of those")  # fmt: skip
    if args.per_source:
        from qa.evaluate import per_source

        print("\n" + table(per_source(questions, results), first="source (format)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
