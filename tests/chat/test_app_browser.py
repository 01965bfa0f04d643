"""The web chat in a real browser (Debian's chromium driven by Playwright) against a real server."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
from pathlib import Path

import pytest
from conftest import REPO, SMALL_REPORT, SMALL_TRANSCRIPT

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO / "tests" / "screenshots"
XSS_TITLE = 'Lantern <img src=x onerror="window.__xss=1"> Notes'
XSS_DOC = f"""{XSS_TITLE}

The lantern festival programme prints <script>window.__xss=1</script> on its lantern poster, and the lantern \
gallery shows <img src=x onerror="window.__xss=1"> beside the lantern museum.
"""
XSS_HTML = """<html><head><title>Kite Museum</title><script>window.__xss=1</script></head><body>
<h1>Kite Museum</h1><p>The kite museum sign reads &lt;img src=x onerror="window.__xss=1"&gt; above the kite door.</p>
<p onmouseover="window.__xss=1">Visitors fly kites on the hill.</p></body></html>
"""
UPLOAD_DOC = """Orchard Survey

The apple orchards of Westvale produce nine tonnes of cider apples each autumn.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from chat.app import build_app, launch
    from chat.engine import Engine
    from index.build import IngestConfig, ingest_paths
    from index.embed import HashingEmbedder

    root = tmp_path_factory.mktemp("browser")
    docs = root / "docs"
    docs.mkdir()
    (docs / "bridges.txt").write_text(SMALL_REPORT, encoding="utf-8")
    (docs / "hearing.txt").write_text(SMALL_TRANSCRIPT, encoding="utf-8")
    (docs / "lanterns.txt").write_text(XSS_DOC, encoding="utf-8")
    (docs / "kites.html").write_text(XSS_HTML, encoding="utf-8")
    embedder = HashingEmbedder(256)
    report = ingest_paths([docs], root / "index", IngestConfig(model=embedder.name), embedder=embedder,
                          progress=False)
    assert report.failed == []
    app = build_app(Engine.open(root / "index", embedder=embedder), uploads_dir=root / "uploads")
    port = _free_port()
    launch(app, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/", root
    app.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (`make browser` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    open_chat(page, server[0])
    yield page
    context.close()


def open_chat(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#q-question textarea")
    page.wait_for_load_state("networkidle")  # the stored history is restored by a load event after the page shows


def ask(page, question: str):
    """Ask, and return the locator of the answer (the last bot message) once it has arrived."""
    before = page.locator("#q-chat [data-testid=bot]").count()
    page.fill("#q-question textarea", question)
    page.press("#q-question textarea", "Enter")
    answer = page.locator("#q-chat [data-testid=bot]").nth(before)
    answer.wait_for()
    return answer


def choose(page, dropdown: str, option: str) -> None:
    page.click(f"{dropdown} input")
    page.locator(f"{dropdown} [role=option]", has_text=option).first.click()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_answer_shows_quotes_footnotes_and_source_in_context(page):
    answer = ask(page, "Who built the oldest bridge?")
    assert "built in 1820 by local masons" in answer.inner_text()
    assert re.search(r"\[1\] Small Report On Bridges, Introduction", answer.inner_text())
    link = answer.locator("a[href='https://example.org/bridges/history']")
    assert link.count() == 1
    page.locator("#q-citations label").first.click()
    mark = page.locator("#q-viewer mark").first
    mark.wait_for()
    assert mark.inner_text() == "The oldest bridge was built in 1820 by local masons."
    assert "The river town of Eastford" in page.locator("#q-viewer").inner_text()  # the text around it
    assert "Small Report On Bridges" in page.locator("#q-reference textarea").input_value()
    shot(page, "answer_and_source")


def test_answer_can_be_copied_as_markdown_and_downloaded_as_csv(page):
    ask(page, "Who built the oldest bridge?")
    page.get_by_role("tab", name="Cite").click()
    markdown = page.locator("#q-markdown")
    markdown.get_by_text("The oldest bridge was built in 1820", exact=False).first.wait_for()
    assert "https://example.org/bridges/history" in markdown.inner_text()
    assert "Small Report On Bridges, Introduction" in page.locator("#q-references textarea").input_value()
    with page.expect_download() as download:
        page.click("#q-csv")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["n", "quote"]
    assert rows[1][1] == "The oldest bridge was built in 1820 by local masons."


def test_country_filter_limits_the_answer(page):
    assert "Serbia and Albania" in ask(page, "Who sent engineers to study the levy?").inner_text()
    choose(page, "#q-country", "Kosovo (1)")
    answer = ask(page, "Who sent engineers to study the levy?").inner_text()
    assert "Serbia and Albania" not in answer
    assert "John Roe" in answer  # the one passage that mentions Kosovo, shown as closest or quoted
    shot(page, "country_filter")


def test_country_brief_lists_the_passages_that_mention_it(page):
    choose(page, "#q-country", "Serbia (1)")
    page.click("#q-brief")
    brief = page.locator("#q-chat [data-testid=bot]").last
    brief.get_by_text("Serbia and Albania sent engineers", exact=False).wait_for()
    assert "Country brief: Serbia" in page.locator("#q-chat [data-testid=user]").last.inner_text()


def test_uploaded_file_is_indexed_and_answers(page, tmp_path: Path):
    good = tmp_path / "orchard survey.txt"
    good.write_text(UPLOAD_DOC, encoding="utf-8")
    empty = tmp_path / "blank.txt"
    empty.write_text("  \n", encoding="utf-8")
    page.get_by_role("tab", name="Your documents").click()
    page.locator("#q-files input[type=file]").set_input_files([str(good), str(empty)])
    page.locator("#q-files").get_by_text("blank", exact=True).wait_for()  # the upload is listed
    page.click("#q-add")
    status = page.locator("#q-upload-status")
    status.get_by_text("Indexed 1 document").wait_for()
    assert "blank.txt" in status.inner_text() and "empty" in status.inner_text()
    shot(page, "upload")
    answer = ask(page, "How many tonnes of cider apples do the orchards produce?").inner_text()
    assert "nine tonnes of cider apples" in answer and "Orchard Survey" in answer
    page.click("#q-doc input")
    assert page.locator("#q-doc [role=option]", has_text="orchard_survey").count() == 1


def test_follow_up_is_read_with_the_previous_question(page):
    ask(page, "Who sent engineers to study the levy?")
    answer = ask(page, "And what about Kosovo?").inner_text()
    first_line = answer.splitlines()[0]
    assert first_line.startswith("Read as:") and "levy" in first_line and "Kosovo" in first_line


def test_history_survives_a_reload(page):
    ask(page, "Who funds the repairs?")
    page.wait_for_timeout(500)  # the browser state is written to localStorage after the answer renders
    page.reload()
    page.wait_for_load_state("networkidle")
    page.locator("#q-chat [data-testid=user]", has_text="Who funds the repairs?").wait_for()
    assert "maintenance levy" in page.locator("#q-chat [data-testid=bot]").last.inner_text()
    assert page.locator("#q-citations label").count() >= 1  # the footnotes came back too


def test_document_markup_is_shown_as_text_and_never_runs(page):
    answer = ask(page, "What does the lantern poster print?")
    text = answer.inner_text()
    assert "<script>window.__xss=1</script>" in text
    assert '<img src=x onerror="window.__xss=1">' in text
    page.locator("#q-citations label").first.click()
    page.locator("#q-viewer mark").first.wait_for()
    assert "<script>window.__xss=1</script>" in page.locator("#q-viewer").inner_text()
    kites = ask(page, "What does the kite museum sign read?").inner_text()
    assert '<img src=x onerror="window.__xss=1">' in kites
    page.click("#q-doc input")
    page.locator("#q-doc [role=option]", has_text="Lantern").first.wait_for()
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("#q-chat script, #q-viewer script").count() == 0
    shot(page, "xss_literal")


README_QUESTION = "Where is Russia's spy base in Serbia?"


@pytest.mark.skipif(not os.environ.get("QUOTABLE_README_SHOT"),
                    reason="set QUOTABLE_README_SHOT=1 to retake docs/screenshots/chat.png from the real corpus")
def test_readme_screenshot_of_the_real_corpus(browser, corpus_index: Path, tmp_path: Path):
    from chat.app import build_app, launch
    from chat.engine import Engine

    app = build_app(Engine.open(corpus_index), uploads_dir=tmp_path / "uploads")
    port = _free_port()
    launch(app, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_chat(page, f"http://127.0.0.1:{port}/")
        answer = ask(page, README_QUESTION)
        assert "Footnotes" in answer.inner_text()
        page.locator("#q-citations label").first.click()
        page.locator("#q-viewer mark").first.wait_for()
        page.locator("#q-chat [data-testid=user]").last.scroll_into_view_if_needed()
        shot(page, "chat_corpus")
        target = REPO / "docs" / "screenshots" / "chat.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHOTS / "chat_corpus.png", target)
    finally:
        context.close()
        app.close()
