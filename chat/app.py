"""The web chat: ``build_app(engine)`` -> a Gradio Blocks app (no side effects until launched).

One page: filters (document, country, country brief) above the chat; beside
it the last answer's footnotes with a source viewer, the citing tools (copy
as Markdown, CSV, one-line references) and the upload of the user's own
documents. The API endpoint ``/answer`` returns the contract JSON.

Everything shown from a document passes through ``chat.ui_text`` escaping.
The conversation lives in the browser (``gr.BrowserState``), so a reload
restores it and the server keeps no per-user state.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from chat.ui_text import (
    answer_markdown,
    citation_choices,
    html_text,
    md_text,
    references_text,
    source_html,
    status_markdown,
)
from chat.ui_uploads import DEFAULT_MAX_BYTES, stage_uploads
from ingest.errors import QuotableError

MAX_MESSAGES = 60  # kept in the browser; older turns drop off so localStorage stays small
CONCURRENCY = 8  # requests served at once; the engine serialises the model call itself
VIEWER_HINT = "<div class='q-hint'>Choose a footnote to see the quote in its document.</div>"
CSS = """
.q-source mark { background: #ffe066; color: inherit; padding: 0 1px; }
#q-citations label { font-size: 0.9em; }
#q-chat hr { margin: 0.6em 0; }
"""
EMPTY_STORE = {"messages": [], "result": None, "previous": None}


def _answer_json(engine, question: str, country: str | None, doc_id: str | None, previous: str | None = None):
    # API callers send any JSON: a number or a list here must be an error object, not a server traceback.
    if not all(value is None or isinstance(value, str) for value in (question, country, doc_id)):
        return {"question": question, "error": "question, country and doc_id must be strings (or null)"}
    try:
        return engine.answer(question, country=country or None, doc_id=doc_id or None, previous=previous)
    except QuotableError as err:
        return {"question": question, "error": str(err)}


def _csv_file(result: dict | None) -> str | None:
    """The citations as a CSV file the download button can serve (None when there is nothing to cite).

    Named by content, so showing the same answer again (a reload) reuses the file instead of adding one.
    """
    from chat.render import citations_csv

    if not result or not result.get("citations"):
        return None
    text = citations_csv(result)
    folder = Path(tempfile.gettempdir()) / "quotable-csv" / hashlib.sha256(text.encode()).hexdigest()[:24]
    path = folder / "citations.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return str(path)


def _store(value) -> dict:
    """The browser's stored conversation, or a fresh one when there is none or it is not ours."""
    if not isinstance(value, dict) or not isinstance(value.get("messages"), list):
        return dict(EMPTY_STORE)
    result = value.get("result")
    return {"messages": value["messages"], "result": result if isinstance(result, dict) else None,
            "previous": value.get("previous") if isinstance(value.get("previous"), str) else None}


def _markdown_copy(result: dict | None) -> str:
    from chat.render import render_markdown

    return render_markdown(result) if result else ""


def document_choices(engine) -> list[tuple[str, str]]:
    docs = engine.documents
    return [("All documents", "")] + [(f"{d.title} ({d.doc_id})" if d.title else d.doc_id, d.doc_id)
                                      for d in docs.values()]


def country_choices(engine) -> list[tuple[str, str]]:
    return [("All countries", "")] + [(f"{name} ({n})", name) for name, n in engine.countries()]


def build_app(engine, *, uploads_dir: Path | str | None = None, max_upload_bytes: int = DEFAULT_MAX_BYTES):
    """The chat app for ``engine``; uploads go to ``uploads_dir`` (default: next to the index, ``uploads/``)."""
    import gradio as gr

    uploads = Path(uploads_dir) if uploads_dir else Path(engine.index.index_dir).resolve().parent / "uploads"

    def views(store: dict):
        """Chat, citation picker, viewer, reference, Markdown copy, CSV, references: from the stored turn."""
        result = store.get("result")
        return (
            store.get("messages", []),
            gr.Radio(choices=citation_choices(result), value=None),
            VIEWER_HINT,
            "",
            _markdown_copy(result),
            gr.DownloadButton(value=_csv_file(result), interactive=bool(result and result.get("citations"))),
            references_text(result),
            store,
        )

    def record(store: dict, shown_question: str, result: dict, previous: str | None) -> dict:
        messages = [*store.get("messages", []),
                    {"role": "user", "content": md_text(shown_question)},
                    {"role": "assistant", "content": answer_markdown(result)}][-MAX_MESSAGES:]
        # The passages are already in the message; the citations are what the side panels need again.
        kept = {k: v for k, v in result.items() if k != "passages"} if not result.get("error") else store.get("result")
        return {"messages": messages, "result": kept, "previous": previous}

    def ask(question: str, country: str, doc_id: str, store: dict | None):
        from chat.followup import is_followup

        store = _store(store)
        question = question or ""
        # Only a follow-up gets the previous question: a self-contained one must be answered as asked
        # (the engine skips its country-brief shortcut whenever a previous question is given).
        previous = store.get("previous") if question.strip() and is_followup(question) else None
        result = _answer_json(engine, question, country, doc_id, previous=previous)
        previous = result.get("resolved_question", result.get("question")) if not result.get("error") else None
        store = record(store, question.strip() or "(empty question)", result, previous or store.get("previous"))
        return ("", *views(store))

    def brief(country: str, store: dict | None):
        store = _store(store)
        if not country:
            result = {"question": "", "error": "choose a country in the Country filter first"}
        else:
            try:
                result = engine.brief(country)
            except QuotableError as err:
                result = {"question": country, "error": str(err)}
        return views(record(store, f"Country brief: {country or '(none)'}", result, store.get("previous")))

    def show_source(choice: str | None, store: dict | None):
        result = _store(store)["result"] or {}
        citation = next((c for c in result.get("citations", []) if str(c["n"]) == str(choice)), None)
        if citation is None:
            return VIEWER_HINT, ""
        # One window over all the quoted spans of the passage, so each is marked where it stands.
        spans = citation.get("spans") or [citation]
        start, end = min(s["char_start"] for s in spans), max(s["char_end"] for s in spans)
        try:
            context = {**engine.source_context(citation["doc_id"], start, end, window=500), "char_start": start}
        except QuotableError as err:
            return f"<div class='q-error'>{html_text(str(err))}</div>", citation.get("reference", "")
        return source_html(context, citation), citation.get("reference", "")

    def clear():
        return ("", *views(dict(EMPTY_STORE)))

    def restore(store: dict | None):
        return (*views(_store(store)), *refresh_filters())

    def refresh_filters():
        engine.refresh()  # a page opened after an ingest by another process lists what it added
        return gr.Dropdown(choices=document_choices(engine)), gr.Dropdown(choices=country_choices(engine))

    def add_files(files: list[str] | None, progress=gr.Progress()):  # noqa: B008 - Gradio's progress idiom
        if not files:
            return ("Choose one or more files first.", None, *refresh_filters())
        staged = stage_uploads(files, uploads, max_bytes=max_upload_bytes)
        indexed, failed = 0, []
        if staged.files:
            total = engine.index.manifest.documents + len(staged.files)
            seen = []

            def on_file(path: str) -> None:
                seen.append(path)
                progress((min(len(seen), total), total), desc=f"Reading {Path(path).name}")

            progress(0, desc="Reading files")
            report = engine.add_documents(staged.files, on_file=on_file)
            names = {str(p): p for p in staged.files}
            failed = [(Path(path).name, reason) for path, reason in report.failed if path in names]
            for path, _ in report.failed:  # a file that failed is not kept, so it won't be retried every upload
                if path in names:
                    names[path].unlink(missing_ok=True)
            indexed = len(staged.files) - len(failed)
        return (status_markdown(indexed, failed, staged.refused), None, *refresh_filters())

    def answer(question: str, country: str | None = "", doc_id: str | None = "") -> dict:
        """Answer a question from the indexed documents with verbatim quotes and footnotes.

        country and doc_id filter the passages; an empty string or null means no filter.
        Returns the contract JSON, or {"question": ..., "error": ...} for a bad question or filter.
        """
        return _answer_json(engine, question, country, doc_id)

    with gr.Blocks(title="Quotable", analytics_enabled=False) as app:
        store = gr.BrowserState(dict(EMPTY_STORE), storage_key="quotable-chat")
        gr.Markdown("## Quotable\nAsk the documents a question; every answer is their own words, footnoted.")
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    doc = gr.Dropdown(document_choices(engine), value="", label="Document", elem_id="q-doc")
                    country = gr.Dropdown(country_choices(engine), value="", label="Country", elem_id="q-country")
                    brief_btn = gr.Button("Country brief", elem_id="q-brief", scale=0, min_width=140)
                chat = gr.Chatbot(label="Answers", elem_id="q-chat", height=560, latex_delimiters=[],
                                  feedback_options=None, buttons=[], sanitize_html=True, allow_tags=False,
                                  placeholder="Ask a question below. Every answer quotes the documents word for "
                                              "word, with numbered footnotes; choose one on the right to "
                                              "see it in its document.")
                with gr.Row():
                    question = gr.Textbox(placeholder="e.g. What does the report say about Serbia?",
                                          show_label=False, scale=5, elem_id="q-question", max_length=2000)
                    ask_btn = gr.Button("Ask", variant="primary", scale=0, min_width=90, elem_id="q-ask")
                    clear_btn = gr.Button("Clear", scale=0, min_width=90, elem_id="q-clear")
            with gr.Column(scale=2):
                with gr.Tabs():
                    with gr.Tab("Sources", elem_id="q-tab-sources"):
                        picker = gr.Radio([], label="Footnotes of the last answer", elem_id="q-citations")
                        viewer = gr.HTML(VIEWER_HINT, elem_id="q-viewer")
                        reference = gr.Textbox(label="Reference", buttons=["copy"], interactive=False, lines=2,
                                               elem_id="q-reference")
                    with gr.Tab("Cite", elem_id="q-tab-cite"):
                        markdown = gr.Code("", language="markdown", label="Copy as Markdown", buttons=["copy"],
                                           interactive=False, wrap_lines=True, elem_id="q-markdown")
                        csv_btn = gr.DownloadButton("Download citations (CSV)", interactive=False, elem_id="q-csv")
                        references = gr.Textbox(label="References, one line per footnote", buttons=["copy"],
                                                interactive=False, lines=6, elem_id="q-references")
                    with gr.Tab("Your documents", elem_id="q-tab-upload"):
                        files = gr.File(label="PDF, text, Markdown, HTML or subtitles (SRT, VTT)",
                                        file_count="multiple", elem_id="q-files",
                                        file_types=[".pdf", ".txt", ".md", ".html", ".htm", ".srt", ".vtt"])
                        add_btn = gr.Button("Add to the index", elem_id="q-add")
                        status = gr.Markdown("", elem_id="q-upload-status", latex_delimiters=[])

        shown = [chat, picker, viewer, reference, markdown, csv_btn, references, store]
        private = {"api_visibility": "private"}
        for trigger in (question.submit, ask_btn.click):
            trigger(ask, [question, country, doc, store], [question, *shown], **private)
        brief_btn.click(brief, [country, store], shown, **private)
        clear_btn.click(clear, None, [question, *shown], **private)
        chat.clear(clear, None, [question, *shown], **private)  # the chat's own trash icon
        picker.change(show_source, [picker, store], [viewer, reference], **private)
        add_btn.click(add_files, [files], [status, files, doc, country], concurrency_limit=1, **private)
        app.load(restore, [store], [*shown, doc, country], **private)
        gr.api(answer, api_name="answer")
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app


def launch(app, *, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
           prevent_thread_lock: bool = False, max_upload_bytes: int = DEFAULT_MAX_BYTES, quiet: bool = False):
    """Start the server the way ``python -m chat`` does (CSS, upload limit, auth)."""
    return app.launch(server_name=host, server_port=port, auth=auth, prevent_thread_lock=prevent_thread_lock,
                      css=CSS, max_file_size=max_upload_bytes, show_error=False, quiet=quiet)
