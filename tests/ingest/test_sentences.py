from ingest.sentences import split_sentences


def texts(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_and_decimals_do_not_end_a_sentence():
    text = "Dr. Smith paid $1.1 billion to the U.S. Army. He left."
    assert texts(text) == ["Dr. Smith paid $1.1 billion to the U.S. Army.", "He left."]


def test_quotes_and_exclamations_close_sentences():
    assert texts('"Why?" she asked. It is over! Yes.') == ['"Why?" she asked.', "It is over!", "Yes."]


def test_blank_line_always_ends_a_sentence():
    assert texts("A heading without a stop\n\nThe body starts here.") == [
        "A heading without a stop",
        "The body starts here.",
    ]


def test_lower_case_continuation_is_not_a_boundary():
    assert texts("Pretis d.d. is a munitions maker. It grew.") == ["Pretis d.d. is a munitions maker.", "It grew."]


def test_spans_are_absolute_and_trimmed():
    text = "xx  First one.  Second one.  "
    spans = split_sentences(text, 2)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one."]
    assert spans[0][0] == 4


def test_a_list_number_opens_its_item_instead_of_ending_a_sentence():
    assert texts("1. Britain Must Champion Burden-Sharing") == ["1. Britain Must Champion Burden-Sharing"]
    assert texts("The plan has two parts. 2. The Second Part Begins here.") == [
        "The plan has two parts.", "2. The Second Part Begins here."]
    assert texts("iv. Fourth item. Next one.") == ["iv. Fourth item.", "Next one."]


def test_scripts_without_case_split_after_a_stop_and_a_space():
    korean = "국내 확진자는 9,661명으로 나타났다. 이와 관련하여 세계보건기구는 선언하였다."
    assert texts(korean) == ["국내 확진자는 9,661명으로 나타났다.", "이와 관련하여 세계보건기구는 선언하였다."]
    arabic = "يمكن استخدام مكتبة pandas. هل هذا صحيح؟ نعم."
    assert texts(arabic) == ["يمكن استخدام مكتبة pandas.", "هل هذا صحيح؟", "نعم."]


def test_ideographic_stops_need_no_space_after_them():
    assert texts("我们今天开会。会议很长！你来吗？来。") == ["我们今天开会。", "会议很长！", "你来吗？", "来。"]


def test_capitals_beyond_ascii_open_a_sentence_and_lower_case_does_not():
    assert texts("Это первое предложение. Это второе. и это не новое.") == [
        "Это первое предложение.", "Это второе. и это не новое."]
    assert texts("He left. Élise came.") == ["He left.", "Élise came."]
