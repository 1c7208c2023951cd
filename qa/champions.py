"""Keyword ranking for common terms at scale: each common term's best passages, kept by builds.

FTS5 scores every posting of a term before it keeps the best, so on a large index a term in
hundreds of thousands of passages costs too much to rank per question (`Index.keyword` skips
it). For every term in more than CHAMPION_DF passages this module keeps its best passages
("champion lists") with their BM25 term-frequency part, computed as FTS5 computes it (k1 1.2,
b 0.75) on the text column. BM25's order within one term does not depend on the term's idf,
so a list stays right as the corpus grows; the reader multiplies by the idf of the day.

Builds maintain the lists in proportion to their change: the passages a build adds are
tokenized by FTS5 itself (a temporary FTS5 table with the index's tokenizer, read through
fts5vocab), their terms' passage counts go up, and each enters the lists whose last entry it
beats; a term whose count crosses CHAMPION_DF gets its list from its postings then (about
CHAMPION_DF of them). Removed passages count down and leave the lists.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter

CHAMPION_DF = 500  # terms in more passages than this keep a list
KEEP = 100  # best passages kept per term (a list may hold up to twice that before a trim)
K1, B = 1.2, 0.75  # FTS5's bm25 constants

SCHEMA = """
CREATE TABLE IF NOT EXISTS terms (
  term TEXT PRIMARY KEY, df INTEGER NOT NULL, listed INTEGER NOT NULL DEFAULT 0,
  cutoff REAL NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS champions (term TEXT NOT NULL, tfn REAL NOT NULL, passage INTEGER);
CREATE INDEX IF NOT EXISTS champions_term ON champions(term, tfn DESC);
CREATE INDEX IF NOT EXISTS champions_passage ON champions(passage);
CREATE TABLE IF NOT EXISTS totals (
  id INTEGER PRIMARY KEY CHECK (id = 0), passages INTEGER NOT NULL, tokens INTEGER NOT NULL);
INSERT OR IGNORE INTO totals VALUES (0, 0, 0);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts_instance USING fts5vocab(passages_fts, instance);
CREATE TRIGGER IF NOT EXISTS passages_champions_ad AFTER DELETE ON passages BEGIN
  DELETE FROM champions WHERE passage = old.rowid; END;
"""


def tokenize(db: sqlite3.Connection, texts: dict[int, str]) -> dict[int, Counter]:
    """Each text's tokens as the keyword index sees them (porter unicode61), counted."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.qa_tok USING fts5(text, "
               "tokenize='porter unicode61')")  # fmt: skip
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.qa_tok_i USING "
               "fts5vocab(temp, qa_tok, instance)")  # fmt: skip
    out: dict[int, Counter] = {i: Counter() for i in texts}
    items = list(texts.items())
    for s in range(0, len(items), 2000):
        db.executemany("INSERT INTO temp.qa_tok(rowid, text) VALUES (?, ?)", items[s : s + 2000])
        for doc, term, n in db.execute("SELECT doc, term, count(*) FROM temp.qa_tok_i "
                                       "GROUP BY doc, term"):  # fmt: skip
            out[doc][term] = n
        db.execute("DELETE FROM temp.qa_tok")
    return out


def tfn(tf: int, tokens: int, avg: float) -> float:
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * tokens / max(avg, 1e-9)))


def add(db: sqlite3.Connection, rows: list[tuple[int, str]]) -> None:
    """Passages (rowid, text) just inserted: count their terms, enter them in the lists."""
    if not rows:
        return
    counts = tokenize(db, dict(rows))
    sizes = {rowid: sum(c.values()) for rowid, c in counts.items()}
    db.executemany("UPDATE passages SET tokens = ? WHERE rowid = ?",
                   [(n, rowid) for rowid, n in sizes.items()])  # fmt: skip
    db.execute("UPDATE totals SET passages = passages + ?, tokens = tokens + ?",
               (len(sizes), sum(sizes.values())))  # fmt: skip
    df = Counter(t for c in counts.values() for t in c)
    db.executemany("INSERT INTO terms (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE "
                   "SET df = df + excluded.df", df.items())  # fmt: skip
    avg = _average(db)
    listed = _listed(db, list(df))
    entries, cutoffs = [], {}
    for rowid, c in counts.items():
        for term, tf in c.items():
            if term in listed:
                score = tfn(tf, sizes[rowid], avg)
                # subtle: a list holds every passage that scores above its cutoff (the best
                # score left out), so it stays the term's exact top; one below stays out.
                if score > listed[term][1]:
                    entries.append((term, score, rowid))
                else:
                    cutoffs[term] = max(cutoffs.get(term, 0.0), score)
    db.executemany("INSERT INTO champions (term, tfn, passage) VALUES (?, ?, ?)", entries)
    db.executemany("UPDATE terms SET cutoff = max(cutoff, ?) WHERE term = ?",
                   [(c, t) for t, c in cutoffs.items()])  # fmt: skip
    for term, n in Counter(t for t, _, _ in entries).items():
        if listed[term][0] + n > 2 * KEEP:
            _trim(db, term)
    terms = list(df)
    for s in range(0, len(terms), 900):
        chunk = terms[s : s + 900]
        new = [t for (t,) in db.execute(
            f"SELECT term FROM terms WHERE listed = 0 AND df > ? AND term IN "
            f"({','.join('?' * len(chunk))})", (CHAMPION_DF, *chunk)).fetchall()]  # fmt: skip
        for term in new:
            fill(db, term)


def remove(db: sqlite3.Connection, rows: list[tuple[int, str]]) -> None:
    """Passages (rowid, text) just marked dead: count their terms down, drop them from the
    lists, and refill a list that fell to half."""
    if not rows:
        return
    counts = tokenize(db, dict(rows))
    db.execute("UPDATE totals SET passages = passages - ?, tokens = tokens - ?",
               (len(counts), sum(sum(c.values()) for c in counts.values())))  # fmt: skip
    df = Counter(t for c in counts.values() for t in c)
    db.executemany("UPDATE terms SET df = df - ? WHERE term = ?",
                   [(n, t) for t, n in df.items()])  # fmt: skip
    ids = [r for r, _ in rows]
    for s in range(0, len(ids), 900):
        chunk = ids[s : s + 900]
        db.execute(f"DELETE FROM champions WHERE passage IN ({','.join('?' * len(chunk))})",
                   chunk)  # fmt: skip
    for term, (n, cutoff) in _listed(db, list(df)).items():
        if n < KEEP // 2 and cutoff > 0:  # passages were left out: take the best of them in
            fill(db, term)


def fill(db: sqlite3.Connection, term: str) -> None:
    """Make `term`'s list from its postings (its passages in the text column)."""
    db.execute("DELETE FROM champions WHERE term = ?", (term,))
    avg = _average(db)
    db.execute(
        "INSERT INTO champions (term, tfn, passage) "
        "SELECT ?, i.tf * ? / (i.tf + ? * (1 - ? + ? * p.tokens / ?)) AS s, i.doc FROM "
        "(SELECT doc, count(*) AS tf FROM passages_fts_instance WHERE term = ? AND col = 'text' "
        "GROUP BY doc) i JOIN passages p ON p.rowid = i.doc WHERE p.died IS NULL "
        "ORDER BY s DESC LIMIT ?",
        (term, K1 + 1, K1, B, B, avg, term, KEEP + 1),
    )
    db.execute("UPDATE terms SET listed = 1, cutoff = 0 WHERE term = ?", (term,))
    _trim(db, term)


def _trim(db: sqlite3.Connection, term: str) -> None:
    """Keep a list's best KEEP; the best one dropped becomes its cutoff."""
    dropped = db.execute("SELECT tfn FROM champions WHERE term = ? ORDER BY tfn DESC "
                         "LIMIT 1 OFFSET ?", (term, KEEP)).fetchone()  # fmt: skip
    if dropped is None:
        return
    db.execute(
        "DELETE FROM champions WHERE term = ? AND rowid NOT IN (SELECT rowid FROM "
        "champions WHERE term = ? ORDER BY tfn DESC LIMIT ?)",
        (term, term, KEEP),
    )
    db.execute("UPDATE terms SET cutoff = max(cutoff, ?) WHERE term = ?", (dropped[0], term))


def _average(db: sqlite3.Connection) -> float:
    n, tokens = db.execute("SELECT passages, tokens FROM totals").fetchone()
    return tokens / n if n else 1.0


def _listed(db: sqlite3.Connection, terms: list[str]) -> dict[str, tuple[int, float]]:
    """For the listed ones of `terms`: (entries, cutoff)."""
    out = {}
    for s in range(0, len(terms), 900):
        chunk = terms[s : s + 900]
        rows = db.execute(
            f"SELECT t.term, count(c.passage), t.cutoff FROM terms t LEFT JOIN champions c "
            f"ON c.term = t.term WHERE t.listed = 1 AND t.term IN ({','.join('?' * len(chunk))}) "
            f"GROUP BY t.term",
            chunk,
        )
        out.update((term, (n, cutoff)) for term, n, cutoff in rows)
    return out


def search(db, terms: list[str], passages: int, k: int) -> dict[int, float]:
    """BM25 contributions (rowid -> score) of the listed ones of `terms` (index tokens), from
    their lists' best k entries each; `passages` is the generation's passage count."""
    out: dict[int, float] = Counter()
    for term in terms:
        row = db.execute("SELECT df FROM terms WHERE term = ? AND listed = 1", (term,)).fetchone()
        if not row:
            continue
        df = row[0]
        idf = math.log((passages - df + 0.5) / (df + 0.5)) if passages > df else 0.0
        idf = idf if idf > 0 else 1e-6  # as FTS5 does for terms in most passages
        for rowid, score in db.execute("SELECT passage, tfn FROM champions WHERE term = ? "
                                       "ORDER BY tfn DESC LIMIT ?", (term, k)):  # fmt: skip
            out[rowid] += idf * score
    return dict(out)
