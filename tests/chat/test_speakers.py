import numpy as np
import pytest

from chat.engine import Engine
from chat.retrieve import bm25_candidates, retrieve
from chat.speakers import asked_speakers, mentions, parse_speaker, topic_of

LABELS = ["Kirsty Williams AM", "Sian Gwenllian AM", "The Chair (Hon. Anthony Rota)",
          "The Acting Chair (Mr. Bruce Stanton)", "Hon. Ahmed Hussen", "Lord Ahmad of Wimbledon",
          "Dr Frank Atherton", "Huw Morris", "Huw David", "Jane Morris", "Ms. Kate Young"]


def test_a_label_splits_into_name_surname_and_office():
    assert parse_speaker("Kirsty Williams AM") == parse_speaker("Kirsty Williams AM")
    s = parse_speaker("The Acting Chair (Mr. Bruce Stanton)")
    assert (s.name, s.surname, s.office) == (("bruce", "stanton"), "stanton", ("acting", "chair"))
    peer = parse_speaker("Lord Ahmad of Wimbledon")
    assert peer.surname == "ahmad" and peer.office == ()
    assert parse_speaker("Dr Frank Atherton").name == ("frank", "atherton")


@pytest.mark.parametrize("question, expected", [
    ("What did Kirsty Williams think of the funding?", ("Kirsty Williams AM",)),
    ("What did Hon. Ahmed Hussen think about the summer jobs program?", ("Hon. Ahmed Hussen",)),
    ("What did Lord Ahmad say about Kosovo?", ("Lord Ahmad of Wimbledon",)),
    ("Why did Atherton make a commitment?", ("Dr Frank Atherton",)),
    ("What did the Chair announce?", ("The Chair (Hon. Anthony Rota)",)),
    ("What did the acting chair rule?", ("The Acting Chair (Mr. Bruce Stanton)",)),
    ("What did Anthony Rota say?", ("The Chair (Hon. Anthony Rota)",)),
    # a surname two speakers share names nobody; the full name still does
    ("What did Morris say?", ()),
    ("What did Huw Morris say?", ("Huw Morris",)),
    ("What did KirstyWilliams say about funding?", ("Kirsty Williams AM",)),  # a name typed run together
    ("What did the committee decide about chairs?", ()),
    # a surname that is also a word is a name only where it is written as one
    ("What was the Chair's view on the young people's suggestion?", ("The Chair (Hon. Anthony Rota)",)),
    ("What did Young say about carers?", ("Ms. Kate Young",)),
    ("what did young say about carers?", ("Ms. Kate Young",)),  # typed all in lower case
])
def test_the_asked_about_speaker_is_resolved_from_the_index_labels(question, expected):
    assert asked_speakers(question, LABELS) == expected


def test_the_person_asked_about_comes_before_one_named_only_as_x_s():
    q = "How did Kirsty Williams AM answer Sian Gwenllian AM's question about quality assurance?"
    assert asked_speakers(q, LABELS) == ("Kirsty Williams AM",)
    q = "What did Sian Gwenllian's question get from Kirsty Williams?"
    assert asked_speakers(q, LABELS) == ("Kirsty Williams AM",)
    assert [m.labels for m in mentions(q, LABELS)] == [("Kirsty Williams AM",), ("Sian Gwenllian AM",)]


def test_the_meaning_searched_for_leaves_out_the_person_asked_about():
    assert topic_of("What did Kirsty Williams think of the funding for consortia?", LABELS) == \
        "What did think of the funding for consortia?"
    assert topic_of("What did Williams's answer say about schools?", LABELS) == "What did answer say about schools?"
    assert topic_of("What did Dr Frank Atherton advise?", LABELS) == "What did advise?"  # the title goes too
    assert topic_of("What did the committee say about schools?", LABELS) == \
        "What did the committee say about schools?"  # nobody named: the question as it is


def _turn(topic: str, n: int = 130) -> str:
    words = f"the {topic} plan matters because people in the region need support now".split()
    return " ".join(words[i % len(words)] for i in range(n)) + "."


@pytest.fixture
def hearing_engine(tmp_path, hashing_embedder):
    # Alice talks about little but housing; Bob mentions the housing plan once, in a speech on schools
    turns = [f"Alice Smith AM: {_turn('housing')}", f"Bob Jones AM: {_turn('schools', 120)} The housing plan too.",
             f"Alice Smith AM: {_turn('transport')}", f"Carol White: {_turn('schools')}",
             f"Bob Jones AM: {_turn('transport')}"]
    return _hearing(tmp_path, hashing_embedder, turns)


@pytest.mark.parametrize("who, speaker", [("Bob Jones", "Bob Jones AM"), ("Alice Smith", "Alice Smith AM"),
                                          ("Jones", "Bob Jones AM")])
def test_a_question_naming_a_speaker_prefers_their_passages_and_cites_them(hearing_engine, who, speaker):
    question = f"What did {who} say about the housing plan?"
    hits = retrieve(hearing_engine.index, question, hearing_engine.embed_question(question), k=3)
    best = (hits[0].parts or (hits[0].passage,))[0]  # the best-ranked window, whatever overlapping one joined it
    assert best.speaker == speaker and "housing" in best.text
    result = hearing_engine.answer(question)
    assert result["citations"] and result["citations"][0]["speaker"] == speaker


def test_without_a_name_the_strongest_passage_wins(hearing_engine):
    question = "What was said about the housing plan?"
    hits = retrieve(hearing_engine.index, question, hearing_engine.embed_question(question), k=3)
    assert (hits[0].parts or (hits[0].passage,))[0].speaker == "Alice Smith AM"


def test_bm25_filters_by_a_mask_never_one_parameter_per_row(hearing_engine):
    # more allowed rows than SQLite would bind as parameters; rows that do not exist are harmless
    allowed = np.arange(300_000, dtype=np.int64)
    found = bm25_candidates(hearing_engine.index, "schools plan", 10, allowed, (1.0, 0.5, 0.3, 0.3))
    assert found and all(r < 300_000 for r, _ in found)
    assert [r for r, _ in found] == [r for r, _ in bm25_candidates(hearing_engine.index, "schools plan", 10, None,
                                                                   (1.0, 0.5, 0.3, 0.3))]
    assert bm25_candidates(hearing_engine.index, "schools plan", 10, np.array([10**6]), (1.0,)) == []


def test_function_words_can_be_kept_in_the_keyword_query(hearing_engine):
    with_stop = bm25_candidates(hearing_engine.index, "the of in", 10, None, (1.0,))
    assert with_stop  # only function words: the query falls back to them rather than matching nothing
    assert bm25_candidates(hearing_engine.index, "the schools", 10, None, (1.0,), frozenset({"the"}))


def test_the_top_passages_never_overlap_though_a_transcripts_windows_do(hearing_engine):
    index = hearing_engine.index
    spans = [(p.char_start, p.char_end) for p in index.passages_at(list(range(index.manifest.passages)))]
    assert any(s2 < e1 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))  # windows overlap
    question = "What was said about the transport plan and schools?"
    hits = retrieve(index, question, hearing_engine.embed_question(question), k=5)
    assert len(hits) >= 2
    for i, a in enumerate(hits):
        for b in hits[i + 1 :]:
            assert a.passage.char_end <= b.passage.char_start or b.passage.char_end <= a.passage.char_start


def _hearing(tmp_path, embedder, turns: list[str]) -> Engine:
    """An engine over one hearing of ``turns`` ("Speaker: speech")."""
    from index.build import IngestConfig, ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "hearing.txt").write_text("# title: Committee hearing\n\n" + "\n\n".join(turns) + "\n", encoding="utf-8")
    ingest_paths([docs], tmp_path / "index", IngestConfig(model=embedder.name), embedder=embedder, progress=False)
    return Engine.open(tmp_path / "index", embedder=embedder)


# a long question: the short reply stands in a passage of its own, after the question's
_PREAMBLE = " ".join(["The committee has heard a great deal of evidence from many witnesses this session."] * 12)


@pytest.mark.parametrize("put, reply, question, answer", [
    ("Do you foresee any unintended consequences for the housing bill?",
     "I think not. As with every bill, the housing consequences depend on implementation and on the resources "
     "that come with it.", "What did Bob Jones say about unintended consequences for the housing bill?",
     "implementation"),
    (f"{_PREAMBLE} Minister, when did military intelligence first tell you about the outbreak in Wuhan, and when "
     "did you first learn about the coronavirus outbreak in Wuhan?", "Yes, I was made aware of this in January.",
     "When did Bob Jones say he first learned about the coronavirus outbreak in Wuhan?", "January"),
])
def test_the_asked_about_person_answers_before_the_question_put_to_them(tmp_path, hashing_embedder, put, reply,
                                                                         question, answer):
    turns = [f"Alice Smith AM: {put}", f"Bob Jones AM: {reply}",
             "Alice Smith AM: Thank you. Carol, what about schools and the exam timetable this summer?",
             "Carol White: Schools will need guidance before the exams are held this summer."]
    result = _hearing(tmp_path, hashing_embedder, turns).answer(question)
    assert not result["abstained"]
    assert result["citations"][0]["speaker"] == "Bob Jones AM"
    assert answer in result["citations"][0]["quote"]  # his reply, not the question put to him


@pytest.mark.parametrize("fusion", ["rrf", "convex"])
def test_the_speakers_own_ranking_is_what_lifts_their_passage(hearing_engine, fusion):
    """The asked-about speaker's own ranking (a third list for RRF; for score fusion their candidates join
    both lists and their score among the speaker's passages is averaged in) puts Bob's one mention of
    housing first; without that list (RRF, speaker_weight 0) Alice's talk of housing wins."""
    from chat.retrieve import RetrieveConfig

    question = "What did Bob Jones say about the housing plan?"
    qvec = hearing_engine.embed_question(question)
    weighted = retrieve(hearing_engine.index, question, qvec, k=3, config=RetrieveConfig(fusion=fusion))
    assert (weighted[0].parts or (weighted[0].passage,))[0].speaker == "Bob Jones AM"
    if fusion == "rrf":
        unweighted = retrieve(hearing_engine.index, question, qvec, k=3,
                              config=RetrieveConfig(fusion=fusion, speaker_weight=0.0))
        assert (unweighted[0].parts or (unweighted[0].passage,))[0].speaker == "Alice Smith AM"


VTT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Chair>Good morning. Today we examine the water bill and its costs for rural councils.

00:00:06.500 --> 00:00:14.000
<v Minister Jane Hollis>Thank you. The bill gives councils money over three years to repair village pipes.

00:00:14.500 --> 00:00:20.000
<v Chair>How many villages still lack clean water?

00:00:20.500 --> 00:00:27.000
<v Minister Jane Hollis>About 1,200 villages, mostly in the northern uplands, rely on tanker deliveries.
"""


def test_the_reply_is_cited_not_the_question_put_to_the_witness(tmp_path):
    """With the real model: the chair's question is the sentence most like the user's (cosine 0.99), the
    witness's reply, which holds the number asked for, much less (0.5)."""
    from index.build import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "hearing.vtt").write_text(VTT, encoding="utf-8")
    ingest_paths([docs], tmp_path / "index", progress=False)
    engine = Engine.open(tmp_path / "index")
    result = engine.answer("How many villages still lack clean water?")
    first = result["citations"][0]
    assert first["speaker"] == "Minister Jane Hollis" and first["quote"].startswith("About 1,200 villages")
    assert first["reference"].startswith("“About 1,200 villages")
    # asked what was asked, the question is the answer
    result = engine.answer("What did the Chair ask about villages and clean water?")
    assert result["citations"][0]["quote"] == "How many villages still lack clean water?"


OFFICE_LABELS = ["Kirsty Williams AM (Minister for Education)", "Kirsty Williams AM (Cabinet Secretary for Education)",
                 "Julie Morgan AM (Deputy Minister for Health and Social Services)",
                 "Right Hon. Justin Trudeau (Prime Minister)", "Right Hon. Justin Trudeau", "Hon. Andrew Scheer",
                 "The Chair (Hon. Anthony Rota)", "The Acting Chair (Mr. Bruce Stanton)",
                 "Meilyr Rowlands (chief inspector)", "Helen Mary Jones AM"]


@pytest.mark.parametrize("question, expected", [
    ("What did the Deputy Minister say about childcare?",
     ("Julie Morgan AM (Deputy Minister for Health and Social Services)",)),
    ("What did the chief inspector say about the grant?", ("Meilyr Rowlands (chief inspector)",)),
    # the office a title names from its first word, before one it names in part ("Deputy Minister")
    ("What did the Minister suggest for nurseries?",
     ("Kirsty Williams AM (Minister for Education)", "Kirsty Williams AM (Cabinet Secretary for Education)")),
    ("What did the Chair say?", ("The Chair (Hon. Anthony Rota)",)),
    # an office stated in one record finds the person's turns in another, where it is not stated
    ("What did the Prime Minister say about Huawei?",
     ("Right Hon. Justin Trudeau (Prime Minister)", "Right Hon. Justin Trudeau")),
    # the one who asked is context; the one who responds is asked about
    ("How did the Prime Minister respond when Scheer asked about Huawei?",
     ("Right Hon. Justin Trudeau (Prime Minister)", "Right Hon. Justin Trudeau")),
    ("What did Kirsty Williams say to a question from Helen Mary Jones about carers?",
     ("Kirsty Williams AM (Minister for Education)", "Kirsty Williams AM (Cabinet Secretary for Education)")),
    ("What did the committee say about ministers?", ()),
])
def test_a_person_is_found_by_the_office_the_record_gives_them(question, expected):
    assert asked_speakers(question, OFFICE_LABELS) == expected


def test_who_put_the_question_is_not_what_the_reply_must_name():
    from chat.speakers import askers

    q = "How did Kirsty Williams respond when Helen Mary Jones asked about young carers?"
    assert askers(q, OFFICE_LABELS) == {"helen", "mary", "jones"}
    assert askers("What did Kirsty Williams say about young carers?", OFFICE_LABELS) == frozenset()


def test_a_reply_is_as_strong_as_most_of_the_question_put_to_it(tmp_path, hashing_embedder):
    from dataclasses import replace

    from chat.engine import sentence_vectors_of
    from chat.evidence import Evidence
    from chat.scoring import DEFAULT_CONFIG, score_sentences

    turns = ["Alice Smith AM: When did you first learn about the coronavirus outbreak in Wuhan?",
             "Bob Jones AM: Yes, I was made aware of this in January.",
             "Carol White: Schools will need guidance before the exams are held this summer.",
             "Alice Smith AM: Thank you both."]
    engine = _hearing(tmp_path, hashing_embedder, turns)
    question = "When did Bob Jones say he first learned about the coronavirus outbreak in Wuhan?"
    qvec = engine.embed_question(topic_of(question, engine.index.speaker_labels()))
    hits = tuple(retrieve(engine.index, question, qvec, k=3))
    evidence = Evidence(question, qvec, hits, sentence_vectors_of(engine.index, hits), engine.documents,
                        engine.doc_freq, engine.index.manifest.passages)

    def strengths(share):
        found = score_sentences(evidence, replace(DEFAULT_CONFIG, reply_share=share))
        return {c.text: c.strength for c in found}

    put, reply = turns[0].split(": ", 1)[1], turns[1].split(": ", 1)[1]
    plain, lifted = strengths(0.0), strengths(0.75)
    assert plain[reply] < plain[put]  # on its own the reply shares few of the question's words
    assert lifted[reply] == pytest.approx(0.75 * plain[put] + 0.25 * plain[reply])
    assert lifted[put] == plain[put] and lifted[turns[2].split(": ", 1)[1]] == plain[turns[2].split(": ", 1)[1]]


@pytest.mark.parametrize("question", [
    "In answering Lord Collins, which meeting did Lord Ahmad say the Prime Minister attended?",
    "What did Lord Ahmad say in reply to Lord Collins?",
    "What did Lord Ahmad tell the House when Lord Collins asked about the dialogue?",
])
def test_the_one_answered_is_not_the_one_asked_about(question):
    labels = ["Lord Collins of Highbury", "Lord Ahmad of Wimbledon (Minister of State)"]
    assert asked_speakers(question, labels) == ("Lord Ahmad of Wimbledon (Minister of State)",)
    assert asked_speakers("What did Lord Collins answer?", labels) == ("Lord Collins of Highbury",)


def test_a_title_two_offices_fit_alike_names_both_holders():
    labels = ["Patty Hajdu (Minister of Health)", "Kirsty Williams AM (Minister for Education and Skills)",
              "Julie Morgan AM (Deputy Minister for Health)"]
    assert asked_speakers("What did the Minister say?", labels) == tuple(labels[:2])
    assert asked_speakers("What did the Minister of Health say?", labels) == (labels[0],)


def test_a_question_about_an_exchange_prefers_the_passages_where_both_speak(tmp_path, hashing_embedder):
    """"How did Bob respond when Carol asked ...": Bob answers Alice and Carol alike, about the same
    budget; the speaker's own ranking is narrowed to the windows in which Carol speaks too."""
    from chat.retrieve import speaker_rows

    filler = " ".join(["The committee has taken a great deal of written evidence on this matter."] * 14)
    turns = []
    for asker in ("Alice Smith AM", "Carol White AM", "Alice Smith AM", "Alice Smith AM"):
        turns += [f"{asker}: {filler} What about the school budget for next year?",
                  f"Bob Jones AM: {filler} The school budget rises next year, as I said before."]
    index = _hearing(tmp_path, hashing_embedder, turns).index
    question = "How did Bob Jones respond when Carol White asked about the school budget?"
    bob = index.rows_spoken_by(["Bob Jones AM"])
    narrowed = speaker_rows(index, question, None)
    assert 0 < len(narrowed) < len(bob) and set(narrowed) <= set(bob)
    for p in index.passages_at(narrowed.tolist()):
        assert {"Bob Jones AM", "Carol White AM"} <= {s.speaker for s in p.sentences}
    assert speaker_rows(index, question, None, exchange=False).tolist() == bob.tolist()


def test_the_passage_after_a_question_that_holds_the_asked_about_persons_reply(tmp_path, hashing_embedder):
    """Alice asks, Bob answers at length and hands over to Carol, whose short reply shares no word with the
    question: the passage holding it is the one that follows the question's passage into the evidence."""
    from chat.retrieve import _reply_after

    filler = " ".join(["The committee has taken a great deal of written evidence on this matter."] * 14)
    turns = [f"Alice Smith AM: {filler} What unintended consequences of the housing bill do you foresee?",
             f"Bob Jones AM: The consequences of the housing bill will be monitored closely. {filler} {filler} "
             "Carol, is there anything you would add?",
             "Carol White: Yes. We will publish the figures every March, council by council.",
             f"Alice Smith AM: {filler} Thank you. Dan, what about the transport plan?",
             f"Dan Green: {filler} The transport plan needs more buses.",
             "Alice Smith AM: Thank you, Dan.", "Dan Green: Thank you."]
    index = _hearing(tmp_path, hashing_embedder, turns).index
    passages = index.passages_at(list(range(index.manifest.passages)))
    asked_at = next(r for r, p in enumerate(passages) if "housing bill do you foresee" in p.text)
    question = passages[asked_at]
    assert "Carol White" not in {s.speaker for s in question.sentences}
    row = _reply_after(index, asked_at, question, frozenset({"Carol White"}))
    assert row is not None and "every March" in passages[row].text
    assert passages[row].char_start >= question.char_end  # never overlapping: one of the two would be dropped
    assert _reply_after(index, asked_at, question, frozenset({"Alice Smith AM"})) is None  # she speaks in it
    assert _reply_after(index, asked_at, question, frozenset({"Dan Green"})) is None  # not within two turns
