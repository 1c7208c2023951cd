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

from qa import library  # noqa: E402
from qa.errors import QAError, QuestionError  # noqa: E402
from qa.formats import EXTENSIONS  # noqa: E402
from qa.index import build  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402
from qa.readers.llm import LLMSettings  # noqa: E402
from qa.render import answer_markdown, chat_text, documents_html, sources_html  # noqa: E402
from qa.types import CITATION_FIELDS  # noqa: E402

EXAMPLES = [
    "Who commanded the CSTO peacekeeping force?",
    "When did the CSTO contingent withdraw?",
    "What did Rahmon say about Afghanistan?",
]
ALL_SPEAKERS = "All speakers"
ALL_DOCUMENTS = "All documents"


def build_app(
    index_dir: Path | str = "index",
    seeds_dir: Path | str = "seeds",
    chroma_url: str | None = None,
    pipeline: Pipeline | None = None,
) -> gr.Blocks:
    """The chat, documents view and `/ask` endpoint over the index at `index_dir`; rebuilds
    keep vectors on the Chroma server at `chroma_url`, if given."""
    index_dir, seeds_dir = Path(index_dir), Path(seeds_dir)
    pipeline = pipeline or Pipeline(index_dir)

    def filters():
        try:
            documents = pipeline.documents()
            speakers = [ALL_SPEAKERS, *pipeline.speakers()]
            docs = [(ALL_DOCUMENTS, ALL_DOCUMENTS)] + [
                (f"{d['title'][:70]} ({d['date'] or 'undated'})", d["source"]) for d in documents
            ]
            return speakers, docs, documents_html(documents)
        except QAError:
            return [ALL_SPEAKERS], [(ALL_DOCUMENTS, ALL_DOCUMENTS)], documents_html([])

    def ask_json(
        question: str, history: list[str] | None = None, speaker: str = "", source: str = ""
    ) -> dict:
        """Answer a question about the transcripts; returns answer, found, query, citations."""
        bad = _bad_arguments(question, history, speaker, source)
        if bad:
            return {"answer": bad, "found": False, "query": "", "citations": [], "error": bad}
        try:
            a = pipeline.answer(
                question,
                history=history or None,
                speaker=speaker or None,
                source=source or None,
            )
        except QuestionError as e:
            return {"answer": _sentence(e), "found": False, "query": "", "citations": []}
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
        # subtle: Gradio 6 hands each message's content over as a list of parts
        # ([{"type": "text", "text": ...}]), not as a string; read the text either way.
        earlier = [t for m in chat if m.get("role") == "user" and (t := message_text(m).strip())]
        chat.append({"role": "user", "content": question})
        yield "", chat, gr.update()
        try:
            answers = pipeline.stream(
                question,
                history=earlier or None,
                speaker=None if speaker in (None, "", ALL_SPEAKERS) else speaker,
                source=None if document in (None, "", ALL_DOCUMENTS) else document,
            )
            a = next(answers)
        except QAError as e:
            chat.append({"role": "assistant", "content": chat_text(_sentence(e))})
            yield "", chat, sources_html(None)
            return
        if a.query != " ".join(question.split()):
            chat.append({"role": "assistant", "content": f"*Searched for:* {chat_text(a.query)}"})
        chat.append({"role": "assistant", "content": ""})
        words = chat_text(a.text).split(" ")
        for i in range(0, len(words), 4):  # stream the answer in, a few words at a time
            chat[-1] = {"role": "assistant", "content": " ".join(words[: i + 4])}
            yield "", chat, gr.update()
            time.sleep(0.02)
        yield "", chat, sources_html(a)
        # With a language model: its reply streams in after the extractive answer and
        # replaces it once checked (or the extractive answer stays, with the reason).
        last = None
        for last in answers:
            chat[-1] = {"role": "assistant", "content": answer_markdown(last, streaming=True)}
            yield "", chat, gr.update()
        if last is not None:
            chat[-1] = {"role": "assistant", "content": answer_markdown(last)}
            yield "", chat, sources_html(last)

    def refreshed(msg):
        speakers, docs, table_html = filters()
        sources = [d for d in docs if d[1] != ALL_DOCUMENTS]
        return (
            msg,
            table_html,
            gr.update(choices=speakers, value=ALL_SPEAKERS),
            gr.update(choices=docs, value=ALL_DOCUMENTS),
            gr.update(choices=sources, value=None),
        )

    def run_build(lines: list[str]) -> str:
        try:
            report = build(seeds_dir, index_dir, progress=True, chroma_url=chroma_url)
        except QAError as e:
            lines.append(f"Not rebuilt: {e}")
        else:
            lines.append(report.describe(seeds_dir, index_dir))
        return "\n".join(lines)

    def rebuild(progress=gr.Progress(track_tqdm=True)):  # noqa: B008 (Gradio's idiom)
        progress(0, desc="Checking seeds")
        return refreshed(run_build([]))

    def add_files(files, progress=gr.Progress(track_tqdm=True)):  # noqa: B008
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", "")) for f in files or []]
        added = library.add(seeds_dir, [(p.name, p) for p in paths if p.name])
        # The build's report lists what was added; here only what it cannot know.
        lines = [
            f"saved {a.original} as {a.saved_as} ({a.reason})" if a.saved_as
            else f"not added: {a.original}: {a.reason}"
            for a in added if a.reason
        ]  # fmt: skip
        if not any(a.saved_as for a in added):
            return refreshed("\n".join(lines) or "No file received.")
        progress(0, desc="Indexing the new transcripts")
        return refreshed(run_build(lines))

    def remove_file(source, progress=gr.Progress(track_tqdm=True)):  # noqa: B008
        if not source:
            return refreshed("Choose a document to remove.")
        try:
            moved = library.remove(seeds_dir, source)
        except QAError as e:
            return refreshed(f"Not removed: {e}")
        progress(0, desc="Updating the index")
        return refreshed(run_build([f"moved {source} to {moved} (put it back to restore it)"]))

    speakers, docs, table_html = filters()
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
                        # subtle: no max_length; the box would cut a long question silently,
                        # and the answerer refuses it with a message instead.
                        box = gr.Textbox(
                            placeholder="Ask about the transcripts…",
                            scale=5,
                            show_label=False,
                            elem_id="question",
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
                    sources = gr.HTML(sources_html(None), elem_id="sources", padding=False)
        with gr.Tab("Documents"):
            gr.Markdown(answers_by(pipeline), elem_id="answerer")
            table = gr.HTML(table_html, elem_id="documents")
            with gr.Row():
                upload = gr.File(
                    label=f"Add transcripts ({', '.join(sorted(EXTENSIONS))}; "
                    f"up to {library.MAX_UPLOAD_BYTES // 2**20} MB each)",
                    file_count="multiple",
                    file_types=sorted(EXTENSIONS),
                    elem_id="upload",
                )
                with gr.Column():
                    removable = gr.Dropdown(
                        [d for d in docs if d[1] != ALL_DOCUMENTS],
                        value=None,
                        label="Document to remove (moved to seeds/.removed/, never deleted)",
                        elem_id="remove-choice",
                    )
                    remove_btn = gr.Button("Remove document", elem_id="remove")
                    rebuild_btn = gr.Button("Rebuild index", elem_id="rebuild")
            status = gr.Textbox(label="Index status", lines=4, interactive=False, elem_id="status")

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
        outputs = [status, table, speaker, document, removable]
        rebuild_btn.click(rebuild, None, outputs, api_name="rebuild", concurrency_id="writer")
        upload.upload(add_files, upload, outputs, api_visibility="private",
                      concurrency_id="writer").then(lambda: None, None, upload,
                                                    api_visibility="private")  # fmt: skip
        remove_btn.click(remove_file, removable, outputs, api_visibility="private",
                         concurrency_id="writer")  # fmt: skip
        gr.api(ask_json, api_name="ask", concurrency_limit=4)
    return app


def _api_citation(c: dict) -> dict:
    return {k: c[k] for k in CITATION_FIELDS}


def message_text(message: dict) -> str:
    """The text of a chat message, whether its content is a string or a list of parts."""

    def text(content) -> str:
        if isinstance(content, str):
            return content
        if isinstance(content, dict):
            return text(content.get("text") or "") if content.get("type", "text") == "text" else ""
        if isinstance(content, list | tuple):
            return " ".join(t for t in map(text, content) if t)
        return ""

    return text(message.get("content"))


def _sentence(e: Exception) -> str:
    s = str(e)
    return f"{s[:1].upper()}{s[1:]}" + ("" if s.endswith((".", "?", "!")) else ".")


def _bad_arguments(question, history, speaker, source) -> str | None:
    """What is wrong with `/ask`'s arguments, if anything (they come from other programs)."""
    if question is not None and not isinstance(question, str):
        return "question must be a string"
    if history is not None and not (
        isinstance(history, list) and all(isinstance(h, str) for h in history)
    ):
        return "history must be a list of earlier questions (strings), oldest first"
    for name, value in (("speaker", speaker), ("source", source)):
        if value is not None and not isinstance(value, str):
            return f"{name} must be a string (a speaker's name, or a document's file name)"
    return None


def answers_by(pipeline: Pipeline) -> str:
    """Which reader answers, for the Documents tab."""
    llm = pipeline.llm
    if llm is None:
        return ("**Answers:** quoted from the transcripts (no language model; `--llm URL` adds "
                "one).")  # fmt: skip
    model = llm.model or "the first model the server lists"
    return (f"**Answers:** language model `{model}` at `{llm.url}`, checked against the passages "
            "it cites; the quoted answer is shown when it fails.")  # fmt: skip


def ensure_index(seeds_dir: Path, pipeline: Pipeline, chroma_url: str | None = None) -> None:
    """Build or update the index before serving; a locked or seedless index is not fatal."""
    index_dir = Path(pipeline.index_dir)
    print(f"qa: checking the index at {index_dir} against {seeds_dir} ...", flush=True)
    try:
        report = build(seeds_dir, index_dir, progress=sys.stderr.isatty(), chroma_url=chroma_url)
        print(report.describe(seeds_dir, index_dir), flush=True)
    except QAError as e:
        try:
            pipeline.documents()
        except QAError:
            raise e from None
        print(f"qa: serving the existing index ({e})", flush=True)


def _warm(pipeline: Pipeline) -> None:
    """Load the model and open the index in the background so the first answer is quick."""
    try:
        pipeline.warm_up()
    except QAError:
        pass


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="qa serve", description="Serve the qa web chat.")
    p.add_argument(
        "--host",
        default=os.environ.get("QA_HOST", "127.0.0.1"),
        help="address to serve on (env QA_HOST; default: 127.0.0.1)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("QA_PORT", "7860")),
        help="port (env QA_PORT; default: 7860)",
    )
    p.add_argument(
        "--seeds",
        type=Path,
        default=Path(os.environ.get("QA_SEEDS_DIR") or "seeds"),
        help="transcripts folder; uploads are saved here (env QA_SEEDS_DIR)",
    )
    p.add_argument("--index", type=Path, default=Path(os.environ.get("QA_INDEX_DIR") or "index"),
                   help="index folder (env QA_INDEX_DIR; default: index)")  # fmt: skip
    p.add_argument("--chroma-url", default=os.environ.get("QA_CHROMA_URL") or None,
                   help="keep vectors on a Chroma server (env QA_CHROMA_URL)")  # fmt: skip
    p.add_argument("--llm", metavar="URL", default=None,
                   help="answer in a language model's words, checked against the passages: base "
                   "URL of an OpenAI-compatible API (env QA_LLM_URL; key from QA_LLM_API_KEY "
                   "or OPENAI_API_KEY)")  # fmt: skip
    p.add_argument(
        "--llm-model",
        metavar="NAME",
        default=None,
        help="the model to ask (env QA_LLM_MODEL; default: the first it lists)",
    )
    p.add_argument("--llm-timeout", type=float, default=60.0, metavar="S",
                   help="seconds the model may take (default: 60)")  # fmt: skip
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        llm = LLMSettings.from_env(args.llm, args.llm_model, timeout=args.llm_timeout)
    except QAError as e:
        print(f"qa: {e}", file=sys.stderr)
        return 2
    pipeline = Pipeline(args.index, llm=llm)
    try:
        ensure_index(args.seeds, pipeline, args.chroma_url)
    except QAError as e:
        print(f"qa: {e}", file=sys.stderr)
        return 2
    app = build_app(args.index, args.seeds, args.chroma_url, pipeline)
    # subtle: only after build_app. Its gr.Progress(track_tqdm=True) patches tqdm's methods;
    # a tqdm bar the model's warm-up opened before the patch and closed after it printed
    # "AttributeError: 'tqdm' object has no attribute '_progress'" (seen once on a first run).
    threading.Thread(target=_warm, args=(pipeline,), daemon=True).start()
    app.queue(default_concurrency_limit=2)
    app.launch(
        server_name=args.host,
        server_port=args.port,
        prevent_thread_lock=True,
        show_error=True,
        quiet=True,
        max_file_size=library.MAX_UPLOAD_BYTES,  # Gradio's own upload route refuses more
    )
    url = f"http://{args.host}:{args.port}/"
    print(f"qa: serving on {url} ({time.perf_counter() - t0:.1f} s after start)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        app.close()
    return 0
