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
import hashlib
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
from bench import DEV_QUESTIONS, machine, pct, show  # noqa: E402

from qa.chunk import CHUNKERS, chunk_text, sentence_spans  # noqa: E402
from qa.embed import DEFAULT_MODEL, Embedder  # noqa: E402
from qa.evaluate import load_questions  # noqa: E402
from qa.index import FORMAT, Index  # noqa: E402
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


def build_store(index_dir: Path, seeds_dir: Path, passages: list[Passage],
                vectors: np.ndarray) -> float:  # fmt: skip
    """Write the corpus as generation 1 through the product's storage code, and each synthetic
    document as a file in `seeds_dir` whose hash the manifest lists, so that `qa.index.build`
    then treats it as an index it built itself (only a new or removed file is work)."""
    from qa import store
    from qa.index import _insert

    index_dir.mkdir(parents=True)
    seeds_dir.mkdir(parents=True)
    t = time.perf_counter()
    db = store.open_writer(index_dir)
    seg = store.Segment(index_dir, "seg-000001")
    files = {}
    for d in range(0, len(passages), PER_DOC):
        docs = passages[d : d + PER_DOC]
        data = "\n\n".join(f"{p.speaker}: {p.text}" for p in docs).encode()
        (seeds_dir / docs[0].source).write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        doc = Document(source=docs[0].source, title=docs[0].title, date=docs[0].date, sha256=sha)
        db.execute("BEGIN")
        rowids = _insert(db, doc, docs, 1, seg.name)
        db.execute("COMMIT")
        seg.add(rowids, vectors[d : d + len(docs)],
                [{"source": p.source, "speaker": p.speaker or ""} for p in docs])  # fmt: skip
        files[doc.source] = {"sha256": sha, "passages": len(docs)}
    db.close()
    seg.close()
    seconds = time.perf_counter() - t
    manifest = {"format": FORMAT, "generation": 1, "index_id": "scale", "model": DEFAULT_MODEL,
                "dim": vectors.shape[1], "chunker": CHUNKERS["turns"][1], "chroma_url": None,
                "segments": [{"name": seg.name, "vectors": len(passages), "dead": 0}],
                "files": files}  # fmt: skip
    gen = index_dir / "gen-000001"
    gen.mkdir()
    (gen / "manifest.json").write_text(json.dumps(manifest))
    (index_dir / "CURRENT").write_text("gen-000001\n")
    return seconds


def io_written() -> tuple[int, int]:
    """Bytes this process has handed to write(), and bytes it caused to be sent to disk."""
    f = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(f["wchar"]), int(f["write_bytes"])


def incremental(index_dir: Path, seeds_dir: Path, embedder) -> list[tuple]:
    """Add one real transcript, remove it again, remove one synthetic document and add it back,
    each with the product's `build` (the model already loaded); wall time and bytes written.
    The corpus ends as it began, except that the document added back is chunked anew."""
    from qa.index import build

    added = seeds_dir / "added_transcript.txt"
    synthetic = seeds_dir / "synthetic_00000.txt"
    kept = synthetic.read_bytes()
    source = max((ROOT / "seeds").iterdir(), key=lambda f: f.stat().st_size)
    steps = [
        ("add one transcript", lambda: shutil.copy(source, added)),
        ("remove that transcript", added.unlink),
        ("remove one 1,000-passage document", synthetic.unlink),
        ("add it back", lambda: synthetic.write_bytes(kept)),
    ]
    rows = []
    for label, change in steps:
        change()
        w0, t = io_written(), time.perf_counter()
        report = build(seeds_dir, index_dir, embedder=embedder)
        seconds, w1 = time.perf_counter() - t, io_written()
        changed = len(report.added) + len(report.removed)
        assert changed == 1 and not report.rebuilt_because, report
        rows.append((label, seconds, w1[0] - w0[0], w1[1] - w0[1], report.embedded,
                     report.written, len(Index(index_dir).manifest["segments"])))  # fmt: skip
        print(f"  {label}: {seconds:.2f} s, {(w1[0] - w0[0]) / 2**20:.1f} MiB written "
              f"({(w1[1] - w0[1]) / 2**20:.1f} MiB to disk), {report.embedded} embedded, "
              f"{report.written} vectors written", flush=True)  # fmt: skip
    return rows


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
        unranked = sum(not ix.keyword(content_terms(q) + list(acronyms(q)), 40) for q in questions)
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
    out = {k: (statistics.median(v) * 1000, pct(v, 95) * 1000) for k, v in times.items()}
    return out, unranked


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    ap.add_argument("--keep", action="store_true",
                    help="keep each corpus in --workdir and reuse it on the next run")  # fmt: skip
    ap.add_argument("--record", action="store_true",
                    help="keep these figures in benchmarks/previous.json")  # fmt: skip
    ap.add_argument("--no-changes", dest="changes", action="store_false",
                    help="skip adding and removing files on each corpus")  # fmt: skip
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"machine: {machine()}", flush=True)
    questions = [q["question"] for q in load_questions(DEV_QUESTIONS) if not q.get("history")]
    emb = Embedder()
    qvecs = {q: emb.encode_query(q) for q in questions}
    base = base_vectors(corpus(min(10_000, max(sizes))))
    work = Path(args.workdir or tempfile.mkdtemp(prefix="qa-scale-"))
    rows, changes = [], []
    for n in sizes:
        index_dir, seeds_dir = work / f"index-{n}", work / f"seeds-{n}"
        timing = index_dir / "build-seconds.txt"
        if args.keep and timing.exists():
            print(f"\n{n:,} passages: reusing {index_dir}", flush=True)
            seconds = float(timing.read_text())
        else:
            passages, vectors = corpus(n), vectors_for(n, base)
            shutil.rmtree(index_dir, ignore_errors=True)
            shutil.rmtree(seeds_dir, ignore_errors=True)
            print(f"\n{n:,} passages: building ...", flush=True)
            seconds = build_store(index_dir, seeds_dir, passages, vectors)
            timing.write_text(f"{seconds:.1f}")
            del passages, vectors
        size = du_mib(index_dir)
        lat, unranked = measure(index_dir, questions, qvecs, args.repeat)
        rows.append((f"{n:,}", seconds, size, lat, unranked))
        figures = ", ".join(f"{k} {a:.1f}/{b:.1f}" for k, (a, b) in lat.items())
        print(
            f"  build {seconds:.0f} s, {size:,.0f} MiB on disk; p50/p95 ms: {figures}; "
            f"{unranked} of {len(questions)} questions without keyword ranking",
            flush=True,
        )
        if args.changes:
            changes += [(n, *row) for row in incremental(index_dir, seeds_dir, emb)]
            lat, unranked = measure(index_dir, questions, qvecs, args.repeat)
            segs = len(Index(index_dir).manifest["segments"])
            rows.append((f"{n:,} after the changes ({segs} segments)", seconds, size, lat,
                         unranked))  # fmt: skip
            figures = ", ".join(f"{k} {a:.1f}/{b:.1f}" for k, (a, b) in lat.items())
            print(f"  after the changes: p50/p95 ms: {figures}; {unranked} without keyword "
                  "ranking", flush=True)  # fmt: skip
        if not args.keep:
            shutil.rmtree(index_dir, ignore_errors=True)
            shutil.rmtree(seeds_dir, ignore_errors=True)
    print("\n| passages | build (s) | on disk (MiB) | dense p50/p95 (ms) | keyword p50/p95 (ms) "
          "| fused retrieve p50/p95 (ms) | no keyword ranking |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for n, seconds, size, lat, unranked in rows:
        kinds = ("dense", "keyword", "fused")
        cells = " | ".join(f"{lat[k][0]:.1f} / {lat[k][1]:.1f}" for k in kinds)
        print(f"| {n} | {seconds:.0f} | {size:,.0f} | {cells} | {unranked} of {len(questions)} |")
    print(
        f"\n({len(questions)} development questions x {args.repeat} warm passes per size; "
        "query embedding excluded)"
    )
    if changes:
        print("\n| passages | change | wall (s) | written (MiB) | to disk (MiB) | embedded "
              "| vectors written | segments after |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|")
        for n, label, seconds, wchar, wdisk, embedded, written, segs in changes:
            print(f"| {n:,} | {label} | {seconds:.2f} | {wchar / 2**20:.1f} | "
                  f"{wdisk / 2**20:.1f} | {embedded} | {written} | {segs} |")  # fmt: skip
        print("\n(each change is one `qa.index.build` call with the model loaded; written: bytes "
              "handed to write(); to disk: bytes the kernel counted for the disk)")  # fmt: skip
    flat = []
    for n, seconds, size, lat, unranked in rows:
        flat += [(f"{n}: build s, MiB on disk", f"{seconds:.0f}, {size:,.0f}")]
        flat += [(f"{n}: {k} p50 / p95 ms", f"{a:.1f} / {b:.1f}") for k, (a, b) in lat.items()]
        flat += [(f"{n}: questions without keyword ranking", f"{unranked} of {len(questions)}")]
    for n, label, seconds, wchar, _, _, written, _ in changes:
        flat += [(f"{n:,}: {label}: s, MiB written, vectors written",
                  f"{seconds:.2f}, {wchar / 2**20:.1f}, {written}")]  # fmt: skip
    print()
    show("scale", flat, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
