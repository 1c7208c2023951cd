"""The on-disk index: Chroma segments for vectors, SQLite FTS5 for keywords and passage rows.

Layout of an index folder::

    index/
      CURRENT            name of the live generation, replaced atomically
      .lock              held by the one writer (flock)
      passages.sqlite3   documents and passages of every kept generation, and an FTS5 table
      gen-000007/        the live generation (the previous one is kept until the next build)
        manifest.json    model, chunker version, files and their SHA-256, segments
      seg-000001/        a Chroma PersistentClient folder, written by generation 1
      seg-000007/        the vectors generation 7 added

A build costs the change, not the corpus. In one SQLite transaction it marks the rows of
removed and changed files dead and adds the new rows, all tagged with the new generation's
number (`qa.store`); the new passages' vectors go into a new segment. Only then is the
manifest written and CURRENT swapped. The live generation's rows and segments are never
changed, so its readers keep answering meanwhile, and a crash or Ctrl-C leaves CURRENT
pointing at it; the next build undoes what the dead one left. Segments are immutable once
live: a search skips dead vectors, and a segment that is mostly dead, or one too many, is
rewritten into the new one.

Only `qa.store` imports chromadb. Deliberately left out: merging concurrent
writers (the lock refuses a second one instead) and partial re-embedding of a changed file's
unchanged passages beyond reusing vectors whose embedded text is identical.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from qa import champions, store
from qa.chunk import CHUNKERS
from qa.embed import DEFAULT_MODEL, Embedder
from qa.errors import IndexLocked, IndexMismatch, IndexNotBuilt, SeedError
from qa.formats import read as read_document
from qa.types import Document, Passage

FORMAT = 4  # 2: passages carry a reply context; 3: time, page and the file format; 4: segments
LARGE_INDEX = 10_000  # passages; above this, searches trade exhaustiveness for speed
POSTINGS_BUDGET = 20_000  # most postings one keyword query may make FTS5 score


# --------------------------------------------------------------------------- seeds


@dataclass
class SeedFile:
    name: str  # path relative to the seeds folder, with forward slashes
    sha256: str
    path: Path
    size: int
    mtime_ns: int
    read: bytes | None = None  # the bytes, when the scan had to read them

    @property
    def data(self) -> bytes:
        return self.read if self.read is not None else self.path.read_bytes()

    def stamp(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "mtime_ns": self.mtime_ns}


# Files whose size and time are those the last build recorded are not read again, unless their
# time is this close to that build's (a write in the same clock tick could keep both).
RACY_NS = 2_000_000_000


def scan_seeds(seeds_dir: Path, known: dict | None = None, scanned_ns: int = 0):
    """Readable transcripts in `seeds_dir`, and (file, reason) for each file that is not.

    `known` is the last build's file table: a file whose size and modification time it
    records keeps its hash without being read, so a build costs the files that changed.
    """
    seeds_dir = Path(seeds_dir)
    known = known or {}
    good, bad = [], []
    for path in sorted(p for p in seeds_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(seeds_dir).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        st = path.stat()
        was = known.get(rel, {})
        if (was.get("size"), was.get("mtime_ns")) == (st.st_size, st.st_mtime_ns) and (
            st.st_mtime_ns < scanned_ns - RACY_NS
        ):
            good.append(SeedFile(rel, was["sha256"], path, st.st_size, st.st_mtime_ns))
            continue
        data = path.read_bytes()
        if not data.strip():
            bad.append((rel, "empty file"))
        else:
            sha = hashlib.sha256(data).hexdigest()
            good.append(SeedFile(rel, sha, path, st.st_size, st.st_mtime_ns, data))
    return good, bad


# --------------------------------------------------------------------------- build


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, what to check)
    kept: list[str] = field(default_factory=list)  # unreadable now, previous version kept
    embedded: int = 0  # passages embedded by the model in this build
    reused: int = 0  # passages whose vectors were reused
    passages: int = 0  # passages in the index after the build
    rebuilt_because: str | None = None
    seconds: float = 0.0
    written: int = 0  # vectors written: the new passages, and those of rewritten segments
    rewritten: list[str] = field(default_factory=list)  # segments merged into the new one
    collected: int = 0  # dead passage rows deleted from the database
    dim: int | None = None  # vector size, when this build embedded or reused any

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt_because)

    def describe(self, seeds: Path, index: Path) -> str:
        """What the build did, as `qa index` and the app print it."""
        lines = []
        for name, reason in self.skipped:
            lines.append(f"skipped {seeds / name}: {reason}")
        for name in self.kept:
            lines.append(f"kept the previously indexed version of {name} (it is unreadable now)")
        for name, warning in self.warnings:
            lines.append(f"warning: {seeds / name}: {warning}")
        if self.rebuilt_because:
            lines.append(f"rebuilt from scratch: {self.rebuilt_because}")
        for label, names in (
            ("added", self.added),
            ("changed", self.changed),
            ("removed", self.removed),
        ):
            for n in names:
                lines.append(f"{label:8} {n}")
        if self.changed_anything:
            lines.append(
                f"index at {index}: {self.passages} passages from "
                f"{len(self.added) + len(self.changed) + len(self.unchanged) + len(self.kept)}"
                f" files; embedded {self.embedded}, reused {self.reused} "
                f"({self.seconds:.1f} s)"
            )
        else:
            lines.append(
                f"index at {index} is up to date: {self.passages} passages from "
                f"{len(self.unchanged) + len(self.kept)} files ({self.seconds:.2f} s)"
            )
        return "\n".join(lines)


@contextmanager
def writer_lock(index_dir: Path):
    """Hold the index's one-writer lock, or raise IndexLocked at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise IndexLocked(
                f"the index at {index_dir} is being written by {holder}; "
                "wait for it to finish (one writer at a time)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def read_manifest(index_dir: Path) -> dict | None:
    gen = current_generation(index_dir)
    if gen is None:
        return None
    return json.loads((index_dir / gen / "manifest.json").read_text())


def current_generation(index_dir: Path) -> str | None:
    try:
        name = (Path(index_dir) / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    return name if (Path(index_dir) / name / "manifest.json").is_file() else None


def build(
    seeds_dir: Path,
    index_dir: Path,
    *,
    model: str = DEFAULT_MODEL,
    embedder: Embedder | None = None,
    progress=False,  # True: a progress bar; a callable: called with (done, total)
    chunker: str = "turns",
    chroma_url: str | None = None,
) -> BuildReport:
    """Bring the index up to date with the seeds, incrementally by content hash.

    Unchanged files are not re-read by the model; with nothing changed, no model is loaded
    and chromadb is not imported. Raises SeedError when there is nothing to index and
    IndexLocked when another writer holds the index. `chunker="fixed"` builds the
    fixed-size-chunk baseline that `qa eval --compare` measures. With `chroma_url` the
    vectors live on a Chroma server (one collection per segment); the keyword index and
    passage rows stay in the index folder.
    """
    t0 = time.perf_counter()
    if chunker not in CHUNKERS:
        raise ValueError(f"chunker must be one of {sorted(CHUNKERS)}, got {chunker!r}")
    version = CHUNKERS[chunker][1]
    seeds_dir, index_dir = Path(seeds_dir), Path(index_dir)
    if not seeds_dir.is_dir():  # before the lock, which makes the index folder
        raise SeedError(f"seeds folder not found: {seeds_dir}")
    with writer_lock(index_dir):
        _remove_leftovers(index_dir)
        old = read_manifest(index_dir)
        scanned_ns = time.time_ns()
        good, bad = scan_seeds(seeds_dir, (old or {}).get("files"),
                               (old or {}).get("scanned_ns", 0))  # fmt: skip
        report = BuildReport(skipped=bad)
        old_files = dict(old["files"]) if old else {}
        if old and old.get("format") != FORMAT:
            report.rebuilt_because = f"index format {old.get('format')} -> {FORMAT}"
        elif old and old["model"] != model:
            report.rebuilt_because = f"embedding model {old['model']} -> {model}"
        elif old and old["chunker"] != version:
            report.rebuilt_because = f"chunker version {old['chunker']} -> {version}"
        elif old and old.get("chroma_url") != chroma_url:
            was, now_at = old.get("chroma_url") or "this folder", chroma_url or "this folder"
            report.rebuilt_because = f"vectors move from {was} to {now_at}"
        if report.rebuilt_because:
            old_files = {}

        docs: dict[str, Document] = {}
        for f in good:  # read what is new or changed; an unreadable file is skipped
            if f.name in old_files and old_files[f.name]["sha256"] == f.sha256:
                continue
            try:
                docs[f.name] = read_document(f.name, f.data)
                docs[f.name].sha256 = f.sha256
            except SeedError as e:
                bad.append((f.name, str(e)))
        good = [f for f in good if f.name not in {n for n, _ in bad}]
        now = {f.name: f for f in good}
        unreadable = {name for name, _ in bad}
        for name in sorted(now):
            if name not in old_files:
                report.added.append(name)
            elif old_files[name]["sha256"] != now[name].sha256:
                report.changed.append(name)
            else:
                report.unchanged.append(name)
        for name, doc in sorted(docs.items()):
            report.warnings += [(name, w) for w in doc.warnings]
        for name in sorted(old_files):
            if name in now:
                continue
            # subtle: a file that turned unreadable keeps its last good version (loses nothing).
            (report.kept if name in unreadable else report.removed).append(name)

        if not good and not report.kept:
            raise SeedError(
                f"no readable transcripts in {seeds_dir}"
                + (f" (skipped: {', '.join(n for n, _ in bad)})" if bad else "")
                + "; add transcripts (.txt, .md, .vtt, .srt, .json, .docx, .pdf) and run "
                "`qa index` again"
            )
        if not report.changed_anything and old:
            report.passages = sum(f["passages"] for f in old_files.values())
            report.seconds = time.perf_counter() - t0
            return report

        embedder = embedder or Embedder(model)
        _write_generation(
            index_dir,
            old,
            bool(report.rebuilt_because),
            report,
            docs,
            old_files,
            embedder,
            progress,
            chunker,
            chroma_url,
            stamps={name: f.stamp() for name, f in now.items()},
            scanned_ns=scanned_ns,
        )
    report.seconds = time.perf_counter() - t0
    return report


def _kept_generations(index_dir: Path) -> tuple[str | None, str | None]:
    """The live generation's folder name, and the finished one before it (kept for readers
    that opened it)."""
    live = current_generation(index_dir)
    older = [p.name for p in index_dir.glob("gen-*")
             if p.is_dir() and ".tmp-" not in p.name and live and p.name < live]  # fmt: skip
    return live, max(older, default=None)


def _remove_leftovers(index_dir: Path, chroma_url: str | None = None) -> None:
    """Delete generations from interrupted builds, all but the live and previous one, and the
    segments neither of those lists."""
    live, previous = _kept_generations(index_dir)
    keep = {live, previous} - {None}
    for p in index_dir.glob("gen-*"):
        if p.is_dir() and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
    listed: set[str] = set()
    for name in keep:
        m = json.loads((index_dir / name / "manifest.json").read_text())
        listed.update(s["name"] for s in m.get("segments", []))
    for p in index_dir.glob("seg-*"):
        if p.is_dir() and p.name not in listed:
            shutil.rmtree(p, ignore_errors=True)
    if chroma_url and live:
        index_id = json.loads((index_dir / live / "manifest.json").read_text())["index_id"]
        client = store.chroma_client(chroma_url, Path())
        prefix = f"qa-{index_id}-"
        for c in client.list_collections():
            if c.name.startswith(prefix) and c.name[len(prefix) :] not in listed:
                client.delete_collection(c.name)


def _write_generation(index_dir, old, rebuild, report, docs, old_files, embedder, progress,
                      chunker, chroma_url=None, *, stamps=None, scanned_ns=0):  # fmt: skip
    """Write the next generation: rows added and marked dead in the shared database in one
    transaction, the new passages' vectors in a new segment, then the manifest and CURRENT.

    Nothing the live generation reads changes: its rows stay visible to it, and its segments
    are never written again. The cost is that of the change, plus rewriting segments that
    have become mostly dead or too many (see `_plan_segments`).
    """
    previous = _kept_generations(index_dir)[1]
    live = old["generation"] if old else 0
    number = max(live, _next_number(index_dir) - 1) + 1
    index_id = old["index_id"] if old and old.get("index_id") else uuid.uuid4().hex[:10]
    segments = [] if rebuild or not old else [dict(s) for s in old.get("segments", [])]
    new = store.Segment(index_dir, f"seg-{number:06d}", chroma_url=chroma_url, index_id=index_id)
    new.drop()  # left by a build that died
    opened = {s["name"]: store.Segment(index_dir, s["name"], chroma_url=chroma_url,
                                       index_id=index_id) for s in segments}  # fmt: skip
    db = store.open_writer(index_dir)
    try:
        db.execute("BEGIN IMMEDIATE")
        store.forget_unfinished(db, live)
        report.collected = store.collect_garbage(db, int(previous[4:]) if previous else 0)
        files = _apply_changes(db, opened, new, number, rebuild, report, docs, old_files,
                               embedder, progress, chunker)  # fmt: skip
        segments = _plan_segments(db, opened, new, number, segments, report)
        for name, stamp in (stamps or {}).items():  # what the next scan may trust unread
            if name in files:
                files[name] = {**files[name], **stamp}
        manifest = {
            "format": FORMAT,
            "generation": number,
            "index_id": index_id,
            "model": embedder.model_name,
            "dim": report.dim or (old or {}).get("dim"),
            "chunker": CHUNKERS[chunker][1],
            "chroma_url": chroma_url,
            "segments": segments,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "scanned_ns": scanned_ns,
            "files": dict(sorted(files.items())),
        }
        final = index_dir / f"gen-{number:06d}"
        tmp = index_dir / f"{final.name}.tmp-{os.getpid()}"
        tmp.mkdir(parents=True)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        db.execute("COMMIT")
        os.replace(tmp, final)
        pointer = index_dir / "CURRENT.tmp"
        pointer.write_text(final.name + "\n")
        os.replace(pointer, index_dir / "CURRENT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        new.drop()
        shutil.rmtree(index_dir / f"gen-{number:06d}.tmp-{os.getpid()}", ignore_errors=True)
        raise
    finally:
        db.close()
        new.close()
        for s in opened.values():
            s.close()
    _remove_leftovers(index_dir, chroma_url)


# Segments: at most this many (each costs one more Chroma query, ~1.5 ms, per dense search),
# and one is rewritten once this share of its vectors is dead.
MAX_SEGMENTS = 4
REWRITE_DEAD = 0.25


def _apply_changes(db, opened, new, number, rebuild, report, docs, old_files, embedder,
                   progress, chunker) -> dict:  # fmt: skip
    """Mark removed and changed files dead, chunk and embed added and changed ones (reusing
    vectors of unchanged passages) into the new segment; returns the manifest's file table."""
    chunk = CHUNKERS[chunker][0]
    keep = set(report.unchanged) | set(report.kept) | set(docs)
    files = {k: v for k, v in old_files.items() if k in keep}
    reusable: dict[str, list[float]] = {}
    for name in report.changed:
        reusable.update(_vectors_by_text_hash(db, opened, name))
    if rebuild:
        for table in ("passages", "documents"):
            db.execute(f"UPDATE {table} SET died = ? WHERE died IS NULL", (number,))
    for name in report.changed + report.removed:
        for table in ("passages", "documents"):
            db.execute(f"UPDATE {table} SET died = ? WHERE source = ? AND died IS NULL",
                       (number, name))  # fmt: skip
        files.pop(name, None)
    champions.remove(db, db.execute("SELECT rowid, text FROM passages WHERE died = ?",
                                    (number,)).fetchall())  # fmt: skip
    new_docs: list[tuple[Document, list[Passage]]] = []
    for name in report.added + report.changed:
        doc = docs[name]
        passages = chunk(doc)
        new_docs.append((doc, passages))
        files[name] = {"sha256": doc.sha256, "passages": len(passages)}
    todo = [p for _, ps in new_docs for p in ps]
    need = [p for p in todo if _text_hash(p) not in reusable]
    vectors = {p.id: reusable[_text_hash(p)] for p in todo if _text_hash(p) in reusable}
    vectors.update(zip((p.id for p in need), _encode(embedder, need, progress)))
    report.reused, report.embedded = len(todo) - len(need), len(need)
    for doc, passages in new_docs:
        rowids = _insert(db, doc, passages, number, new.name)
        new.add(
            rowids,
            [vectors[p.id] for p in passages],
            [{"source": p.source, "speaker": p.speaker or ""} for p in passages],
        )
        report.written += len(passages)
        if passages and report.dim is None:
            report.dim = len(vectors[passages[0].id])
    report.passages = sum(f["passages"] for f in files.values())
    return files


def _vectors_by_text_hash(db, opened, source: str) -> dict[str, list[float]]:
    rows = db.execute("SELECT rowid, text_hash, segment FROM passages "
                      "WHERE source = ? AND died IS NULL", (source,)).fetchall()  # fmt: skip
    out = {}
    for seg in {r[2] for r in rows}:
        if seg not in opened:
            continue
        by_rowid = {r[0]: r[1] for r in rows if r[2] == seg}
        ids, vecs, _ = opened[seg].get(list(by_rowid))
        out.update((by_rowid[i], list(v)) for i, v in zip(ids, vecs))
    return out


def _insert(db, doc: Document, passages: list[Passage], number: int, segment: str) -> list[int]:
    db.execute(
        "INSERT INTO documents (source, title, date, place, participants, sha256, passages, "
        "format, warnings, born) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (doc.source, doc.title, doc.date, doc.place, json.dumps(doc.participants), doc.sha256,
         len(passages), doc.format, json.dumps(doc.warnings), number),
    )  # fmt: skip
    cols = ", ".join(f'"{c}"' for c in (*_COLUMNS, "text_hash", "segment", "born"))
    marks = ",".join("?" * (len(_COLUMNS) + 3))
    first = db.execute("SELECT coalesce(max(rowid), 0) FROM passages").fetchone()[0] + 1
    db.executemany(f"INSERT INTO passages ({cols}) VALUES ({marks})",
                   [(p.id, *_passage_row(p), _text_hash(p), segment, number)
                    for p in passages])  # fmt: skip
    # subtle: AUTOINCREMENT rowids are never reused, so a vector's id never names another row.
    rowids = [r[0] for r in db.execute(
        "SELECT rowid FROM passages WHERE rowid >= ? ORDER BY rowid", (first,))]  # fmt: skip
    assert len(rowids) == len(passages)
    champions.add(db, [(r, p.text) for r, p in zip(rowids, passages)])
    return rowids


def _plan_segments(db, opened, new, number, segments, report) -> list[dict]:
    """The generation's segment list: the live ones with their dead vectors counted, plus the
    new one. A segment more than REWRITE_DEAD dead, and the smallest ones past MAX_SEGMENTS,
    are rewritten into the new segment (their live vectors copied), so a search never wades
    through many dead vectors or many segments."""
    died = dict(db.execute("SELECT segment, count(*) FROM passages WHERE died = ? "
                           "GROUP BY segment", (number,)).fetchall())  # fmt: skip
    for s in segments:
        s["dead"] = s.get("dead", 0) + died.get(s["name"], 0)
    rewrite = [s for s in segments if s["dead"] > REWRITE_DEAD * s["vectors"]]
    kept = sorted((s for s in segments if s not in rewrite), key=lambda s: -s["vectors"])
    while len(kept) + 1 > MAX_SEGMENTS:
        rewrite.append(kept.pop())
    for s in rewrite:
        rows = [r[0] for r in db.execute("SELECT rowid FROM passages WHERE segment = ? AND "
                                         "died IS NULL", (s["name"],))]  # fmt: skip
        ids, vecs, metas = opened[s["name"]].get(rows, metadatas=True)
        new.add(ids, vecs, metas)
        db.execute("UPDATE passages SET segment = ? WHERE segment = ? AND died IS NULL",
                   (new.name, s["name"]))  # fmt: skip
        report.written += len(ids)
        report.rewritten.append(s["name"])
    out = [{"name": s["name"], "vectors": s["vectors"], "dead": s["dead"]} for s in kept]
    if report.written:  # every vector this build wrote went into the new segment
        out.append({"name": new.name, "vectors": report.written, "dead": 0})
    return sorted(out, key=lambda s: s["name"])


def _encode(embedder: Embedder, passages: list[Passage], progress):
    from tqdm import tqdm

    texts = [p.embedding_text() for p in passages]
    # subtle: batches of similar length pad less; sentence-transformers sorts only within the
    # batches it is given, so sort the whole build, then put the vectors back in order.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list = [None] * len(texts)
    step = embedder.batch_size
    bar_on = progress is True  # a callable gets (done, total) instead of a bar (a log file)
    with tqdm(total=len(texts), desc="Embedding", unit="passage", disable=not bar_on) as bar:
        for i in range(0, len(order), step):
            batch = order[i : i + step]
            for j, vector in zip(batch, embedder.encode([texts[j] for j in batch]).tolist()):
                out[j] = vector
            bar.update(len(batch))
            if callable(progress):
                progress(min(i + step, len(order)), len(order))
    return out


def _text_hash(p: Passage) -> str:
    return hashlib.sha256(p.embedding_text().encode()).hexdigest()


def _next_number(index_dir: Path) -> int:
    nums = [
        int(m.group(1)) for p in index_dir.glob("gen-*") if (m := re.match(r"gen-(\d+)", p.name))
    ]
    return max(nums, default=0) + 1


# --------------------------------------------------------------------------- reading


class Index:
    """Read access to the live generation of an index folder.

    Open once and reuse: `Index(path)`; `stale()` tells when a newer generation went live.
    """

    def __init__(self, index_dir: Path = Path("index")):
        self.index_dir = Path(index_dir)
        self.generation = current_generation(self.index_dir)
        if self.generation is None:
            raise IndexNotBuilt(f"no index at {self.index_dir}; build it with `qa index`")
        gen_dir = self.index_dir / self.generation
        self.manifest = json.loads((gen_dir / "manifest.json").read_text())
        if self.manifest.get("format") != FORMAT:
            raise IndexMismatch(
                f"the index at {self.index_dir} was built by an older qa (index format "
                f"{self.manifest.get('format')}, now {FORMAT}); rebuild it with `qa index`"
            )
        self.number = self.manifest["generation"]
        self._db = store.open_reader(self.index_dir, self.number)
        self._lock = threading.Lock()  # one sqlite connection shared by the app's threads
        url, index_id = self.manifest.get("chroma_url"), self.manifest["index_id"]
        self._segments = [(store.Segment(self.index_dir, s["name"], chroma_url=url,
                                         index_id=index_id), s["dead"], s["vectors"])
                          for s in self.manifest["segments"]]  # fmt: skip
        self._cache: dict[str, object] = {}
        self._df: dict[str, int] = {}

    @property
    def model(self) -> str:
        return self.manifest["model"]

    def check_model(self, model: str | None) -> None:
        if model and model != self.model:
            raise IndexMismatch(
                f"the index at {self.index_dir} was built with model {self.model!r}, not "
                f"{model!r}; rebuild it with `qa index --model {model}` or drop --model"
            )

    def stale(self) -> bool:
        return current_generation(self.index_dir) != self.generation

    def close(self) -> None:
        for seg, _, _ in self._segments:
            seg.close()
        self._db.close()

    def _sql(self, query: str, args=()) -> list[tuple]:
        with self._lock:
            return self._db.execute(query, args).fetchall()

    def dense(self, vector, k: int, *, speaker=None, source=None, boost=False):
        """(id, cosine similarity) of the k nearest passages, optionally filtered.

        `boost=True` marks a list that only adds weight (a speaker the question names): on a
        large index it filters a wider unfiltered search instead of Chroma's exact filtered
        search, whose cost grows with the number of passages the filter admits.
        """
        import numpy as np  # here: a no-change `qa index` imports no numpy

        query = np.asarray([vector], dtype=np.float32)  # a list of Python floats costs more
        wide = boost and (speaker or source) and self.count() > LARGE_INDEX
        allowed = {"speaker": _as_set(speaker), "source": _as_set(source)}
        where = None if wide else _where(speaker, source)
        want = max(5 * k, 200) if wide else k
        hits = []  # (distance, rowid) over every segment
        for seg, dead, vectors in self._segments:
            hits += self._segment_hits(seg, dead, vectors, query, want, where, wide and allowed)
        if not hits:
            return []
        ids = self._visible_ids([i for _, i in hits])
        hits.sort(key=lambda h: h[0])  # stable: one segment keeps Chroma's order
        return [(ids[i], 1.0 - d) for d, i in hits if i in ids][:k]

    def _segment_hits(self, seg, dead, vectors, query, want, where, allowed):
        """(distance, rowid) of the `want` nearest visible vectors of one segment.

        A segment still holds the vectors of passages removed after it was written. Ask for a
        few more than wanted; only when dead ones took too many places, ask again for more.
        """
        n = min(vectors, want + _margin(want, dead, vectors))
        while True:
            got = seg.query(query, n, where=where, metadatas=bool(allowed))
            if (not dead or len(got) < n or n >= min(vectors, want + dead)
                    or len(self._visible_ids([g[0] for g in got])) >= want):  # fmt: skip
                break
            n = min(vectors, want + dead, 4 * n)
        if allowed:
            got = [g for g in got if all(not ok or g[2].get(key) in ok
                                         for key, ok in allowed.items())]  # fmt: skip
        return [(d, i) for i, d, _ in got]

    def _visible_ids(self, rowids: list[int]) -> dict[int, str]:
        """Passage id of each of `rowids` this generation sees."""
        if not rowids:
            return {}
        return dict(self._sql(f"SELECT rowid, id FROM live_passages WHERE rowid IN "
                              f"({','.join('?' * len(rowids))})", rowids))  # fmt: skip

    def _invisible(self) -> int:
        """Rows in the keyword index this generation does not see: those of a newer build
        (committed, not yet live)."""
        sql = "SELECT count(*) FROM passages WHERE born > ? AND died IS NULL"
        return self._sql(sql, (self.number,))[0][0]

    def keyword(self, terms: list[str], k: int, *, speaker=None, source=None):
        """(id, bm25 score, higher is better) of the best keyword matches for any of `terms`."""
        terms = [t for t in terms if t]
        if not terms:
            return []
        if self.count() <= LARGE_INDEX:
            return self._fts(terms, k, speaker, source)
        # FTS5 scores every posting of every term searched, so on a large index FTS5 ranks the
        # rarest terms whose postings together fit POSTINGS_BUDGET (and 5% of the index): the
        # work stays bounded as the corpus grows. The other terms add their best passages from
        # the lists the builds keep (`qa.champions`).
        chosen, total = [], 0
        budget = min(POSTINGS_BUDGET, self.count() // 20)
        for t in sorted(terms, key=self.document_frequency):
            df = self.document_frequency(t)
            if total + df > budget:
                break
            if df:
                chosen.append(t)
                total += df
        hits = self._fts(chosen, k, speaker, source) if chosen else []
        skipped = [t for t in terms if t not in chosen]
        common = self._common(skipped, k, speaker, source) if skipped else {}
        if not common:
            return hits
        scores = dict(hits)
        for i, score in common.items():
            scores[i] = scores.get(i, 0.0) + score
        return sorted(scores.items(), key=lambda h: -h[1])[:k]

    def _common(self, terms: list[str], k: int, speaker, source) -> dict[str, float]:
        """id -> BM25 contribution of `terms` (common ones) from their champion lists."""
        with self._lock:
            tokens = champions.tokenize(self._db, dict(enumerate(terms)))
            single = [next(iter(c)) for c in tokens.values() if len(c) == 1]
            got = champions.search(self._db, single, self.count(), k)
        if not got:
            return {}
        where, args = "", list(got)
        for column, value in (("speaker", speaker), ("source", source)):
            if value:
                where += f" AND {column} IN ({','.join('?' * len(_as_set(value)))})"
                args += sorted(_as_set(value))
        rows = self._sql(f"SELECT rowid, id FROM live_passages WHERE rowid IN "
                         f"({','.join('?' * len(got))}){where}", args)  # fmt: skip
        return {i: got[r] for r, i in rows}

    def _fts(self, terms: list[str], k: int, speaker, source):
        """(id, bm25 score) of FTS5's best k matches for any of `terms`."""
        match = " OR ".join(_phrase(t) for t in terms)
        if speaker:  # filter inside FTS5, on the speaker column, before ranking
            names = " OR ".join(f"speaker : {_phrase(n)}" for n in _as_set(speaker))
            match = f"({match}) AND ({names})"
        bm25 = "bm25(passages_fts, 1.0, 2.0, 0.5, 0.3, 0.8)"
        if source:  # not in the FTS table: join first, then rank
            # subtle: ties go in reading order, as a fresh build's row order has them, so
            # that results do not depend on the order of past builds.
            sql = (f"SELECT p.id, -{bm25} FROM passages_fts JOIN live_passages p "
                   "ON p.rowid = passages_fts.rowid WHERE passages_fts MATCH ? AND p.source IN "
                   f"({','.join('?' * len(_as_set(source)))}) "
                   f"ORDER BY {bm25}, p.source, p.start LIMIT ?")  # fmt: skip
            return self._sql(sql, [match, *_as_set(source), k])
        # subtle: rank inside FTS5 and join only the top k; joining every match first costs
        # as much again on a large index.
        sql = (f"SELECT p.id, -f.b FROM (SELECT rowid, {bm25} AS b FROM passages_fts "
               "WHERE passages_fts MATCH ? ORDER BY b LIMIT ?) f "
               "JOIN live_passages p ON p.rowid = f.rowid "
               "ORDER BY f.b, p.source, p.start LIMIT ?")  # fmt: skip
        # subtle: the FTS table may hold rows of a newer build this generation does not see;
        # rank a few more, and all of them only when those took too many places.
        invisible = self._invisible()
        hits = self._sql(sql, [match, k + _margin(k, invisible, self.count()), k])
        if invisible and len(hits) < k:
            hits = self._sql(sql, [match, k + invisible, k])
        return hits

    def passages(self, ids: list[str]) -> dict[str, Passage]:
        if not ids:
            return {}
        rows = self._sql(
            f"SELECT {_SELECT} FROM live_passages WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        )
        return {r[0]: _row_passage(r) for r in rows}

    def document_passages(self, source: str) -> list[Passage]:
        """Every passage of one document, in order (turn order questions need them all)."""
        rows = self._sql(f"SELECT {_SELECT} FROM live_passages WHERE source = ? ORDER BY start",
                         (source,))  # fmt: skip
        return [_row_passage(r) for r in rows]

    def _cached(self, key: str, compute):
        # subtle: a generation never changes once live, so these can be kept for its lifetime.
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def documents(self) -> list[dict]:
        return self._cached("documents", self._documents)

    def _documents(self) -> list[dict]:
        rows = self._sql("SELECT source, title, date, place, participants, passages, format, "
                         "warnings FROM live_documents ORDER BY date, source")  # fmt: skip
        spans = {src: (t0, t1, pages) for src, t0, t1, pages in self._sql(
            "SELECT source, min(start_time), max(end_time), max(page) FROM live_passages "
            "GROUP BY source")}  # fmt: skip
        speakers: dict[str, list[str]] = {}
        for source, speaker in self._sql(
            "SELECT source, speaker FROM live_passages WHERE speaker IS NOT NULL "
            "GROUP BY source, speaker ORDER BY source, min(start)"
        ):
            speakers.setdefault(source, []).append(speaker)
        return [
            {"source": src, "title": title, "date": date, "place": place, "passages": n,
             "participants": json.loads(participants or "[]"), "speakers": speakers.get(src, []),
             "format": fmt, "warnings": json.loads(warns or "[]"),
             "start_time": spans.get(src, _NONE3)[0], "end_time": spans.get(src, _NONE3)[1],
             "pages": spans.get(src, _NONE3)[2]}
            for src, title, date, place, participants, n, fmt, warns in rows
        ]  # fmt: skip

    def speakers(self) -> list[str]:
        return self._cached("speakers", lambda: sorted({s for d in self.documents()
                                                        for s in d["speakers"]}))  # fmt: skip

    def roles(self) -> dict[str, str]:
        sql = "SELECT speaker, max(role) FROM live_passages WHERE role IS NOT NULL GROUP BY speaker"
        return self._cached("roles", lambda: dict(self._sql(sql)))

    def count(self) -> int:
        return self._cached("count", lambda: sum(d["passages"] for d in self.documents()))

    def document_frequency(self, term: str) -> int:
        """Passages whose text contains `term` (porter-stemmed, as the keyword index sees it),
        counted up to a fifth of the index: past that a term is common, however common."""
        if term not in self._df:
            # subtle: the text column only; a role ("of Armenia") is on every passage of a speaker.
            q = 'text : "' + term.replace('"', '""') + '"'
            cap = max(1000, self.count() // 5)
            sql = ("SELECT count(*) FROM (SELECT 1 FROM passages_fts WHERE passages_fts "
                   "MATCH ? LIMIT ?)")  # fmt: skip
            self._df[term] = self._sql(sql, (q, cap))[0][0]
        return self._df[term]


_open_lock = threading.Lock()
_open_indexes: dict[Path, Index] = {}


def default_index_dir() -> Path:
    return Path(os.environ.get("QA_INDEX_DIR") or "index")


def open_index(index_dir: Path | str | None = None) -> Index:
    """The shared reader for `index_dir` (default: $QA_INDEX_DIR or index/), reopened only
    when a rebuild made a new generation live."""
    path = Path(index_dir) if index_dir else default_index_dir()
    key = path.resolve()
    with _open_lock:
        ix = _open_indexes.get(key)
        if ix is None or ix.stale():
            # subtle: the old reader is not closed here; a request in another thread may still
            # be using it, and its generation stays on disk until the build after next.
            ix = _open_indexes[key] = Index(path)
        return ix


_NONE3 = (None, None, None)

# Passage fields stored per row, in table order; `id` first (it derives from the others).
_COLUMNS = ("id", "source", "start", "end", "speaker", "role", "title", "date", "turn", "minor",
            "text", "context", "start_time", "end_time", "page")  # fmt: skip
_SELECT = ", ".join(f'"{c}"' for c in _COLUMNS)


def _passage_row(p: Passage) -> tuple:
    return tuple(int(p.minor) if c == "minor" else getattr(p, c) for c in _COLUMNS[1:])


def _row_passage(r) -> Passage:
    fields = dict(zip(_COLUMNS[1:], r[1:]))
    fields["minor"] = bool(fields["minor"])
    return Passage(**fields)


def _margin(want: int, dead: int, total: int) -> int:
    """How many more results to ask for when `dead` of `total` may come back and be dropped:
    three times the share expected among `want`, at least two (none without dead ones)."""
    return 0 if not dead else max(2, -(-3 * want * dead // max(total, 1)))


def _phrase(text: str) -> str:
    """`text` as one FTS5 phrase."""
    return '"' + text.replace('"', '""') + '"'


def _as_set(value) -> set[str]:
    return set() if not value else {value} if isinstance(value, str) else set(value)


def _where(speaker, source) -> dict | None:
    clauses = []
    for key, val in (("speaker", speaker), ("source", source)):
        if val:
            vals = sorted(_as_set(val))
            clauses.append({key: vals[0]} if len(vals) == 1 else {key: {"$in": vals}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
