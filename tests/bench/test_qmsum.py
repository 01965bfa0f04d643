from bench.qmsum import Evidence, names_person, split_meetings


def test_a_passage_hits_on_a_run_of_twelve_words_shared_with_an_evidence_turn():
    turn = ("We have invested two hundred million pounds in the new schools programme since the spring of last year, "
            "and we will keep doing so.")  # 24 words
    ev = Evidence([turn])
    assert ev.hits("Minister: we have INVESTED two hundred million pounds in the new schools programme, since then")
    # eleven words in a row are not enough
    assert not ev.hits("we have invested two hundred million pounds in the new schools and more")


def test_a_turn_shorter_than_twenty_words_hits_on_sixty_percent_of_its_words():
    ev = Evidence(["Thank you very much for that question about rural bus services, Chair."])  # 12 words
    assert ev.hits("Chair, thank you for the question on bus services in rural areas")  # 8 of 12 words
    assert not ev.hits("Thank you, Chair.")


def test_speaker_accuracy_needs_first_and_last_name_in_the_speaker():
    assert names_person("Dr Frank Atherton", ["Frank Atherton"])
    assert names_person("The Chair (Hon. Anthony Rota)", ["Anthony Rota"])
    assert not names_person("Lynne Neagle AM", ["Kirsty Williams"])
    assert not names_person("Frank Athertonson", ["Frank Atherton"])
    assert not names_person(None, ["Frank Atherton"])


def test_meetings_split_every_other_by_sorted_name():
    split = split_meetings(["b", "a", "d", "c"])
    assert split == {"a": "dev", "b": "holdout", "c": "dev", "d": "holdout"}


def test_questions_written_for_the_bench_are_on_dev_meetings_and_carry_their_evidence():
    import pytest

    from bench.qmsum import OWN, QMSUM, own_queries, person_keys

    if not (QMSUM / "docs").is_dir():
        pytest.skip("../shared/eval/qmsum-dev is not beside the repository")
    split = split_meetings([p.stem for p in (QMSUM / "docs").glob("*.txt")])
    own = own_queries()
    assert len(own) >= 80 and len({q["id"] for q in own}) == len(own)
    for q in own:
        assert split[q["doc"]] == "dev", q["id"]  # the held-out meetings stay unseen
        assert q["evidence_turns"], q["id"]
        if q["speaker"]:  # the person asked about speaks in the evidence, and is named as the README scores
            assert q["speaker"] in q["span_speakers"] and names_person(q["speaker"], q["speaker_keys"]), q["id"]
    assert OWN.is_dir()
    assert person_keys("Hon. Harjit S. Sajjan") == ["Harjit Sajjan", "Harjit S. Sajjan"]
    assert person_keys("The Acting Chair", "Mr. Bruce Stanton, Simcoe North, CPC") == ["Bruce Stanton"]
    assert person_keys("Kirsty Williams AM") == ["Kirsty Williams"]
