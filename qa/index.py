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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from qa.chunk import CHUNKERS
from qa.embed import DEFAULT_MODEL, Embedder
from qa.errors import IndexLocked, IndexMismatch, IndexNotBuilt, SeedError
from qa.types import Document, Passage

FORMAT = 2  # 2: passages carry a reply context
COLLECTION = "passages"
_ADD_BATCH = 4000  # Chroma refuses batches over ~5461


# --------------------------------------------------------------------------- seeds


@dataclass
class SeedFile:
    name: str  # path relative to the seeds folder, with forward slashes
    sha256: str
    text: str


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
        elif b"\x00" in data[:8192]:
            bad.append((rel, "binary file, not a text transcript"))
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                bad.append((rel, f"not UTF-8 text (byte {e.start}); save it as UTF-8"))
                continue
            good.append(SeedFile(rel, hashlib.sha256(data).hexdigest(), text))
    return good, bad


def seed_text(seeds_dir: Path, source: str) -> str:
    """The text a passage's offsets refer to."""
    return (Path(seeds_dir) / source).read_bytes().decode("utf-8-sig")


# --------------------------------------------------------------------------- build


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    kept: list[str] = field(default_factory=list)  # unreadable now, previous version kept
    embedded: int = 0  # passages embedded by the model in this build
    reused: int = 0  # passages whose vectors were reused
    passages: int = 0  # passages in the index after the build
    rebuilt_because: str | None = None
    seconds: float = 0.0

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt_because)


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
    progress: bool = False,
    chunker: str = "turns",
) -> BuildReport:
    """Bring the index up to date with the seeds, incrementally by content hash.

    Unchanged files are not re-read by the model; with nothing changed, no model is loaded
    and chromadb is not imported. Raises SeedError when there is nothing to index and
    IndexLocked when another writer holds the index. `chunker="fixed"` builds the
    fixed-size-chunk baseline that `qa eval --compare` measures.
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
        if report.rebuilt_because:
            old_files = {}

        now = {f.name: f for f in good}
        unreadable = {name for name, _ in bad}
        for name in sorted(now):
            if name not in old_files:
                report.added.append(name)
            elif old_files[name]["sha256"] != now[name].sha256:
                report.changed.append(name)
            else:
                report.unchanged.append(name)
        for name in sorted(old_files):
            if name in now:
                continue
            # subtle: a file that turned unreadable keeps its last good version (loses nothing).
            (report.kept if name in unreadable else report.removed).append(name)

        if not good and not report.kept:
            raise SeedError(
                f"no readable transcripts in {seeds_dir}"
                + (f" (skipped: {', '.join(n for n, _ in bad)})" if bad else "")
                + "; add UTF-8 text files and run `qa index` again"
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
            now,
            old_files,
            embedder,
            progress,
            chunker,
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


def _write_generation(index_dir, old, report, now, old_files, embedder, progress, chunker):
    chunk, version = CHUNKERS[chunker]
    number = (old["generation"] + 1) if old else _next_number(index_dir)
    final = index_dir / f"gen-{number:06d}"
    tmp = index_dir / f"{final.name}.tmp-{os.getpid()}"
    if old:
        shutil.copytree(index_dir / current_generation(index_dir), tmp)
    else:
        tmp.mkdir(parents=True)
    try:
        store = _Store(tmp, create=True)
        try:
            files = {k: v for k, v in old_files.items() if k in now or k in report.kept}
            reusable: dict[str, list[float]] = {}
            for name in report.changed + report.removed:
                if name in report.changed:
                    reusable.update(store.vectors_by_text_hash(name))
                store.delete_source(name)
                files.pop(name, None)
            new_docs: list[tuple[Document, list[Passage]]] = []
            for name in report.added + report.changed:
                doc, passages = chunk(now[name].text, name)
                doc.sha256 = now[name].sha256
                new_docs.append((doc, passages))
                files[name] = {"sha256": doc.sha256, "passages": len(passages)}
            todo = [p for _, ps in new_docs for p in ps]
            vectors = {}
            need = [p for p in todo if _text_hash(p) not in reusable]
            for p in todo:
                if _text_hash(p) in reusable:
                    vectors[p.id] = reusable[_text_hash(p)]
            report.reused = len(todo) - len(need)
            if need:
                for p, v in zip(need, _encode(embedder, need, progress)):
                    vectors[p.id] = v
            report.embedded = len(need)
            for doc, passages in new_docs:
                store.add(doc, passages, [vectors[p.id] for p in passages])
            report.passages = store.count()
            manifest = {
                "format": FORMAT,
                "generation": number,
                "model": embedder.model_name,
                "dim": store.dim(),
                "chunker": version,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "files": dict(sorted(files.items())),
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        finally:
            store.close()
        os.replace(tmp, final)
        pointer = index_dir / "CURRENT.tmp"
        pointer.write_text(final.name + "\n")
        os.replace(pointer, index_dir / "CURRENT")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_leftovers(index_dir)


def _encode(embedder: Embedder, passages: list[Passage], progress: bool):
    from tqdm import tqdm

    texts = [p.embedding_text() for p in passages]
    out = []
    step = embedder.batch_size
    with tqdm(total=len(texts), desc="Embedding", unit="passage", disable=not progress) as bar:
        for i in range(0, len(texts), step):
            out.extend(embedder.encode(texts[i : i + step]).tolist())
            bar.update(len(texts[i : i + step]))
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
  sha256 TEXT, passages INTEGER);
CREATE TABLE IF NOT EXISTS passages (
  rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, source TEXT, start INTEGER, "end" INTEGER,
  speaker TEXT, role TEXT, title TEXT, date TEXT, turn INTEGER, minor INTEGER, text TEXT,
  text_hash TEXT, context TEXT);
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


class _Store:
    """One generation folder: the SQLite file and the Chroma collection, read or written."""

    def __init__(self, gen_dir: Path, *, create: bool = False):
        self.dir = gen_dir
        if create:
            self.db = sqlite3.connect(gen_dir / "passages.sqlite3")
            self.db.executescript(_SCHEMA)
        else:
            uri = f"file:{gen_dir / 'passages.sqlite3'}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()  # one sqlite connection shared by the app's threads
        self._client = None
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:
            import chromadb

            self._client = chromadb.PersistentClient(
                str(self.dir / "chroma"), settings=chromadb.Settings(anonymized_telemetry=False)
            )
            self._collection = self._client.get_or_create_collection(
                COLLECTION, configuration={"hnsw": {"space": "cosine"}}
            )
        return self._collection

    def close(self):
        if self._client is not None:
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
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?)",
            (
                doc.source,
                doc.title,
                doc.date,
                doc.place,
                json.dumps(doc.participants),
                doc.sha256,
                len(passages),
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
        self._store = _Store(gen_dir)
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

    def dense(self, vector, k: int, *, speaker=None, source=None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the k nearest passages."""
        where = _where(speaker, source)
        col = self._store.collection
        res = col.query(
            query_embeddings=[[float(x) for x in vector]],
            n_results=k,
            where=where,
            include=["distances"],
        )
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]

    def keyword(self, terms: list[str], k: int, *, speaker=None, source=None):
        """(id, bm25 score, higher is better) of the best keyword matches for any of `terms`."""
        terms = [t for t in terms if t]
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            "SELECT p.id, -bm25(passages_fts, 1.0, 2.0, 0.5, 0.3, 0.8) AS s FROM passages_fts "
            "JOIN passages p ON p.rowid = passages_fts.rowid WHERE passages_fts MATCH ?"
        )
        args: list = [match]
        for col, val in (("speaker", speaker), ("source", source)):
            if val:
                vals = [val] if isinstance(val, str) else list(val)
                sql += f" AND p.{col} IN ({','.join('?' * len(vals))})"
                args += vals
        sql += " ORDER BY bm25(passages_fts, 1.0, 2.0, 0.5, 0.3, 0.8) LIMIT ?"
        return [(i, s) for i, s in self._sql(sql, [*args, k])]

    def passages(self, ids: list[str]) -> dict[str, Passage]:
        if not ids:
            return {}
        rows = self._sql(
            f"SELECT {_SELECT} FROM passages WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        )
        return {r[0]: _row_passage(r) for r in rows}

    def documents(self) -> list[dict]:
        rows = self._sql(
            "SELECT source, title, date, place, participants, passages FROM documents "
            "ORDER BY date, source"
        )
        out = []
        for source, title, date, place, participants, n in rows:
            speakers = [
                r[0]
                for r in self._sql(
                    "SELECT speaker FROM passages WHERE source=? AND speaker IS NOT NULL "
                    "GROUP BY speaker ORDER BY min(start)",
                    (source,),
                )
            ]
            out.append(
                {
                    "source": source,
                    "title": title,
                    "date": date,
                    "place": place,
                    "participants": json.loads(participants or "[]"),
                    "passages": n,
                    "speakers": speakers,
                }
            )
        return out

    def speakers(self) -> list[str]:
        rows = self._sql(
            "SELECT speaker FROM passages WHERE speaker IS NOT NULL "
            "GROUP BY speaker ORDER BY speaker"
        )
        return [r[0] for r in rows]

    def roles(self) -> dict[str, str]:
        rows = self._sql(
            "SELECT speaker, max(role) FROM passages WHERE speaker IS NOT NULL GROUP BY speaker"
        )
        return {s: r for s, r in rows if r}

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term` (porter-stemmed, as the keyword index sees it)."""
        if term not in self._df:
            # subtle: the text column only; a role ("of Armenia") is on every passage of a speaker.
            q = 'text : "' + term.replace('"', '""') + '"'
            sql = "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?"
            self._df[term] = self._sql(sql, (q,))[0][0]
        return self._df[term]

    def count(self) -> int:
        return self._sql("SELECT count(*) FROM passages")[0][0]


# Passage fields stored per row, in table order; `id` first (it derives from the others).
_COLUMNS = ("id", "source", "start", "end", "speaker", "role", "title", "date", "turn", "minor",
            "text", "context")  # fmt: skip
_SELECT = ", ".join(f'"{c}"' for c in _COLUMNS)


def _passage_row(p: Passage) -> tuple:
    return tuple(int(p.minor) if c == "minor" else getattr(p, c) for c in _COLUMNS[1:])


def _row_passage(r) -> Passage:
    fields = dict(zip(_COLUMNS[1:], r[1:]))
    fields["minor"] = bool(fields["minor"])
    return Passage(**fields)


def _where(speaker, source) -> dict | None:
    clauses = []
    for key, val in (("speaker", speaker), ("source", source)):
        if val:
            vals = [val] if isinstance(val, str) else list(val)
            clauses.append({key: vals[0]} if len(vals) == 1 else {key: {"$in": vals}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
