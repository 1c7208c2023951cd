"""Storage of an index folder: one SQLite database of versioned rows, and Chroma segments.

Rows (documents and passages) carry the generation that added them (`born`) and the one that
removed them (`died`, NULL while alive). A reader of generation G sees the rows with
`born <= G` and `died` NULL or `> G`, so a build adds and removes rows in the same file while
readers of the live generation keep their view; SQLite's write-ahead log gives them a
consistent one while the writer works. Rows dead to both kept generations are deleted by the
next build.

The FTS5 table holds the alive rows only (triggers follow `died`), so its BM25 statistics are
those of a fresh build of the same files: answers do not depend on the order of past builds.
The price: during the moments between a build's commit and its swap, and for readers still on
the previous generation, a removed passage is found by dense search only.

Vectors live in segments: Chroma folders (or collections on a Chroma server), each written by
one build and never changed after. A vector's Chroma id is its passage row's rowid, so a
removed passage's vector stays in its segment, is dropped from search results by the row's
visibility, and goes when its segment is rewritten (see `qa.index` for when).

Only this module imports chromadb.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path
from urllib.parse import urlparse

from qa import champions
from qa.errors import QAError

DB_NAME = "passages.sqlite3"
COLLECTION = "passages"
ADD_BATCH = 4000  # Chroma refuses batches over ~5461

SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS documents (
  rowid INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT, title TEXT, date TEXT, place TEXT,
  participants TEXT, sha256 TEXT, passages INTEGER, format TEXT, warnings TEXT,
  born INTEGER NOT NULL, died INTEGER);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS passages (
  rowid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, source TEXT, start INTEGER, "end" INTEGER,
  speaker TEXT, role TEXT, title TEXT, date TEXT, turn INTEGER, minor INTEGER, text TEXT,
  text_hash TEXT, context TEXT, start_time REAL, end_time REAL, page INTEGER,
  segment TEXT, born INTEGER NOT NULL, died INTEGER, tokens INTEGER);
CREATE INDEX IF NOT EXISTS passages_id ON passages(id);
CREATE INDEX IF NOT EXISTS passages_source ON passages(source);
CREATE INDEX IF NOT EXISTS passages_speaker ON passages(speaker);
CREATE INDEX IF NOT EXISTS passages_segment ON passages(segment);
CREATE INDEX IF NOT EXISTS passages_born ON passages(born);
-- subtle: dead rows only. A full index on `died` is what SQLite picks for `died IS NULL` and
-- then walks every alive row (0.5 s a query at 1M passages); this one it cannot pick for that.
CREATE INDEX IF NOT EXISTS passages_died ON passages(died) WHERE died IS NOT NULL;
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
  text, speaker, role, title, context, content='passages', content_rowid='rowid',
  tokenize='porter unicode61');
CREATE TRIGGER IF NOT EXISTS passages_ai AFTER INSERT ON passages BEGIN
  INSERT INTO passages_fts(rowid, text, speaker, role, title, context)
  VALUES (new.rowid, new.text, new.speaker, new.role, new.title, new.context); END;
CREATE TRIGGER IF NOT EXISTS passages_ad AFTER DELETE ON passages WHEN old.died IS NULL BEGIN
  INSERT INTO passages_fts(passages_fts, rowid, text, speaker, role, title, context)
  VALUES ('delete', old.rowid, old.text, old.speaker, old.role, old.title, old.context); END;
CREATE TRIGGER IF NOT EXISTS passages_die AFTER UPDATE OF died ON passages
  WHEN old.died IS NULL AND new.died IS NOT NULL BEGIN
  INSERT INTO passages_fts(passages_fts, rowid, text, speaker, role, title, context)
  VALUES ('delete', old.rowid, old.text, old.speaker, old.role, old.title, old.context); END;
CREATE TRIGGER IF NOT EXISTS passages_revive AFTER UPDATE OF died ON passages
  WHEN old.died IS NOT NULL AND new.died IS NULL BEGIN
  INSERT INTO passages_fts(rowid, text, speaker, role, title, context)
  VALUES (new.rowid, new.text, new.speaker, new.role, new.title, new.context); END;
"""


def visible(generation: int) -> str:
    """The SQL condition for rows generation `generation` sees."""
    g = int(generation)
    return f"born <= {g} AND (died IS NULL OR died > {g})"


def open_writer(index_dir: Path) -> sqlite3.Connection:
    """The writer's connection (autocommit: the build opens its own transaction)."""
    db = sqlite3.connect(Path(index_dir) / DB_NAME, isolation_level=None)
    db.executescript(SCHEMA + champions.SCHEMA)
    return db


def open_reader(index_dir: Path, generation: int) -> sqlite3.Connection:
    """A read-only connection whose `live_passages` and `live_documents` views show
    generation `generation`."""
    uri = f"file:{Path(index_dir) / DB_NAME}?mode=ro"
    db = sqlite3.connect(uri, uri=True, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 5000")
    for table in ("passages", "documents"):
        db.execute(f"CREATE TEMP VIEW live_{table} AS SELECT * FROM {table} "
                   f"WHERE {visible(generation)}")  # fmt: skip
    return db


def forget_unfinished(db: sqlite3.Connection, live: int) -> None:
    """Undo what a build that died after committing, before going live, left behind."""
    champions.remove(db, db.execute("SELECT rowid, text FROM passages WHERE born > ?",
                                    (live,)).fetchall())  # fmt: skip
    revived = db.execute("SELECT rowid, text FROM passages WHERE died > ? AND born <= ?",
                         (live, live)).fetchall()  # fmt: skip
    for table in ("passages", "documents"):
        db.execute(f"DELETE FROM {table} WHERE born > ?", (live,))
        db.execute(f"UPDATE {table} SET died = NULL WHERE died > ?", (live,))
    champions.add(db, revived)


def collect_garbage(db: sqlite3.Connection, previous: int) -> int:
    """Delete rows that neither the live generation nor `previous` sees; returns passages."""
    n = db.execute("DELETE FROM passages WHERE died <= ?", (previous,)).rowcount
    db.execute("DELETE FROM documents WHERE died <= ?", (previous,))
    return n


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


class Segment:
    """One set of vectors: a Chroma folder `index/<name>/`, or the collection
    `qa-<index id>-<name>` on a Chroma server. Written by one build, read-only after."""

    def __init__(self, index_dir: Path, name: str, *, chroma_url=None, index_id=""):
        self.name = name
        self.path = Path(index_dir) / name
        self.chroma_url = chroma_url
        self.collection_name = f"qa-{index_id}-{name}" if chroma_url else COLLECTION
        self._client = None
        self._collection = None
        self._lock = threading.Lock()

    @property
    def collection(self):
        with self._lock:
            if self._collection is None:
                self._client = chroma_client(self.chroma_url, self.path)
                self._collection = self._client.get_or_create_collection(
                    self.collection_name, configuration={"hnsw": {"space": "cosine"}}
                )
            return self._collection

    def add(self, ids: list[int], vectors, metadatas: list[dict]) -> None:
        for i in range(0, len(ids), ADD_BATCH):
            self.collection.add(ids=[str(r) for r in ids[i : i + ADD_BATCH]],
                                embeddings=vectors[i : i + ADD_BATCH],
                                metadatas=metadatas[i : i + ADD_BATCH])  # fmt: skip

    def get(self, ids: list[int], *, metadatas=False) -> tuple[list[int], list, list]:
        """(rowids, vectors, metadatas) of those of `ids` this segment holds."""
        out_ids, out_vecs, out_meta = [], [], []
        include = ["embeddings", "metadatas"] if metadatas else ["embeddings"]
        for i in range(0, len(ids), ADD_BATCH):
            got = self.collection.get(ids=[str(r) for r in ids[i : i + ADD_BATCH]],
                                      include=include)  # fmt: skip
            out_ids += [int(r) for r in got["ids"]]
            out_vecs += list(got["embeddings"])
            out_meta += list(got["metadatas"] or []) if metadatas else []
        return out_ids, out_vecs, out_meta

    def query(self, vector, n: int, where=None, metadatas=False) -> list[tuple[int, float, dict]]:
        """(rowid, cosine distance, metadata or None) of the `n` nearest vectors."""
        include = ["distances", "metadatas"] if metadatas else ["distances"]
        res = self.collection.query(query_embeddings=vector, n_results=n, where=where,
                                    include=include)  # fmt: skip
        metas = res["metadatas"][0] if metadatas else [None] * len(res["ids"][0])
        return [(int(i), d, m) for i, d, m in zip(res["ids"][0], res["distances"][0], metas)]

    def close(self) -> None:
        with self._lock:
            if self._client is not None and hasattr(self._client, "close"):
                self._client.close()
            self._client = self._collection = None

    def drop(self) -> None:
        """Delete this segment's vectors (a build that failed, or one no generation lists)."""
        self.close()
        if self.chroma_url:
            client = chroma_client(self.chroma_url, self.path)
            if self.collection_name in {c.name for c in client.list_collections()}:
                client.delete_collection(self.collection_name)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
