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
