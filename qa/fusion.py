"""Reciprocal rank fusion: several rankings of passage ids into one score per id.

score = sum over rankings of 1 / (k + rank), rank from 1. It needs no calibration between
rankings whose scores mean different things (cosine similarity, BM25). k = 60 is the value
of Cormack, Clarke and Buettcher (2009), used unchanged by most hybrid search engines.
"""

from __future__ import annotations

RRF_K = 60


def fuse(
    rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None
) -> dict[str, float]:
    """{id: fused score} over `rankings` (each a list of ids, best first), in the order the
    ids were first seen; `weights` (default all 1) scale each ranking's share."""
    fused: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        w = weights[i] if weights else 1.0
        for rank, pid in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + w / (k + rank)
    return fused


def best_ranks(rankings: list[list[str]]) -> dict[str, int]:
    """{id: its best (lowest) 0-based rank in any of `rankings`}."""
    out: dict[str, int] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking):
            out[pid] = min(out.get(pid, rank), rank)
    return out
