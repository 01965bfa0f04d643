"""How a citation's page, time, date and sources are written."""

from __future__ import annotations

from chat.formatting import format_date, format_page, format_time, place, sources_text


def test_clock_times_keep_the_precision_of_the_source():
    assert format_time(18 * 3600 + 47 * 60) == "18:47"
    assert format_time(9 * 3600) == "09:00"
    assert format_time(65) == "0:01:05"
    assert format_time(3725.4) == "1:02:05"
    assert format_time(None) is None


def test_page_shows_the_printed_label_only_when_it_differs():
    assert format_page(7, "7") == "p. 7"
    assert format_page(7, "vii") == "p. vii (PDF p. 7)"
    assert format_page(6, "3") == "p. 3 (PDF p. 6)"
    assert format_page(None, "xii") == "p. xii"
    assert format_page(None, None) is None


def test_iso_dates_read_as_day_month_year():
    assert format_date({"date": "2023-10-17"}) == "17 Oct 2023"
    assert format_date({"date": "October 2025"}) == "October 2025"
    assert format_date({}) is None


def test_place_of_a_page_and_of_a_turn():
    page = {"title": "Review", "section": "Kosovo", "page": 4, "page_label": "iv", "speaker": None, "start_s": None}
    assert place(page) == "Review, Kosovo, p. iv (PDF p. 4)"
    assert place({**page, "ocr": True}) == "Review, Kosovo, p. iv (PDF p. 4), read by OCR from the page image"
    turn = {"title": "Debate", "section": None, "page": None, "speaker": "Lord Smith", "start_s": 67620.0}
    assert place(turn) == "Debate — Lord Smith, 18:47"
    untimed = {"doc_id": "debate", "speaker": "Lord Smith", "start_s": None}
    assert place(untimed) == "debate — Lord Smith"


def test_sources_keep_the_reports_own_numbers():
    assert sources_text([{"n": 12, "text": "https://a"}, {"n": 13, "text": "Prose note."}]) == (
        "[12] https://a; [13] Prose note."
    )


def test_quoted_does_not_double_marks_a_quote_already_has():
    from chat.formatting import quoted

    assert quoted("Plain words.") == "“Plain words.”"
    assert quoted("“As part of this effort, we act.”") == "“As part of this effort, we act.”"
    assert quoted("“He said so,” she wrote.") == "““He said so,” she wrote.”"


def test_a_passage_of_an_exchange_is_placed_by_everyone_who_speaks_in_it():
    from chat.formatting import passage_place

    assert passage_place({"doc_id": "hearing", "speaker": None, "speakers": ["Jane Doe", "John Roe"],
                          "start_s": None}) == "hearing — Jane Doe, John Roe"
    assert passage_place({"doc_id": "r", "section": "Kosovo", "page": 4, "page_label": "4"}) == "r, Kosovo, p. 4"
