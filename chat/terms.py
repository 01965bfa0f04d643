"""Words of a question or a sentence, reduced to what term overlap compares (pure).

The lists here are general English (function words, question words, the
verbs and nouns people use to frame a question about a document: "what does
the report say about ..."), never words of one corpus: the answer step is
judged on questions and documents it has not seen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

# Same tokenisation as the index's document frequencies: lower-cased \w+ runs.
_WORD = re.compile(r"\w+")

# Function words: no content in any question (what keyword search leaves out).
FUNCTION_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each either else ever every
    few for from further had has have having he her here hers herself him himself his how however i if
    in into is it its itself just let many may me might more most much must my myself no nor not now
    of off on once one only onto or other ought our ours ourselves out over own per quite rather really
    same shall she should since so some such than that the their theirs them themselves then there these
    they this those through thus to too under until up upon us very was we were what whatever when
    whenever where whereas wherever whether which while who whoever whom whose why will with within
    without would yes yet you your yours yourself yourselves
    s t d ll m re ve""".split()
)
# ... and the verbs and nouns that frame a question about a document.
STOPWORDS = FUNCTION_WORDS | frozenset(
    """say says said saying tell tells told mention mentions mentioned describe describes described
    think thinks thought know knows explain explains please
    report reports document documents paper article according""".split()
)

# Words that make a question ask for the documents' *sources*: the answer then
# prefers sentences that carry a footnote. They are not counted as content terms
# (a body sentence rarely contains the word "source").
SOURCE_CUES = frozenset(
    """source sources sourced cite cites cited citing citation citations reference references referenced
    publication publications published footnote footnotes""".split()
)
# Multi-word source cues, matched on the lower-cased question text. "According to
# the report" only frames the question; "according to whom" asks for a source.
_SOURCE_PHRASES = (
    re.compile(r"\bwhere\b.*\bcomes? from\b"),
    re.compile(r"\bbased on what\b"),
    re.compile(r"\baccording to (?:whom|what|which)\b"),
)

# A sentence that opens with one of these leans on the sentence before it
# ("This ...", "It ...", "That is why ...", "However, ...").
BACK_REFERENCES = frozenset(
    """this that these those it its they them their he she his her such there however but therefore
    thus hence so also moreover furthermore instead yet still nonetheless nevertheless consequently
    accordingly meanwhile similarly likewise otherwise then indeed besides""".split()
)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, as the index counts them."""
    return _WORD.findall(text.lower())


# English irregular past forms, to their verb ("met" -> "meet", as "meeting" is): suffixes cannot find them.
# Forms that are as often another word ("left", "found", "lead", "won") are not here.
IRREGULAR = {form: verb for verb, forms in (
    ("say", "said"), ("tell", "told"), ("meet", "met"), ("make", "made"), ("give", "gave given"),
    ("take", "took taken"), ("buy", "bought"), ("sell", "sold"), ("pay", "paid"), ("hold", "held"),
    ("speak", "spoke spoken"), ("write", "wrote written"), ("bring", "brought"), ("think", "thought"),
    ("seek", "sought"), ("teach", "taught"), ("begin", "began begun"), ("become", "became"), ("come", "came"),
    ("go", "went gone"), ("know", "knew known"), ("see", "saw seen"), ("choose", "chose chosen"),
    ("drive", "drove driven"), ("fall", "fell fallen"), ("rise", "rose risen"), ("grow", "grew grown"),
    ("throw", "threw thrown"), ("stand", "stood"), ("understand", "understood"), ("keep", "kept"),
    ("send", "sent"), ("spend", "spent"), ("build", "built"), ("lend", "lent"), ("mean", "meant"),
    ("lose", "lost"), ("fight", "fought"), ("catch", "caught"), ("flee", "fled"), ("break", "broke broken"),
    ("freeze", "froze frozen"), ("hide", "hid hidden"), ("swear", "swore sworn"), ("withdraw", "withdrew withdrawn"),
    ("draw", "drew drawn"), ("fly", "flew flown"), ("eat", "ate eaten"), ("forget", "forgot forgotten"),
    ("get", "got gotten"), ("feel", "felt"), ("deal", "dealt"), ("hear", "heard"), ("shoot", "shot"),
    ("forbid", "forbade forbidden"), ("undertake", "undertook undertaken"), ("overtake", "overtook overtaken"),
    ("strike", "struck stricken"), ("shake", "shook shaken"), ("bear", "bore borne"), ("tear", "tore torn"),
    ("wear", "wore worn"), ("sink", "sank sunk"), ("sing", "sang sung"), ("drink", "drank drunk"),
    ("ring", "rang rung"), ("swim", "swam swum"), ("run", "ran"), ("sit", "sat"),
) for form in forms.split()}


@lru_cache(maxsize=1 << 16)  # pure: the same words come back in every passage and question
def stem(token: str) -> str:
    """A crude suffix stripper: enough to match "weapons"/"weapon", "funded"/"funds", "met"/"meeting"."""
    if token in IRREGULAR:
        token = IRREGULAR[token]
    if len(token) <= 3 or token.isdigit():
        return token
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ing", "", 6),
        ("ied", "y", 5),
        ("ed", "", 5),
        ("es", "", 6),
        ("s", "", 4),
    ):
        if token.endswith(suffix) and len(token) >= min_len:
            if suffix == "s" and token.endswith(("ss", "us", "is")):
                return token
            if suffix == "es" and not token.endswith(("shes", "ches", "xes", "zes", "sses")):
                continue
            token = token[: len(token) - len(suffix)] + repl
            break
    # "acquire"/"acquired" -> "acquir": a final e is dropped so both forms meet.
    return token[:-1] if token.endswith("e") and len(token) >= 4 else token


def stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def content_words(text: str) -> list[str]:
    """The question's words that carry content, in order, without repeats (surface forms)."""
    seen: set[str] = set()
    out = []
    for w in words(text):
        if len(w) < 2 or w in STOPWORDS or w in SOURCE_CUES or stem(w) in seen:
            continue
        seen.add(stem(w))
        out.append(w)
    return out


# Words by which a question names the kind of document it asks about ("according to the
# report", "in the debate"); they match Document.kind, not any one corpus.
KIND_CUES = {
    "report": "report", "reports": "report", "paper": "report", "study": "report",
    "article": "article", "news": "article", "story": "article", "press": "article",
    "debate": "transcript", "transcript": "transcript", "hearing": "transcript", "speech": "transcript",
    "interview": "transcript", "podcast": "transcript", "video": "transcript",
}


def asked_kind(question: str) -> str | None:
    """The document kind a question names, when it names exactly one."""
    kinds = {KIND_CUES[w] for w in words(question) if w in KIND_CUES}
    return kinds.pop() if len(kinds) == 1 else None


def names_speaker(question: str, speaker: str | None) -> bool:
    """Whether the question names this speaker: full name, surname or office ("Lord Cormack",
    "Baroness Helic", "Ahmad", "Kirsty Williams", "the Chair"); see chat.speakers."""
    from chat.speakers import mentions

    return bool(speaker) and bool(mentions(question, [speaker]))


_ASKED = re.compile(r"\b(?:ask|asks|asked|asking|question|questions|questioned|enquir\w*|inquir\w*|quer(?:y|ied))\b",
                    re.IGNORECASE)


def asks_what_was_asked(question: str) -> bool:
    """Whether the question is about a question put to someone ("What did Lord X ask the Minister?"):
    then a sentence that is itself a question may be the answer."""
    return _ASKED.search(question) is not None


def is_interrogative(sentence: str) -> bool:
    """Whether the sentence asks a question (it ends on "?", closing quotes or brackets aside)."""
    return sentence.rstrip().rstrip("\"'”’)]*").endswith("?")


def asks_for_source(question: str) -> bool:
    lowered = question.lower()
    return any(w in SOURCE_CUES for w in words(lowered)) or any(p.search(lowered) for p in _SOURCE_PHRASES)


def _variants(token: str) -> Iterable[str]:
    """Surface forms that share the token's stem, for a document-frequency lookup."""
    base = stem(token)
    yield token
    yield base
    for suffix in ("s", "es", "ed", "ing", "e", "es"):
        yield base + suffix
    if token.endswith("y"):
        yield token[:-1] + "ies"


def idf(token: str, doc_freq: Mapping[str, int], n_passages: int) -> float:
    """BM25-style IDF of a word (positive; a word found in no passage gets the most).

    With no statistics at all every word weighs the same.
    """
    if n_passages <= 0 or not doc_freq:
        return 1.0
    df = max(doc_freq.get(v, 0) for v in _variants(token))
    df = min(df, n_passages)
    return math.log(1.0 + (n_passages - df + 0.5) / (df + 0.5))


def leans_back(text: str, before: frozenset[str]) -> bool:
    """Whether a sentence opens by pointing at the one before: a back reference ("This", "Otherwise",
    "It"), or a definite description ("The two sections", "Both nuts") of something it named."""
    opening = words(text)[:4]
    if not opening:
        return False
    if opening[0] in BACK_REFERENCES:
        return True
    if opening[0] not in DEFINITE:
        return False
    named = [w for w in opening[1:] if w not in FUNCTION_WORDS and not w.isdigit()]
    return bool(named) and stem(named[0]) in before


DEFINITE = frozenset({"the", "both", "each", "either", "neither"})
