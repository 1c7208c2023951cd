"""Shared fixtures: the repository's seeds indexed once per session with the real model."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# The ONNX export of the model (qa/embed_onnx.py) goes to a cache of the test run's own, for
# this process and the servers and CLIs it starts.
os.environ["QA_CACHE_DIR"] = tempfile.mkdtemp(prefix="qa-test-cache-")
atexit.register(shutil.rmtree, os.environ["QA_CACHE_DIR"], True)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
KREMLIN = "000_f494a2eb6378dd6b.txt"
UN = "003_b3bbd5d5ac1e2df3.txt"


@pytest.fixture(scope="session")
def embedder():
    from qa.embed import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, embedder) -> Path:
    """An index of the repository's seeds, built once with the real model."""
    from qa.index import build

    index_dir = tmp_path_factory.mktemp("index")
    build(SEEDS, index_dir, embedder=embedder)
    return index_dir


@pytest.fixture(scope="session")
def with_town_hall(tmp_path_factory, embedder) -> Path:
    """A folder with `seeds/` (the seeds and the town-hall transcript in its second format)
    and their `index/`, built once with the real model."""
    from qa.evaluate import gather_seeds
    from qa.index import build

    work = tmp_path_factory.mktemp("town")
    seeds = gather_seeds([SEEDS, ROOT / "eval" / "corpus"], work / "seeds")
    build(seeds, work / "index", embedder=embedder)
    return work


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A private copy of the seeds that a test may change."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst


def dev_questions() -> list[dict]:
    lines = (ROOT / "eval" / "dev_qa.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
