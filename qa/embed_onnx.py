"""The embedding model run by onnxruntime: a question embedded without importing torch.

A sentence-transformers model folder (Transformer, then mean or CLS pooling, then optionally
Normalize) is exported once to ONNX with `torch.onnx.export`, locally (nothing is
downloaded), and cached under the model's content hash (`QA_CACHE_DIR`, default
~/.cache/qa). Later processes load the cached file with onnxruntime and the model's own
`tokenizer.json` with `tokenizers`: neither imports torch. The pooling and normalising are
done here in numpy, as the model's configuration says. A model of another shape (a Dense
layer, another pooling) is not exported: `OnnxEncoder.for_model` returns None and the caller
keeps sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

# onnxruntime's telemetry makes DNS look-ups unless this is set before it loads.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

EXPORT_VERSION = 1  # bump when the exported graph changes
_MODULES_OK = {"sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
               "sentence_transformers.models.Normalize"}  # fmt: skip
_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
# Texts per run: sorted by length, small batches pad little (8-16 embedded 60-70 passages/s
# here against 45-55 for sentence-transformers at 32; docs/performance.md).
BATCH = 16


def cache_dir() -> Path:
    base = os.environ.get("QA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "qa"
    )
    return Path(base)


def _layout(model_dir: Path) -> dict | None:
    """Pooling mode, normalising and sequence limit of a model folder, or None when this
    module cannot run it (other modules, another pooling, no tokenizer.json)."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        types = [m["type"] for m in modules]
        if not set(types) <= _MODULES_OK or types[:2] != [
            "sentence_transformers.models.Transformer",
            "sentence_transformers.models.Pooling",
        ]:
            return None
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text())
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration):
        return None
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    if modes not in (["pooling_mode_mean_tokens"], ["pooling_mode_cls_token"]):
        return None
    if not (model_dir / "tokenizer.json").is_file():
        return None
    if not any((model_dir / w).is_file() for w in _WEIGHTS):
        return None
    return {
        "pooling": "mean" if modes == ["pooling_mode_mean_tokens"] else "cls",
        "normalize": any(t.endswith("Normalize") for t in types),
        "max_length": int(config.get("max_seq_length") or 256),
    }


def content_hash(model_dir: Path) -> str:
    """SHA-256 over the model's files, memoised by their sizes and times (hashing the weights
    costs ~0.2 s; a cold question should not pay it)."""
    files = sorted(p for p in model_dir.rglob("*") if p.is_file() and ".git" not in p.parts)
    stat = hashlib.sha256()
    for p in files:
        s = p.stat()
        stat.update(f"{p.relative_to(model_dir)}\0{s.st_size}\0{s.st_mtime_ns}\n".encode())
    memo = cache_dir() / "hashes" / f"{stat.hexdigest()}.txt"
    try:
        return memo.read_text().strip()
    except OSError:
        pass
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(model_dir)).encode() + b"\0")
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    digest = h.hexdigest()
    with _replacing(memo) as tmp:
        tmp.write_text(digest)
    return digest


@contextmanager
def _replacing(path: Path):
    """A temporary file beside `path` to write; it becomes `path` only if the block ends
    without error (another process never reads half a file), and is removed otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def export(model_dir: Path, out: Path) -> None:
    """Export the model's transformer to ONNX at `out` (needs torch and
    sentence-transformers; ~1.5 s for MiniLM). Outputs the token embeddings; pooling is
    done at run time."""
    import warnings

    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    st = SentenceTransformer(str(model_dir), device="cpu",
                             model_kwargs={"attn_implementation": "eager"})  # fmt: skip
    auto = st[0].auto_model.eval()

    class Tokens(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.m(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids)  # fmt: skip
            return out.last_hidden_state

    sample = st.tokenizer(["a question", "a longer passage of text"], padding=True,
                          return_tensors="pt")  # fmt: skip
    args = tuple(sample[k] if k in sample else torch.zeros_like(sample["input_ids"])
                 for k in ("input_ids", "attention_mask", "token_type_ids"))  # fmt: skip
    axes = {0: "batch", 1: "sequence"}
    with _replacing(out) as tmp, torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about constant shapes: tests compare vectors
        torch.onnx.export(
            Tokens(auto), args, str(tmp), opset_version=17, dynamo=False,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["tokens"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes,
                          "token_type_ids": axes, "tokens": axes},
        )  # fmt: skip


class OnnxEncoder:
    """Embeds texts with an exported model; rows as sentence-transformers gives them."""

    def __init__(self, onnx_path: Path, model_dir: Path, layout: dict):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        # The graph optimised once and saved beside the export (at the portable "extended"
        # level, keyed by the onnxruntime version): later processes load it without
        # optimising again, ~0.2 s sooner.
        optimized = onnx_path.with_name(f"{onnx_path.stem}.ort{ort.__version__}.onnx")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        if optimized.is_file():
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            path = optimized
            self.session = ort.InferenceSession(str(path), options,
                                                providers=["CPUExecutionProvider"])  # fmt: skip
        else:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            path = onnx_path
            with _replacing(optimized) as tmp:
                options.optimized_model_filepath = str(tmp)
                self.session = ort.InferenceSession(str(path), options,
                                                    providers=["CPUExecutionProvider"])  # fmt: skip
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=layout["max_length"])
        self.tokenizer.no_padding()
        self.layout = layout
        self.path = path  # the file loaded: the export, or the optimised graph saved from it

    @classmethod
    def for_model(cls, model_dir: Path) -> OnnxEncoder | None:
        """The encoder for the model folder `model_dir`, exported first if the cache lacks
        it; None when the model's shape is not one this module runs, or when onnxruntime is
        missing."""
        layout = _layout(model_dir)
        if layout is None:
            return None
        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError:
            return None
        path = cache_dir() / "onnx" / f"{content_hash(model_dir)}-v{EXPORT_VERSION}.onnx"
        if not path.is_file():
            print("qa: exporting the embedding model for onnxruntime (once per model, a few "
                  "seconds) ...", file=sys.stderr, flush=True)  # fmt: skip
            export(model_dir, path)
        return cls(path, model_dir, layout)

    def encode(self, texts: list[str], batch_size: int = BATCH):
        import numpy as np

        if not texts:
            width = self.session.get_outputs()[0].shape[-1]  # the hidden size, fixed at export
            return np.zeros((0, width if isinstance(width, int) else 0), dtype=np.float32)
        # Sorted by length so that a batch pads little; rows go back in their order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        rows: dict[int, np.ndarray] = {}
        for s in range(0, len(order), batch_size):
            batch = order[s : s + batch_size]
            encs = self.tokenizer.encode_batch([texts[i] for i in batch])
            width = max(len(e.ids) for e in encs)
            ids = np.zeros((len(encs), width), dtype=np.int64)
            mask = np.zeros((len(encs), width), dtype=np.int64)
            types = np.zeros((len(encs), width), dtype=np.int64)
            for j, e in enumerate(encs):
                n = len(e.ids)
                ids[j, :n], mask[j, :n], types[j, :n] = e.ids, e.attention_mask, e.type_ids
            (tokens,) = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            if self.layout["pooling"] == "mean":
                m = mask[:, :, None].astype(np.float32)
                pooled = (tokens * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            else:
                pooled = tokens[:, 0]
            if self.layout["normalize"]:
                pooled = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12,
                                          None)  # fmt: skip
            for j, i in enumerate(batch):
                rows[i] = pooled[j].astype(np.float32)
        return np.stack([rows[i] for i in range(len(texts))])
