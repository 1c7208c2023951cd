"""The web app: built without serving, served on 127.0.0.1 and driven through its API."""

import socket
import threading

import pytest
from conftest import UN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_build_app_builds_without_serving(seed_index, tmp_path):
    from qa.ui import build_app

    app = build_app(seed_index, tmp_path)
    config = app.get_config_file()
    api_names = {d.get("api_name") for d in config["dependencies"]}
    assert {"ask", "rebuild"} <= api_names
    assert not getattr(app, "server", None)  # built, not launched


def test_build_app_without_an_index_still_builds(tmp_path):
    from qa.ui import build_app

    assert build_app(tmp_path / "none", tmp_path / "seeds") is not None


@pytest.fixture(scope="module")
def served(seed_index):
    """The real app on a free port of 127.0.0.1, and a gradio_client for it."""
    from gradio_client import Client

    from qa.ui import build_app

    app = build_app(seed_index, seed_index / "no-seeds")
    app.queue()
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    yield f"http://127.0.0.1:{port}/", client
    app.close()


def test_api_answers_with_citations(served):
    _, client = served
    r = client.predict("Who commanded the CSTO peacekeeping force?", api_name="/ask")
    assert r["found"] is True and "Serdyukov" in r["answer"]
    # no language model configured: the extractive reader, nothing unsupported, no fallback
    assert (r["reader"], r["unsupported"], r["fallback"]) == ("extractive", [], None)
    c = r["citations"][0]
    # The fields the /ask contract promises (issue 3), spelled out independently of the code.
    assert set("n speaker role source title date text start end score".split()) <= set(c)
    assert c["n"] == 1 and c["speaker"] == "Stanislav Zas" and c["date"] == "2022-01-10"


def test_api_follow_up(served):
    _, client = served
    r = client.predict("When did it withdraw?", ["Who commanded the CSTO force?"], api_name="/ask")
    assert r["query"] == "When did the CSTO force withdraw?"
    assert "January 19" in r["answer"] or "January 13" in r["answer"]


@pytest.mark.parametrize("question", ["", "   \n "])
def test_api_empty_question_is_not_an_error(served, question):
    _, client = served
    r = client.predict(question, api_name="/ask")
    assert r["found"] is False and "empty" in r["answer"] and r["citations"] == []


def test_api_refuses_a_very_long_question(served):
    _, client = served
    r = client.predict("why " * 600, api_name="/ask")
    assert r["found"] is False and "limit is 2000" in r["answer"]


def test_api_filter_by_document_and_speaker(served):
    _, client = served
    r = client.predict("What happened in January?", None, "", UN, api_name="/ask")
    assert r["citations"] and {c["source"] for c in r["citations"]} == {UN}
    r = client.predict("Afghanistan", None, "Rahmon", api_name="/ask")
    assert {c["speaker"] for c in r["citations"]} == {"Emomali Rahmon"}


def test_questions_are_answered_while_a_rebuild_runs(seeds_copy, tmp_path, embedder):
    """A rebuild holds the writer lock; readers keep answering from the live generation."""
    from qa.index import build, writer_lock
    from qa.pipeline import answer

    index = tmp_path / "index"
    build(seeds_copy, index, embedder=embedder)
    release = threading.Event()
    holding = threading.Event()

    def writer():
        with writer_lock(index):
            holding.set()
            release.wait(30)

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert holding.wait(10)
        a = answer("Who commanded the CSTO peacekeeping force?", index_dir=index)
        assert "Serdyukov" in a.text
    finally:
        release.set()
        t.join()


def test_rebuild_from_the_app_picks_up_a_new_seed(seeds_copy, tmp_path, embedder):
    from gradio_client import Client

    from qa.index import build
    from qa.ui import build_app

    index = tmp_path / "index"
    build(seeds_copy, index, embedder=embedder)
    app = build_app(index, seeds_copy)
    app.queue()
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        (seeds_copy / "dam.txt").write_text(
            "Water board\nMay 2, 2024\n\nANNA BERG: The Vistula dam holds 7 million litres.\n"
            "TOM LI: Agreed.\n",
            encoding="utf-8",
        )
        status, table, _, _, _ = client.predict(api_name="/rebuild")
        assert "added    dam.txt" in status
        assert ">dam.txt</td>" in table  # the documents table lists the new file
        r = client.predict("How much does the Vistula dam hold?", api_name="/ask")
        assert (
            r["found"] and "7 million" in r["answer"] and r["citations"][0]["source"] == "dam.txt"
        )
    finally:
        app.close()


@pytest.mark.parametrize(
    "args, complaint",
    [
        (("Who commanded the force?", "not a list"), "history must be a list"),
        (("Who commanded the force?", [1, 2]), "history must be a list"),
        (("Who commanded the force?", None, 7), "speaker must be a string"),
    ],
)
def test_api_refuses_wrongly_typed_arguments_with_a_message(served, args, complaint, capfd):
    _, client = served
    r = client.predict(*args, api_name="/ask")
    assert r["found"] is False and complaint in r["error"]
    assert "Traceback" not in capfd.readouterr().err


def test_chat_history_is_read_from_any_content_shape():
    from qa.ui import message_text

    assert message_text({"role": "user", "content": "Who spoke first?"}) == "Who spoke first?"
    parts = {"role": "user", "content": [{"type": "text", "text": "What did Rahmon say?"}]}
    assert message_text(parts) == "What did Rahmon say?"
    assert message_text({"role": "user", "content": [{"type": "file", "file": {}}]}) == ""
