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


@pytest.fixture
def small_seeds(tmp_path) -> Path:
    """Three short made-up meetings (17 passages): for tests of the index's bookkeeping, which
    do not need the seeds' 144 passages embedded each time."""
    dst = tmp_path / "small-seeds"
    dst.mkdir()
    turns = {
        "board.txt": [
            ("ANNA BERG", "The troops leave the river town on Friday."),
            ("TOM LI", "Will the troops come back for the spring floods?"),
            ("ANNA BERG", "Only if the river rises above the old dam."),
            ("TOM LI", "Then the board meets again on Monday."),
        ],
        "council.txt": [
            ("RUTH OKE", "The council thanks the troops for their work on the dam."),
            ("SAM PIRES", "The dam needs new gates before the floods."),
            ("RUTH OKE", "The gates cost two million."),
            ("SAM PIRES", "The council votes on the gates in June."),
        ],
        "press.txt": [
            ("ANNA BERG", "Good morning. The troops have left the town."),
            ("REPORTER", "Who commanded the troops?"),
            ("ANNA BERG", "Colonel Vega commanded them, as the council knows."),
            ("REPORTER", "And the dam?"),
            ("ANNA BERG", "The dam held; the floods did not come."),
        ],
    }
    for i, (name, lines) in enumerate(turns.items()):
        body = "".join(f"{who}: {text}\n" for who, text in lines)
        (dst / name).write_text(f"{name[:-4].title()} meeting\nMay {i + 1}, 2024\n\n{body}")
    return dst


def build_killed_after_commit(seeds: Path, index: Path, embedder) -> None:
    """Run a build that dies after its database commit, before its generation goes live."""
    import qa.index

    real = qa.index.os.replace

    def die_on_swap(src, dst):
        if ".tmp-" in str(src) and "gen-" in str(src):
            raise KeyboardInterrupt
        return real(src, dst)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(qa.index.os, "replace", die_on_swap)
        with pytest.raises(KeyboardInterrupt):
            qa.index.build(seeds, index, embedder=embedder)
