"""How the language-model reader's answers fare against the checker, on a question file.

    .venv/bin/python eval/llm_report.py --llm URL [--qa-file F ...] [--limit N] [--dump out.jsonl]
    .venv/bin/python eval/llm_report.py --labels eval/llm_checker_labels.jsonl

For each question: the model's answer is shown fully supported (every sentence found in the
passage it cites), partly (some sentences listed unsupported), or not at all (the extractive
answer is shown instead, with the reason). `--dump` writes every sentence the checker judged,
with the passage sentence it found (or none), for labelling by hand. Start a server first,
e.g. `.venv/bin/python tests/llm_server.py` (SmolLM2-135M: tests the plumbing, not wisdom).

`--labels` scores the checker as it is now against sentences labelled by hand (no model
needed): of the sentences it marks unsupported, how many really are; of the really
unsupported ones, how many it lets through.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.check import check  # noqa: E402
from qa.evaluate import load_questions  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--llm", help="base URL of an OpenAI-compatible API")
    p.add_argument("--labels", type=Path, help="score the checker on these labelled sentences")
    p.add_argument("--qa-file", type=Path, nargs="+", default=[ROOT / "eval" / "dev_qa.jsonl"])
    p.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    p.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    p.add_argument("--dump", type=Path, help="write each judged sentence here (JSON lines)")
    args = p.parse_args()
    if args.labels:
        return score_labels(args.labels, args.seeds)
    if not args.llm:
        p.error("--llm URL is needed (or --labels FILE)")
    questions = [q for f in args.qa_file for q in load_questions(f)]
    questions = questions[: args.limit] if args.limit else questions
    from qa.index import build

    kinds, reasons, seconds, dump = collections.Counter(), collections.Counter(), [], []
    with tempfile.TemporaryDirectory(prefix="qa-llm-") as tmp:
        build(args.seeds, Path(tmp) / "index")
        pipeline = Pipeline(Path(tmp) / "index", llm=args.llm)
        reader = pipeline.readers[-1]
        for q in questions:
            t = time.perf_counter()
            found = pipeline.search(q["question"], q.get("history"))
            answers = list(pipeline.read(found))
            seconds.append(time.perf_counter() - t)
            a, raw = answers[-1], [x for x in answers if x.reader == "llm"]
            if a.reader == "llm":
                kinds["partly supported" if a.unsupported else "fully supported"] += 1
            elif a.fallback:
                kinds["fell back"] += 1
                reasons[a.fallback] += 1
            else:
                kinds["answered by another reader (speaking order)"] += 1
            if args.dump and raw:
                reply = raw[-1].text if a.reader != "llm" else raw[-2].text if len(raw) > 1 else ""
                sent = reader._passages(found.query, found.hits)
                for c in check(reply, sent).claims:
                    p_, s, e = c.support or (None, 0, 0)
                    dump.append({"id": q.get("id"), "question": q["question"], "claim": c.text,
                                 "cites": c.cites, "supported": c.support is not None,
                                 "found": p_.text[s - p_.start : e - p_.start] if p_ else None,
                                 "cited_text": [sent[n - 1].text for n in c.cites
                                                if 1 <= n <= len(sent)]})  # fmt: skip
    n = len(questions)
    print(f"{n} questions, model at {args.llm}")
    for k, v in kinds.most_common():
        print(f"  {k}: {v} ({v / n:.2f})")
    for k, v in reasons.most_common():
        print(f"    fell back because {k}: {v}")
    seconds.sort()
    print(f"  seconds per question (search + stream + check): median {seconds[n // 2]:.1f}")
    if args.dump:
        args.dump.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dump))
        print(f"  {len(dump)} judged sentences written to {args.dump}")
    return 0


def score_labels(path: Path, seeds: Path) -> int:
    from qa.index import build
    from qa.readers.llm import LLMReader, LLMSettings

    rows = [r for r in load_questions(path) if r["label"] != "excluded"]
    with tempfile.TemporaryDirectory(prefix="qa-labels-") as tmp:
        build(seeds, Path(tmp) / "index")
        pipeline = Pipeline(Path(tmp) / "index")
        reader = LLMReader(LLMSettings("http://127.0.0.1:1/v1"))  # only to pick the passages
        marked = truly = caught = slipped = 0
        for r in rows:
            found = pipeline.search(r["question"])
            sent = reader._passages(found.query, found.hits)
            text = r["claim"] + "".join(f" [{n}]" for n in r["cites"])
            claims = check(text, sent).claims
            supported = bool(claims) and claims[0].support is not None
            real = r["label"] == "unsupported"
            marked += not supported
            truly += real
            caught += real and not supported
            slipped += real and supported
    print(f"{len(rows)} labelled sentences ({path}), {truly} of them really unsupported")
    print(f"  marked unsupported: {marked}; really unsupported among them: {caught} "
          f"({caught / max(marked, 1):.2f})")  # fmt: skip
    print(f"  really unsupported but passed as supported: {slipped} of {truly} "
          f"({slipped / max(truly, 1):.2f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
