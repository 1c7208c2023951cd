"""The web chat: a thin Gradio adapter around `qa.answer` and the index.

`build_app()` builds the Blocks without serving (tests use it); `main()` makes sure the
index is current, then serves on 127.0.0.1 with analytics off. Besides the chat it exposes
`/ask` for `gradio_client`: question in, JSON out, never an error for bad input.

Rebuilding from the Documents tab takes the index's writer lock; questions keep being
answered from the live generation meanwhile and switch to the new one when it goes live.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from qa.answer import answer  # noqa: E402
from qa.errors import QAError, QuestionError  # noqa: E402
from qa.index import build  # noqa: E402
from qa.render import CSS, chat_text, documents_rows, sources_html  # noqa: E402
from qa.retrieve import MAX_QUESTION_CHARS, open_index  # noqa: E402
from qa.types import CITATION_FIELDS  # noqa: E402

EXAMPLES = [
    "Who commanded the CSTO peacekeeping force?",
    "When did the CSTO contingent withdraw?",
    "What did Rahmon say about Afghanistan?",
]
ALL_SPEAKERS = "All speakers"
ALL_DOCUMENTS = "All documents"


def build_app(
    index_dir: Path | str = "index", seeds_dir: Path | str = "seeds", chroma_url: str | None = None
) -> gr.Blocks:
    """The chat, documents view and `/ask` endpoint over the index at `index_dir`; rebuilds
    keep vectors on the Chroma server at `chroma_url`, if given."""
    index_dir, seeds_dir = Path(index_dir), Path(seeds_dir)

    def filters():
        try:
            ix = open_index(index_dir)
            speakers = [ALL_SPEAKERS, *ix.speakers()]
            docs = [(ALL_DOCUMENTS, ALL_DOCUMENTS)] + [
                (f"{d['title'][:70]} ({d['date'] or 'undated'})", d["source"])
                for d in ix.documents()
            ]
            return speakers, docs, documents_rows(ix.documents())
        except QAError:
            return [ALL_SPEAKERS], [(ALL_DOCUMENTS, ALL_DOCUMENTS)], []

    def ask_json(
        question: str, history: list[str] | None = None, speaker: str = "", source: str = ""
    ) -> dict:
        """Answer a question about the transcripts; returns answer, found, query, citations."""
        try:
            a = answer(
                question,
                history=history or None,
                speaker=speaker or None,
                source=source or None,
                index_dir=index_dir,
            )
        except QuestionError as e:
            return {
                "answer": f"{str(e)[0].upper()}{str(e)[1:]}.",
                "found": False,
                "query": "",
                "citations": [],
            }
        except QAError as e:
            return {"answer": str(e), "found": False, "query": "", "citations": [], "error": str(e)}
        d = a.to_dict()
        d["citations"] = [_api_citation(c) for c in d["citations"]]
        return d

    def respond(message, chat, speaker, document):
        chat = list(chat or [])
        question = (message or "").strip()
        if not question:
            yield "", chat, gr.update()
            return
        earlier = [
            m["content"]
            for m in chat
            if m.get("role") == "user" and isinstance(m.get("content"), str)
        ]
        chat.append({"role": "user", "content": question})
        yield "", chat, gr.update()
        try:
            a = answer(
                question,
                history=earlier or None,
                speaker=None if speaker in (None, "", ALL_SPEAKERS) else speaker,
                source=None if document in (None, "", ALL_DOCUMENTS) else document,
                index_dir=index_dir,
            )
        except QAError as e:
            chat.append({"role": "assistant", "content": chat_text(str(e))})
            yield "", chat, sources_html(None)
            return
        if a.query != " ".join(question.split()):
            chat.append(
                {
                    "role": "assistant",
                    "content": chat_text(a.query),
                    "metadata": {"title": f"Searched for: {a.query}"},
                }
            )
        chat.append({"role": "assistant", "content": ""})
        words = chat_text(a.text).split(" ")
        for i in range(0, len(words), 4):  # stream the answer in, a few words at a time
            chat[-1] = {"role": "assistant", "content": " ".join(words[: i + 4])}
            yield "", chat, gr.update()
            time.sleep(0.02)
        yield "", chat, sources_html(a)

    def rebuild(progress=gr.Progress(track_tqdm=True)):  # noqa: B008 (Gradio's idiom)
        progress(0, desc="Checking seeds")
        try:
            report = build(seeds_dir, index_dir, progress=True, chroma_url=chroma_url)
        except QAError as e:
            msg = f"Not rebuilt: {e}"
        else:
            from qa.cli import describe_build

            msg = describe_build(report, seeds_dir, index_dir)
        speakers, docs, rows = filters()
        return (
            msg,
            rows,
            gr.update(choices=speakers, value=ALL_SPEAKERS),
            gr.update(choices=docs, value=ALL_DOCUMENTS),
        )

    speakers, docs, rows = filters()
    with gr.Blocks(title="qa: ask the transcripts", fill_height=True) as app:
        gr.Markdown(
            "## qa: ask the transcripts\nAnswers quote the transcripts and cite who "
            "said it, where and when. Check every claim in the sources panel."
        )
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Chat", height=460, elem_id="chat", sanitize_html=True
                    )
                    with gr.Row():
                        box = gr.Textbox(
                            placeholder="Ask about the transcripts…",
                            scale=5,
                            show_label=False,
                            elem_id="question",
                            max_length=MAX_QUESTION_CHARS,
                            autofocus=True,
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    gr.Examples(EXAMPLES, inputs=[box], label="Examples")
                    with gr.Row():
                        speaker = gr.Dropdown(
                            speakers, value=ALL_SPEAKERS, label="Speaker", elem_id="speaker"
                        )
                        document = gr.Dropdown(
                            docs, value=ALL_DOCUMENTS, label="Document", elem_id="document"
                        )
                    clear = gr.Button("New chat", size="sm")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    # subtle: launch(css=...) replaces Blocks.css, so the panel carries its own.
                    gr.HTML(f"<style>{CSS}</style>", padding=False)
                    sources = gr.HTML(sources_html(None), elem_id="sources")
        with gr.Tab("Documents"):
            table = gr.Dataframe(
                rows,
                headers=["Title", "Date", "File", "Passages", "Speakers"],
                interactive=False,
                wrap=True,
            )
            with gr.Row():
                rebuild_btn = gr.Button("Rebuild index", elem_id="rebuild")
            status = gr.Textbox(label="Index status", lines=4, interactive=False)

        for trigger in (box.submit, send.click):
            trigger(
                respond,
                [box, chatbot, speaker, document],
                [box, chatbot, sources],
                api_visibility="private",
            )
        clear.click(
            lambda: ([], sources_html(None)), None, [chatbot, sources], api_visibility="private"
        )
        rebuild_btn.click(
            rebuild,
            None,
            [status, table, speaker, document],
            api_name="rebuild",
            concurrency_id="writer",
        )
        gr.api(ask_json, api_name="ask", concurrency_limit=4)
    return app


def _api_citation(c: dict) -> dict:
    return {k: c[k] for k in CITATION_FIELDS}


def ensure_index(seeds_dir: Path, index_dir: Path, chroma_url: str | None = None) -> None:
    """Build or update the index before serving; a locked or seedless index is not fatal."""
    print(f"qa: checking the index at {index_dir} against {seeds_dir} ...", flush=True)
    from qa.cli import describe_build

    try:
        report = build(seeds_dir, index_dir, progress=sys.stderr.isatty(), chroma_url=chroma_url)
        print(describe_build(report, seeds_dir, index_dir), flush=True)
    except QAError as e:
        try:
            open_index(index_dir)
        except QAError:
            raise e from None
        print(f"qa: serving the existing index ({e})", flush=True)


def _warm(index_dir: Path) -> None:
    """Load the model and open the index in the background so the first answer is quick."""
    try:
        from qa.embed import Embedder

        Embedder(open_index(index_dir).model).encode_query("warm up")
    except QAError:
        pass


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="qa serve", description="Serve the qa web chat.")
    p.add_argument("--host", default=os.environ.get("QA_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("QA_PORT", "7860")))
    p.add_argument("--seeds", type=Path, default=Path(os.environ.get("QA_SEEDS_DIR") or "seeds"))
    p.add_argument("--index", type=Path, default=Path(os.environ.get("QA_INDEX_DIR") or "index"))
    p.add_argument("--chroma-url", default=os.environ.get("QA_CHROMA_URL") or None,
                   help="keep vectors on a Chroma server (env QA_CHROMA_URL)")  # fmt: skip
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        ensure_index(args.seeds, args.index, args.chroma_url)
    except QAError as e:
        print(f"qa: {e}", file=sys.stderr)
        return 2
    app = build_app(args.index, args.seeds, args.chroma_url)
    # subtle: only after build_app. Its gr.Progress(track_tqdm=True) patches tqdm's methods;
    # a tqdm bar the model's warm-up opened before the patch and closed after it printed
    # "AttributeError: 'tqdm' object has no attribute '_progress'" (seen once on a first run).
    threading.Thread(target=_warm, args=(args.index,), daemon=True).start()
    app.queue(default_concurrency_limit=2)
    app.launch(
        server_name=args.host,
        server_port=args.port,
        prevent_thread_lock=True,
        show_error=True,
        quiet=True,
    )
    url = f"http://{args.host}:{args.port}/"
    print(f"qa: serving on {url} ({time.perf_counter() - t0:.1f} s after start)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        app.close()
    return 0
