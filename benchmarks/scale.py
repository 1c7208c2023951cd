"""Search at scale: synthetic corpora of 10k, 100k and 1M passages.

    .venv/bin/python benchmarks/scale.py [--sizes 10000,100000,1000000] [--repeat 3]

Passages are recombined sentences of the seeds, spread over the seed speakers and 43
synthetic ones, 1,000 passages a document. The real model embeds the first 10k (cached in
benchmarks/.cache/); larger corpora reuse those vectors with small Gaussian perturbations,
renormalised, so that the index is measured, not the model. Each corpus is written through
the product's own storage code (Chroma + SQLite FTS5) and searched with the development
questions: dense (Chroma), keyword (FTS5 BM25) and fused (the whole `qa.retrieve` pipeline:
both rankings, speaker lists, RRF and sentence reranking) with the query embedding
precomputed, i.e. excluded. Figures are p50/p95 over warm repeated passes.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import DEV_QUESTIONS, machine, pct  # noqa: E402

from qa.chunk import chunk_text, sentence_spans  # noqa: E402
from qa.embed import Embedder  # noqa: E402
from qa.evaluate import load_questions  # noqa: E402
from qa.index import FORMAT, _Store  # noqa: E402
from qa.query import acronyms, content_terms  # noqa: E402
from qa.types import Document, Passage  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"
PER_DOC = 1000
BATCH = 5000


def sentences_and_speakers() -> tuple[list[str], list[tuple[str, str | None]]]:
    sents, speakers = [], set()
    for f in sorted((ROOT / "seeds").iterdir()):
        text = f.read_text(encoding="utf-8")
        for p in chunk_text(text, f.name)[1]:
            speakers.add((p.speaker, p.role))
            sents += [text[a:b] for a, b in sentence_spans(p.text, p.start) if b - a > 40]
    pool = sorted(s for s in speakers if s[0]) + [
        (f"Speaker{i} Synthetic", f"Delegate of Region {i}") for i in range(43)
    ]
    return sents, pool


def corpus(n: int, seed: int = 7) -> list[Passage]:
    rng = random.Random(seed)
    sents, pool = sentences_and_speakers()
    out = []
    for i in range(n):
        speaker, role = pool[rng.randrange(len(pool))]
        text = " ".join(rng.sample(sents, rng.randint(2, 4)))
        src = f"synthetic_{i // PER_DOC:05d}.txt"
        out.append(Passage(text=text, source=src, start=i, end=i + len(text), speaker=speaker,
                           role=role, title=f"Synthetic session {i // PER_DOC}",
                           date="2022-01-10", turn=1 + i % PER_DOC))  # fmt: skip
    return out


def base_vectors(passages: list[Passage]) -> np.ndarray:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"vectors-{len(passages)}.npy"
    if path.exists():
        return np.load(path)
    t = time.perf_counter()
    vecs = Embedder(batch_size=64).encode([p.embedding_text() for p in passages], progress=True)
    print(f"  embedded {len(passages)} passages with the real model in "
          f"{time.perf_counter() - t:.0f} s", flush=True)  # fmt: skip
    np.save(path, vecs.astype(np.float32))
    return vecs


def vectors_for(n: int, base: np.ndarray, seed: int = 11) -> np.ndarray:
    if n <= len(base):
        return base[:n]
    rng = np.random.default_rng(seed)
    reps = -(-n // len(base))
    v = np.tile(base, (reps, 1))[:n] + rng.normal(0, 0.02, (n, base.shape[1])).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def build_store(index_dir: Path, passages: list[Passage], vectors: np.ndarray) -> float:
    gen = index_dir / "gen-000001"
    gen.mkdir(parents=True)
    t = time.perf_counter()
    store = _Store(gen, create=True)
    for d in range(0, len(passages), PER_DOC):
        docs = passages[d : d + PER_DOC]
        doc = Document(source=docs[0].source, title=docs[0].title, date=docs[0].date)
        for b in range(0, len(docs), BATCH):
            store.add(doc, docs[b : b + BATCH], vectors[d + b : d + b + len(docs[b : b + BATCH])])
    store.close()
    seconds = time.perf_counter() - t
    manifest = {"format": FORMAT, "generation": 1, "model": "all-MiniLM-L6-v2", "dim": 384,
                "chunker": "synthetic", "files": {}}  # fmt: skip
    (gen / "manifest.json").write_text(json.dumps(manifest))
    (index_dir / "CURRENT").write_text("gen-000001\n")
    return seconds


def du_mib(path: Path) -> float:
    out = subprocess.run(["du", "-sk", "--exclude=*.txt", str(path)], capture_output=True,
                         text=True).stdout  # fmt: skip
    return int(out.split()[0]) / 1024


def measure(index_dir: Path, questions: list[str], qvecs: dict, repeat: int) -> dict:
    import importlib

    from qa.index import Index
    from qa.pipeline import Pipeline

    # subtle: `qa.retrieve` is also the name of the function the package re-exports.
    retrieve_mod = importlib.import_module("qa.retrieve")
    pipeline = Pipeline(index_dir)

    class Precomputed:  # the query embedding is excluded from these figures
        def __init__(self, model):
            pass

        def encode_query(self, q):
            return qvecs[q]

    def timed(fn, *args, **kw):
        t = time.perf_counter()
        fn(*args, **kw)
        return time.perf_counter() - t

    real = retrieve_mod.Embedder
    retrieve_mod.Embedder = Precomputed
    try:
        ix = Index(index_dir)
        times = {"dense": [], "keyword": [], "fused": []}
        for rnd in range(repeat + 1):  # the first pass warms caches and is not counted
            for q in questions:
                terms = content_terms(q) + list(acronyms(q))
                got = {
                    "dense": timed(ix.dense, qvecs[q], 40),
                    "keyword": timed(ix.keyword, terms, 40),
                    "fused": timed(pipeline.retrieve, q),
                }
                for name, seconds in got.items():
                    if rnd:
                        times[name].append(seconds)
        ix.close()
    finally:
        retrieve_mod.Embedder = real
    return {k: (statistics.median(v) * 1000, pct(v, 95) * 1000) for k, v in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    ap.add_argument("--keep", action="store_true",
                    help="keep each corpus in --workdir and reuse it on the next run")  # fmt: skip
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"machine: {machine()}", flush=True)
    questions = [q["question"] for q in load_questions(DEV_QUESTIONS) if not q.get("history")]
    emb = Embedder()
    qvecs = {q: emb.encode_query(q) for q in questions}
    base = base_vectors(corpus(min(10_000, max(sizes))))
    work = Path(args.workdir or tempfile.mkdtemp(prefix="qa-scale-"))
    rows = []
    for n in sizes:
        index_dir = work / f"index-{n}"
        timing = index_dir / "build-seconds.txt"
        if args.keep and timing.exists():
            print(f"\n{n:,} passages: reusing {index_dir}", flush=True)
            seconds = float(timing.read_text())
        else:
            passages, vectors = corpus(n), vectors_for(n, base)
            shutil.rmtree(index_dir, ignore_errors=True)
            print(f"\n{n:,} passages: building ...", flush=True)
            seconds = build_store(index_dir, passages, vectors)
            timing.write_text(f"{seconds:.1f}")
            del passages, vectors
        size = du_mib(index_dir)
        lat = measure(index_dir, questions, qvecs, args.repeat)
        rows.append((n, seconds, size, lat))
        figures = ", ".join(f"{k} {a:.1f}/{b:.1f}" for k, (a, b) in lat.items())
        print(
            f"  build {seconds:.0f} s, {size:,.0f} MiB on disk; p50/p95 ms: {figures}", flush=True
        )
        if not args.keep:
            shutil.rmtree(index_dir, ignore_errors=True)
    print("\n| passages | build (s) | on disk (MiB) | dense p50/p95 (ms) | keyword p50/p95 (ms) "
          "| fused retrieve p50/p95 (ms) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for n, seconds, size, lat in rows:
        kinds = ("dense", "keyword", "fused")
        cells = " | ".join(f"{lat[k][0]:.1f} / {lat[k][1]:.1f}" for k in kinds)
        print(f"| {n:,} | {seconds:.0f} | {size:,.0f} | {cells} |")
    print(
        f"\n({len(questions)} development questions x {args.repeat} warm passes per size; "
        "query embedding excluded)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
