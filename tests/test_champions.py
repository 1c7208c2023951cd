"""Champion lists: kept exact by incremental builds, and searched when FTS5 would cost too much."""

import sqlite3

import pytest
from conftest import build_killed_after_commit

import qa.champions
import qa.index
from qa.index import Index, build


def _db(index):
    return sqlite3.connect(index / "passages.sqlite3")


def _check_exact(index):
    """Counts equal what the alive passages hold; a list holds every alive passage of its term
    when there are at most KEEP, else KEEP or more of them, the best one among them."""
    db = _db(index)
    alive = "JOIN passages p ON p.rowid = i.doc WHERE i.col = 'text' AND p.died IS NULL"
    true = dict(db.execute(f"SELECT i.term, count(DISTINCT i.doc) FROM passages_fts_instance i "
                           f"{alive} GROUP BY i.term"))  # fmt: skip
    kept = {t: df for t, df in db.execute("SELECT term, df FROM terms") if df}
    assert kept == true
    n, tokens = db.execute("SELECT passages, tokens FROM totals").fetchone()
    assert (n, tokens) == db.execute("SELECT count(*), sum(tokens) FROM passages "
                                     "WHERE died IS NULL").fetchone()  # fmt: skip
    listed = [t for (t,) in db.execute("SELECT term FROM terms WHERE listed = 1")]
    assert {t for t, df in true.items() if df > qa.champions.CHAMPION_DF} <= set(listed)
    for term in listed:
        have = {r for (r,) in db.execute("SELECT passage FROM champions WHERE term = ?", (term,))}
        want = {r for (r,) in db.execute(f"SELECT DISTINCT i.doc FROM passages_fts_instance i "
                                         f"{alive} AND i.term = ?", (term,))}  # fmt: skip
        if len(want) <= qa.champions.KEEP:
            assert have == want, term
        else:  # the best KEEP, or at least half as many once removals took some
            assert have <= want and len(have) >= qa.champions.KEEP // 2, term
            qa.champions.fill(db, term)  # from scratch, at today's average length
            best = db.execute("SELECT passage FROM champions WHERE term = ? ORDER BY tfn DESC "
                              "LIMIT 1", (term,)).fetchone()[0]  # fmt: skip
            assert best in have, term
    db.rollback()
    return len(listed)


@pytest.fixture
def small_lists(monkeypatch):
    monkeypatch.setattr(qa.champions, "CHAMPION_DF", 2)
    monkeypatch.setattr(qa.champions, "KEEP", 4)


def test_builds_keep_counts_and_lists_exact(small_lists, small_seeds, tmp_path, embedder):
    index = tmp_path / "index"
    build(small_seeds, index, embedder=embedder)
    _check_exact(index)
    turns = "".join(f"{w}: The troops guard the dam.\n" for w in ["ANNA BERG", "TOM LI"] * 3)
    (small_seeds / "dam.txt").write_text("Minutes\nMay 2, 2024\n\n" + turns)
    board = small_seeds / "board.txt"
    board.write_text(board.read_text() + "TOM LI: The troops went home.\n")
    build(small_seeds, index, embedder=embedder)
    _check_exact(index)
    (small_seeds / "dam.txt").unlink()
    build(small_seeds, index, embedder=embedder)
    _check_exact(index)

    # a build that dies after its commit: the next one undoes its counts too
    (small_seeds / "dam.txt").write_text("Minutes\n\nANNA BERG: The troops left the dam.\n")
    board.unlink()
    build_killed_after_commit(small_seeds, index, embedder)
    build(small_seeds, index, embedder=embedder)
    _check_exact(index)


def test_common_terms_rank_from_their_lists_on_a_large_index(small_lists, small_seeds, tmp_path,
                                                              embedder, monkeypatch):  # fmt: skip
    index = tmp_path / "index"
    build(small_seeds, index, embedder=embedder)
    ix = Index(index)
    # Behave as on a corpus of millions, where no term's postings fit the budget.
    monkeypatch.setattr(qa.index, "LARGE_INDEX", 0)
    monkeypatch.setattr(qa.index, "POSTINGS_BUDGET", 1)
    hits = ix.keyword(["troops", "dam"], 5)
    assert len(hits) == 5 and all(s > 0 for _, s in hits)
    texts = [p.text.lower() for p in ix.passages([i for i, _ in hits]).values()]
    assert all("dam" in t or "troop" in t for t in texts)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    speaker = "Ruth Oke"
    hits = ix.keyword(["troops"], 5, speaker=speaker)
    assert hits and {ix.passages([i])[i].speaker for i, _ in hits} == {speaker}
