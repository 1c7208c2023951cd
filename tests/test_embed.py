"""Texts embedded by the model exported to ONNX: the same vectors as sentence-transformers,
and asking, serving, inspecting and indexing from a cold process import no torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, SEEDS

pytestmark = pytest.mark.slow


def _passages() -> list[str]:
    from qa.chunk import chunk
    from qa.formats import read

    texts = []
    for f in sorted(SEEDS.iterdir()):
        if f.is_file():
            texts += [p.embedding_text() for p in chunk(read(f.name, f.read_bytes()))]
    return texts


def test_onnx_gives_the_same_vectors_as_sentence_transformers(embedder):
    from qa.embed import Embedder

    torch = Embedder(embedder.model_name, backend="torch")
    assert embedder.backend == "onnx" and torch.backend == "torch"
    texts = _passages() + ["Who?", "who commanded the peacekeping froce", "x " * 600]
    assert len(texts) > 100
    a = torch.encode(texts)
    b = embedder.encode(texts)
    assert a.shape == b.shape and b.dtype == np.float32
    assert embedder.encode([]).shape == (0, b.shape[1])
    cosine = (a * b).sum(axis=1)
    assert cosine.min() >= 0.99999, (cosine.min(), texts[int(cosine.argmin())][:80])
    q = "Who commanded the CSTO peacekeeping force?"
    assert float(embedder.encode_query(q) @ torch.encode([q])[0]) >= 0.99999
    # A later process loads the graph optimised once and saved: the same vectors again.
    from qa.embed import model_dir
    from qa.embed_onnx import OnnxEncoder

    again = OnnxEncoder.for_model(model_dir(embedder.model_name))
    assert ".ort" in again.path.name
    assert (again.encode(texts) * a).sum(axis=1).min() >= 0.99999


def test_a_cold_question_imports_no_torch(seed_index, embedder):
    embedder.encode_query("export the model first, if this session has not")
    code = (
        "import sys, json; from qa.pipeline import answer; "
        f"a = answer('Who commanded the CSTO peacekeeping force?', index_dir={str(seed_index)!r}); "
        "print(json.dumps([a.found, 'torch' in sys.modules, "
        "'sentence_transformers' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [True, False, False], out.stderr


def test_torch_backend_on_request_and_for_models_onnx_cannot_run(tmp_path, embedder):
    from qa.embed import model_dir
    from qa.embed_onnx import OnnxEncoder

    env = {**os.environ, "QA_EMBED_BACKEND": "torch"}
    code = "from qa.embed import Embedder; print(Embedder().backend)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "torch", out.stderr
    # A model with a module this runner does not know (a Dense layer) stays on torch.
    other = tmp_path / "model"
    shutil.copytree(model_dir(embedder.model_name), other)
    modules = json.loads((other / "modules.json").read_text())
    modules.append({"idx": 3, "name": "3", "path": "3_Dense",
                    "type": "sentence_transformers.models.Dense"})  # fmt: skip
    (other / "modules.json").write_text(json.dumps(modules))
    assert OnnxEncoder.for_model(other) is None


def test_the_export_is_cached_by_content(tmp_path, embedder, monkeypatch):
    from qa.embed import model_dir
    from qa.embed_onnx import cache_dir, content_hash

    folder = model_dir(embedder.model_name)
    h = content_hash(folder)
    assert h == content_hash(folder) and len(h) == 64
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    assert content_hash(copy) == h  # same content, other place: the same export
    with open(copy / "config.json", "a") as f:
        f.write("\n")
    assert content_hash(copy) != h
    assert any((cache_dir() / "onnx").glob(f"{h}-*.onnx"))
    assert np.isfinite(embedder.encode_query("a")).all()


def test_serving_and_inspecting_import_no_torch(seed_index, embedder):
    embedder.encode_query("export the model first, if this session has not")
    code = (
        "import sys; from pathlib import Path; from qa.pipeline import Pipeline; "
        "from qa.ui import build_app, ensure_index; "
        f"p = Pipeline({str(seed_index)!r}); ensure_index(Path({str(SEEDS)!r}), p); "
        f"build_app({str(seed_index)!r}, {str(SEEDS)!r}, pipeline=p); p.warm_up(); "
        "from qa.cli import main; main(['inspect', "
        f"{str(ROOT / 'eval' / 'formats' / 'podcast_episode.vtt')!r}]); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False False", out.stdout[-500:]


def test_indexing_with_the_export_cached_imports_no_torch(seeds_copy, tmp_path, embedder):
    embedder.encode_query("export the model first, if this session has not")
    code = (
        "import sys; from qa.index import build; "
        f"r = build({str(seeds_copy)!r}, {str(tmp_path / 'index')!r}); "
        "print(r.embedded, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    embedded, torch, st = out.stdout.split()
    assert int(embedded) > 100 and (torch, st) == ("False", "False"), out.stdout


def test_an_unwritable_cache_falls_back_to_torch_with_one_line(seed_index, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    env = {**os.environ, "QA_CACHE_DIR": str(blocked / "qa")}
    code = (
        "import sys; from qa.embed import Embedder; from qa.pipeline import answer; "
        f"a = answer('Who commanded the CSTO peacekeeping force?', index_dir={str(seed_index)!r}); "
        "print(a.found, Embedder().backend)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "torch"]
    assert "Traceback" not in out.stderr and "sentence-transformers" in out.stderr
