"""The on-disk index: Chroma for vectors, SQLite FTS5 beside it for keywords and passage rows.

Layout of an index folder::

    index/
      CURRENT            name of the live generation, replaced atomically
      .lock              held by the one writer (flock)
      gen-000002/        the live generation (the previous one is kept until the next build)
        manifest.json    model, chunker version, files and their SHA-256
        passages.sqlite3 documents, passages, and an FTS5 table over them
        chroma/          a Chroma PersistentClient folder: one vector per passage

A build never touches the live generation: it copies it to `gen-NNNNNN.tmp-PID`, applies the
changes there (delete removed/changed files, add new passages) and only then renames it and
swaps CURRENT. A crash or Ctrl-C leaves CURRENT pointing at the old, complete generation; the
next build deletes the leftover. Readers open the generation CURRENT names, so they never see
a half-written index. This costs one folder copy per changed build: cheap next to embedding.

Only this module imports chromadb. Deliberately left out: merging concurrent writers (the lock
refuses a second one instead) and partial re-embedding of a changed file's unchanged passages
beyond reusing vectors whose embedded text is identical.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from qa.chunk import CHUNKERS
from qa.embed import DEFAULT_MODEL, Embedder
from qa.errors import IndexLocked, IndexMismatch, IndexNotBuilt, QAError, SeedError
from qa.formats import read as read_document
from qa.types import Document, Passage

FORMAT = 3  # 2: passages carry a reply context; 3: time, page and the file format
COLLECTION = "passages"
_ADD_BATCH = 4000  # Chroma refuses batches over ~5461
LARGE_INDEX = 10_000  # passages; above this, searches trade exhaustiveness for speed
POSTINGS_BUDGET = 20_000  # most postings one keyword query may make FTS5 score


# --------------------------------------------------------------------------- seeds


@dataclass
class SeedFile:
    name: str  # path relative to the seeds folder, with forward slashes
    sha256: str
    data: bytes


def scan_seeds(seeds_dir: Path) -> tuple[list[SeedFile], list[tuple[str, str]]]:
    """Readable transcripts in `seeds_dir`, and (file, reason) for each file that is not."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise SeedError(f"seeds folder not found: {seeds_dir}")
    good, bad = [], []
    for path in sorted(p for p in seeds_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(seeds_dir).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        data = path.read_bytes()
        if not data.strip():
            bad.append((rel, "empty file"))
        else:
            good.append(SeedFile(rel, hashlib.sha256(data).hexdigest(), data))
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
    vectors live on a Chroma server (one collection per generation); the keyword index and
    passage rows stay in the index folder.
    """
    t0 = time.perf_counter()
    if chunker not in CHUNKERS:
        raise ValueError(f"chunker must be one of {sorted(CHUNKERS)}, got {chunker!r}")
    version = CHUNKERS[chunker][1]
    seeds_dir, index_dir = Path(seeds_dir), Path(index_dir)
    good, bad = scan_seeds(seeds_dir)
    report = BuildReport(skipped=bad)
    with writer_lock(index_dir):
        _remove_leftovers(index_dir)
        old = read_manifest(index_dir)
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
            old if not report.rebuilt_because else None,
            report,
            docs,
            old_files,
            embedder,
            progress,
            chunker,
            chroma_url,
        )
    report.seconds = time.perf_counter() - t0
    return report


def _remove_leftovers(index_dir: Path) -> None:
    """Delete generations from interrupted builds and all but the live and previous one."""
    live = current_generation(index_dir)
    gens = sorted(p for p in index_dir.glob("gen-*") if p.is_dir())
    finished = [p for p in gens if ".tmp-" not in p.name]
    keep = {live}
    if live:
        older = [p.name for p in finished if p.name < live]
        keep.update(older[-1:])
    for p in gens:
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def _write_generation(index_dir, old, report, docs, old_files, embedder, progress, chunker,
                      chroma_url=None):  # fmt: skip
    """Stage the next generation (folder, and collection on a server), apply, then swap."""
    number = (old["generation"] + 1) if old else _next_number(index_dir)
    index_id = old["index_id"] if old and old.get("index_id") else uuid.uuid4().hex[:10]
    final = index_dir / f"gen-{number:06d}"
    tmp = index_dir / f"{final.name}.tmp-{os.getpid()}"
    if old:
        shutil.copytree(index_dir / current_generation(index_dir), tmp)
    else:
        tmp.mkdir(parents=True)
    # Embedded: the collection lives in the copied folder. Server: one collection per
    # generation, filled from the live one, so readers never see a half-written collection.
    name = f"qa-{index_id}-g{number}" if chroma_url else COLLECTION
    store = None
    try:
        store = _Store(tmp, create=True, chroma_url=chroma_url, collection=name)
        if chroma_url:
            if name in {c.name for c in store.client.list_collections()}:
                store.client.delete_collection(name)  # left by a build that died
            if old:
                live = _Store(index_dir / current_generation(index_dir), chroma_url=chroma_url,
                              collection=old["collection"])  # fmt: skip
                store.copy_vectors_from(live)
                live.close()
        files = _apply_changes(store, report, docs, old_files, embedder, progress, chunker)
        manifest = {
            "format": FORMAT,
            "generation": number,
            "index_id": index_id,
            "model": embedder.model_name,
            "dim": store.dim(),
            "chunker": CHUNKERS[chunker][1],
            "chroma_url": chroma_url,
            "collection": name,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "files": dict(sorted(files.items())),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        store.close()
        os.replace(tmp, final)
        pointer = index_dir / "CURRENT.tmp"
        pointer.write_text(final.name + "\n")
        os.replace(pointer, index_dir / "CURRENT")
    except BaseException:
        if store is not None:
            if chroma_url and store._client is not None:
                store.client.delete_collection(name)
            store.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_leftovers(index_dir)
    if chroma_url:
        _remove_old_collections(chroma_url, index_id, keep={number, number - 1})


def _remove_old_collections(chroma_url: str, index_id: str, keep: set[int]) -> None:
    client = chroma_client(chroma_url, Path())
    prefix = f"qa-{index_id}-g"
    for c in client.list_collections():
        if c.name.startswith(prefix) and int(c.name[len(prefix) :]) not in keep:
            client.delete_collection(c.name)


def _apply_changes(store, report, docs, old_files, embedder, progress, chunker) -> dict:
    """Delete removed and changed files, chunk and embed added and changed ones (reusing
    vectors of unchanged passages); returns the manifest's file table."""
    chunk = CHUNKERS[chunker][0]
    keep = set(report.unchanged) | set(report.kept) | set(docs)
    files = {k: v for k, v in old_files.items() if k in keep}
    reusable: dict[str, list[float]] = {}
    for name in report.changed + report.removed:
        if name in report.changed:
            reusable.update(store.vectors_by_text_hash(name))
        store.delete_source(name)
        files.pop(name, None)
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
        store.add(doc, passages, [vectors[p.id] for p in passages])
    report.passages = store.count()
    return files


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


# --------------------------------------------------------------------------- storage


_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  source TEXT PRIMARY KEY, title TEXT, date TEXT, place TEXT, participants TEXT,
  sha256 TEXT, passages INTEGER, format TEXT, warnings TEXT);
CREATE TABLE IF NOT EXISTS passages (
  rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, source TEXT, start INTEGER, "end" INTEGER,
  speaker TEXT, role TEXT, title TEXT, date TEXT, turn INTEGER, minor INTEGER, text TEXT,
  text_hash TEXT, context TEXT, start_time REAL, end_time REAL, page INTEGER);
CREATE INDEX IF NOT EXISTS passages_source ON passages(source);
CREATE INDEX IF NOT EXISTS passages_speaker ON passages(speaker);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
  text, speaker, role, title, context, content='passages', content_rowid='rowid',
  tokenize='porter unicode61');
CREATE TRIGGER IF NOT EXISTS passages_ai AFTER INSERT ON passages BEGIN
  INSERT INTO passages_fts(rowid, text, speaker, role, title, context)
  VALUES (new.rowid, new.text, new.speaker, new.role, new.title, new.context); END;
CREATE TRIGGER IF NOT EXISTS passages_ad AFTER DELETE ON passages BEGIN
  INSERT INTO passages_fts(passages_fts, rowid, text, speaker, role, title, context)
  VALUES ('delete', old.rowid, old.text, old.speaker, old.role, old.title, old.context); END;
"""


def chroma_client(url: str | None, path: Path):
    """A Chroma client: a server at `url` (chroma run / a deployment) or a folder at `path`."""
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(str(path), settings=settings)
    u = urlparse(url if "://" in url else f"http://{url}")
    if not u.hostname:
        raise QAError(f"not a Chroma server address: {url!r} (expected http://host:port)")
    try:
        client = chromadb.HttpClient(host=u.hostname, port=u.port or 8000,
                                     ssl=u.scheme == "https", settings=settings)  # fmt: skip
        client.heartbeat()
    except Exception as e:  # chromadb raises several types for an unreachable server
        raise QAError(f"cannot reach the Chroma server at {url}: {e}") from None
    return client


class _Store:
    """One generation folder: the SQLite file and the Chroma collection, read or written."""

    def __init__(self, gen_dir: Path, *, create=False, chroma_url=None, collection=COLLECTION):
        self.dir = gen_dir
        if create:
            self.db = sqlite3.connect(gen_dir / "passages.sqlite3")
            self.db.executescript(_SCHEMA)
        else:
            uri = f"file:{gen_dir / 'passages.sqlite3'}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()  # one sqlite connection shared by the app's threads
        self.chroma_url = chroma_url
        self.collection_name = collection
        self._client = None
        self._collection = None

    @property
    def client(self):
        if self._client is None:
            self._client = chroma_client(self.chroma_url, self.dir / "chroma")
        return self._client

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(
                self.collection_name, configuration={"hnsw": {"space": "cosine"}}
            )
        return self._collection

    def copy_vectors_from(self, other: _Store, batch: int = _ADD_BATCH) -> None:
        """Copy every vector of `other`'s collection into this one (server generations)."""
        offset = 0
        while True:
            got = other.collection.get(include=["embeddings", "metadatas"], limit=batch,
                                       offset=offset)  # fmt: skip
            if not got["ids"]:
                return
            self.collection.add(ids=got["ids"], embeddings=got["embeddings"],
                                metadatas=got["metadatas"])  # fmt: skip
            offset += len(got["ids"])

    def close(self):
        if self._client is not None and hasattr(self._client, "close"):
            self._client.close()
        self._client = self._collection = None
        self.db.close()

    # -- writing

    def vectors_by_text_hash(self, source: str) -> dict[str, list[float]]:
        rows = self.db.execute("SELECT id, text_hash FROM passages WHERE source=?", (source,))
        by_id = dict(rows.fetchall())
        if not by_id:
            return {}
        got = self.collection.get(ids=list(by_id), include=["embeddings"])
        return {by_id[i]: list(v) for i, v in zip(got["ids"], got["embeddings"])}

    def delete_source(self, source: str) -> None:
        ids = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE source=?", (source,))]
        for i in range(0, len(ids), _ADD_BATCH):
            self.collection.delete(ids=ids[i : i + _ADD_BATCH])
        self.db.execute("DELETE FROM passages WHERE source=?", (source,))
        self.db.execute("DELETE FROM documents WHERE source=?", (source,))
        self.db.commit()

    def add(self, doc: Document, passages: list[Passage], vectors) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            (
                doc.source,
                doc.title,
                doc.date,
                doc.place,
                json.dumps(doc.participants),
                doc.sha256,
                len(passages),
                doc.format,
                json.dumps(doc.warnings),
            ),
        )
        cols = ", ".join(f'"{c}"' for c in (*_COLUMNS, "text_hash"))
        marks = ",".join("?" * (len(_COLUMNS) + 1))
        self.db.executemany(
            f"INSERT OR REPLACE INTO passages ({cols}) VALUES ({marks})",
            [(p.id, *_passage_row(p), _text_hash(p)) for p in passages],
        )
        for i in range(0, len(passages), _ADD_BATCH):
            chunk = passages[i : i + _ADD_BATCH]
            self.collection.upsert(
                ids=[p.id for p in chunk],
                embeddings=vectors[i : i + _ADD_BATCH],
                metadatas=[{"source": p.source, "speaker": p.speaker or ""} for p in chunk],
            )
        self.db.commit()

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM passages").fetchone()[0]

    def dim(self) -> int | None:
        got = self.collection.peek(1)
        emb = got.get("embeddings")
        return len(emb[0]) if emb is not None and len(emb) else None


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
        self._store = _Store(gen_dir, chroma_url=self.manifest.get("chroma_url"),
                             collection=self.manifest.get("collection", COLLECTION))  # fmt: skip
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
        self._store.close()

    def _sql(self, query: str, args=()) -> list[tuple]:
        with self._store._lock:
            return self._store.db.execute(query, args).fetchall()

    def dense(self, vector, k: int, *, speaker=None, source=None, boost=False):
        """(id, cosine similarity) of the k nearest passages, optionally filtered.

        `boost=True` marks a list that only adds weight (a speaker the question names): on a
        large index it filters a wider unfiltered search instead of Chroma's exact filtered
        search, whose cost grows with the number of passages the filter admits.
        """
        import numpy as np  # here: a no-change `qa index` imports no numpy

        query = np.asarray([vector], dtype=np.float32)  # a list of Python floats costs more
        col = self._store.collection
        if boost and (speaker or source) and self.count() > LARGE_INDEX:
            res = col.query(query_embeddings=query, n_results=max(5 * k, 200),
                            include=["distances", "metadatas"])  # fmt: skip
            allowed = {"speaker": _as_set(speaker), "source": _as_set(source)}
            out = [(i, 1.0 - d) for i, d, m in zip(res["ids"][0], res["distances"][0],
                                                  res["metadatas"][0])
                   if all(not ok or m.get(key) in ok for key, ok in allowed.items())]  # fmt: skip
            return out[:k]
        res = col.query(query_embeddings=query, n_results=k, where=_where(speaker, source),
                        include=["distances"])  # fmt: skip
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]

    def keyword(self, terms: list[str], k: int, *, speaker=None, source=None):
        """(id, bm25 score, higher is better) of the best keyword matches for any of `terms`."""
        terms = [t for t in terms if t]
        if not terms:
            return []
        if self.count() > LARGE_INDEX:
            # FTS5 scores every posting of every term searched, so on a large index search the
            # rarest terms whose postings together fit POSTINGS_BUDGET (and 5% of the index):
            # the work stays bounded as the corpus grows, and common terms add little to BM25
            # (dense search has them).
            chosen, total = [], 0
            budget = min(POSTINGS_BUDGET, self.count() // 20)
            for t in sorted(terms, key=self.document_frequency):
                df = self.document_frequency(t)
                if total + df > budget:
                    break
                if df:
                    chosen.append(t)
                    total += df
            terms = chosen
            if not terms:
                return []
        match = " OR ".join(_phrase(t) for t in terms)
        if speaker:  # filter inside FTS5, on the speaker column, before ranking
            names = " OR ".join(f"speaker : {_phrase(n)}" for n in _as_set(speaker))
            match = f"({match}) AND ({names})"
        bm25 = "bm25(passages_fts, 1.0, 2.0, 0.5, 0.3, 0.8)"
        if source:  # not in the FTS table: join first, then rank
            sql = (f"SELECT p.id, -{bm25} FROM passages_fts JOIN passages p "
                   "ON p.rowid = passages_fts.rowid WHERE passages_fts MATCH ? AND p.source IN "
                   f"({','.join('?' * len(_as_set(source)))}) ORDER BY {bm25} LIMIT ?")  # fmt: skip
            return self._sql(sql, [match, *_as_set(source), k])
        # subtle: rank inside FTS5 and join only the top k; joining every match first costs
        # as much again on a large index.
        sql = (f"SELECT p.id, -f.b FROM (SELECT rowid, {bm25} AS b FROM passages_fts "
               "WHERE passages_fts MATCH ? ORDER BY b LIMIT ?) f "
               "JOIN passages p ON p.rowid = f.rowid ORDER BY f.b")  # fmt: skip
        return self._sql(sql, [match, k])

    def passages(self, ids: list[str]) -> dict[str, Passage]:
        if not ids:
            return {}
        rows = self._sql(
            f"SELECT {_SELECT} FROM passages WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        )
        return {r[0]: _row_passage(r) for r in rows}

    def document_passages(self, source: str) -> list[Passage]:
        """Every passage of one document, in order (turn order questions need them all)."""
        rows = self._sql(f"SELECT {_SELECT} FROM passages WHERE source = ? ORDER BY start",
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
                         "warnings FROM documents ORDER BY date, source")  # fmt: skip
        spans = {src: (t0, t1, pages) for src, t0, t1, pages in self._sql(
            "SELECT source, min(start_time), max(end_time), max(page) FROM passages "
            "GROUP BY source")}  # fmt: skip
        speakers: dict[str, list[str]] = {}
        for source, speaker in self._sql(
            "SELECT source, speaker FROM passages WHERE speaker IS NOT NULL "
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
        sql = "SELECT speaker, max(role) FROM passages WHERE role IS NOT NULL GROUP BY speaker"
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
