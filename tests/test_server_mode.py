"""Server mode: vectors on a real `chroma run` server on 127.0.0.1, keywords in the folder."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import dev_questions

import qa
from qa.errors import QAError
from qa.index import Index, build
from qa.store import chroma_client

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """`chroma run` on a free port; stopped by its process id."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(data)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            chroma_client(url, Path())
            break
        except QAError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.2)
    yield url
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def test_server_mode_answers_equal_embedded_mode(chroma_server, seed_index, seeds_copy, tmp_path,
                                                 embedder):  # fmt: skip
    index = tmp_path / "index"
    report = build(seeds_copy, index, embedder=embedder, chroma_url=chroma_server)
    assert report.passages == Index(seed_index).count()
    manifest = Index(index).manifest
    assert manifest["chroma_url"] == chroma_server
    assert not list(index.glob("seg-*"))  # vectors are not here

    for q in dev_questions():
        server = qa.answer(q["question"], history=q.get("history"), index_dir=index)
        local = qa.answer(q["question"], history=q.get("history"), index_dir=seed_index)
        assert (server.text, server.found) == (local.text, local.found), q["id"]
        assert [c.id for c in server.citations] == [c.id for c in local.citations], q["id"]


def test_server_mode_incremental_build_and_cleanup(chroma_server, seeds_copy, tmp_path, embedder):
    index = tmp_path / "index"
    build(seeds_copy, index, embedder=embedder, chroma_url=chroma_server)
    names = {c.name for c in chroma_client(chroma_server, Path()).list_collections()}
    first = {f"qa-{Index(index).manifest['index_id']}-{s['name']}"
             for s in Index(index).manifest["segments"]}  # fmt: skip
    assert first <= names
    extra = (
        "Minutes\nMay 1, 2024\n\nANNA BERG: The Vistula bridge reopens on 12 May.\nTOM LI: Ok.\n"
    )
    (seeds_copy / "extra.txt").write_text(extra)
    report = build(seeds_copy, index, embedder=embedder, chroma_url=chroma_server)
    assert report.added == ["extra.txt"] and report.embedded == 3
    second = {f"qa-{Index(index).manifest['index_id']}-{s['name']}"
              for s in Index(index).manifest["segments"]} - first  # fmt: skip
    assert len(second) == 1  # only the added file's vectors were written
    assert "Vistula" in qa.retrieve("When does the bridge reopen?", index_dir=index)[0].text
    (seeds_copy / "extra.txt").unlink()
    build(seeds_copy, index, embedder=embedder, chroma_url=chroma_server)
    live = {f"qa-{Index(index).manifest['index_id']}-{s['name']}"
            for s in Index(index).manifest["segments"]}  # fmt: skip
    assert live == first  # the removal wrote no vectors; the added file's segment is dead
    names = {c.name for c in chroma_client(chroma_server, Path()).list_collections()}
    assert second <= names  # the previous generation lists it, and may still be answering
    (seeds_copy / "other.txt").write_text(extra.replace("Vistula", "Oder"))
    build(seeds_copy, index, embedder=embedder, chroma_url=chroma_server)
    names = {c.name for c in chroma_client(chroma_server, Path()).list_collections()}
    assert first <= names and not second & names  # live and previous generations only


def test_unreachable_server_is_a_clear_error(tmp_path, seeds_copy):
    with pytest.raises(QAError, match="cannot reach the Chroma server at http://127.0.0.1:9"):
        build(seeds_copy, tmp_path / "index", chroma_url="http://127.0.0.1:9")
    assert not list((tmp_path / "index").glob("gen-*"))  # nothing half-written
