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
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_url, wait_until="load")
        yield page
        browser.close()


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
