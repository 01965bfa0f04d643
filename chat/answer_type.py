"""What kind of answer a question expects, and whether a sentence holds one (pure).

"How many ...?" wants a number, "When ...?" a date, "Who ...?" a name. A
sentence on the topic that holds no such thing does not answer the
question: "In what year did Croatia join the EU?" is not answered by
"Croatia and Slovenia have joined the EU." The cues are English question
words, general to any corpus.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from chat.constraints import YEAR
from chat.terms import FUNCTION_WORDS, STOPWORDS, stem, words

NUMBER, PERCENT, DATE, DAY, MONEY, NAME = "number", "percent", "date", "day", "money", "name"

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
_NUMBER_WORD = (r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
                r"|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|dozens|half|"
                r"double|twice|triple|percent|per cent)\b")
_HAS = {
    NUMBER: re.compile(rf"\d|{_NUMBER_WORD}|%", re.IGNORECASE),
    PERCENT: re.compile(r"%|\bper ?cent\b|\bpercentage points?\b", re.IGNORECASE),
    # a year, a month, a weekday, a time of day, or a time relative to now ("last year", "two weeks ago");
    # not "by" or "since" alone
    DATE: re.compile(rf"\b(?:1[5-9]\d\d|20\d\d)s?\b|\b{_MONTH}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\b\s+{_MONTH}"
                     r"|\b(?:yesterday|today|tomorrow|ago|decade|century)\b"
                     r"|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
                     r"|\b(?:last|next|this|previous|coming|same)\s+(?:week|month|year|spring|summer|autumn|fall|winter)\b"
                     # a time of day or a recurrence answers "when" too ("leaves at dawn every weekday")
                     r"|\b(?:dawn|dusk|sunrise|sunset|noon|midday|midnight|morning|afternoon|evening|overnight"
                     r"|o'clock|weekdays?|weekends?|daily|weekly|monthly|annually|yearly|nightly)\b"
                     r"|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*[ap]\.?m\b",
                     re.IGNORECASE),
    # "on what date": a day of a month or a written-out date, not a year or a weekday alone
    DAY: re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+\d{{1,2}}\b"
                    r"|\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b"
                    r"|\b(?:yesterday|today|tomorrow)\b", re.IGNORECASE),
    # "how much did it cost": an amount of money
    MONEY: re.compile(r"[$£€¥₩]|\b(?:USD|EUR|GBP|dollars?|euros?|pounds?|yuan|yen|francs?|rupees?|won|"
                      r"million|billion|trillion|bn|m)\b", re.IGNORECASE),
}
# a way to reach someone or something: an email address, a web address, a phone number
EMAIL, URL, PHONE = "email", "url", "phone"
_HAS[EMAIL] = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HAS[URL] = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|gov|edu|int|io)\b", re.I)
_HAS[PHONE] = re.compile(r"(?<!\w)\+?\(?\d[\d ()./-]{6,}\d(?!\w)")
# Question openings -> expected answer type, most specific first.
_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\be-?mail(?: address)?\b", re.I), EMAIL),
    (re.compile(r"\b(?:website|web ?site|web address|url|home ?page)\b", re.I), URL),
    (re.compile(r"\b(?:(?:tele)?phone|fax) number\b", re.I), PHONE),
    (re.compile(r"^\s*(?:on |by |until )?(?:what|which) date\b", re.I), DAY),
    (re.compile(r"^\s*(?:in |on |since |by |until |during |from |for )?(?:what|which) "
                r"(?:years?|months?|days?|decades?|century|centuries)\b", re.I), DATE),
    (re.compile(r"^\s*how much (?:money\b|\w+ )?(?:did|does|do|has|have|had|will|would|is|was|are|were)\b"
                r".*\b(?:pay|paid|cost|costs|spend|spent|lend|lent|loan|invest|invested|fund|funded|raise|raised|worth|charge|"
                r"charged|earn|earned|give|gave|commit|committed|receive|received|budget)\b", re.I), MONEY),
    (re.compile(r"^\s*(?:since |until )?when\b", re.I), DATE),
    (re.compile(r"\b(?:rate|percentage|proportion)\b", re.I), PERCENT),
    (re.compile(r"^\s*how (?:many|much|long|often|old|far|big|large|high|fast)\b", re.I), NUMBER),
    (re.compile(r"^\s*what (?:is|was|are|were) the (?:[\w-]+ ){0,2}(?:number|share|amount|value|cost|price|size|"
                r"population|budget|total)\b", re.I), NUMBER),
    (re.compile(r"^\s*(?:what|which) (?:[\w-]+ )?(?:share|number|amount|figure|sum)\b", re.I), NUMBER),
    (re.compile(r"^\s*(?:who|whom)\b", re.I), NAME),
)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*[A-Za-z]")


_URL = re.compile(r"\S*(?:https?://|www\.)\S*")


def without_urls(text: str) -> str:
    return _URL.sub(" ", text)


def expected_type(question: str) -> str | None:
    for pattern, kind in _CUES:
        if pattern.search(question):
            return kind
    return None


def holds(sentence: str, kind: str | None, question: str = "") -> bool:
    """Whether ``sentence`` holds an answer of ``kind`` (always, when nothing is expected)."""
    if kind is None:
        return True
    if kind == NAME:
        # a name the question does not already contain (not the sentence's first word)
        asked = {w.lower() for w in _CAPITALISED.findall(question)}
        names = [m.group() for m in _CAPITALISED.finditer(sentence) if m.start() > 0]
        return any(name.lower() not in asked for name in names)
    # "How many fled in the 1990s?": the question's own numbers and dates are not the answer
    asked = {m.group().lower() for m in _HAS[kind].finditer(question)} if question else set()
    return any(m.group().lower() not in asked for m in _HAS[kind].finditer(sentence))


# --- the answer slot: what, exactly, fills the answer --------------------------------------------------
# "How many Bayraktar drones did Kosovo buy?" is not answered by a sentence that holds *a* number
# ("$72 million worth of ... Bayraktar drones"): the number must count drones. A slot says what kind of
# value answers the question and which of the question's words it must stand next to (``anchors``, as
# stems); a sentence fills it with a value the question does not already hold, at most ``WINDOW``
# words from an anchor. Every cue is an English question form or a unit of measurement, general to any
# corpus.
MEASURE, PLACE = "measure", "place"
WINDOW = 3  # "next to": at most this many words between the value and an anchor


@dataclass(frozen=True, slots=True)
class Slot:
    kind: str
    anchors: frozenset[str] = frozenset()  # empty: the value's own form is specific enough
    quantity: str | None = None  # for MEASURE: what is measured ("temperature")
    # for a count: the question's other words; a count of something else next to them also fills the slot
    # ("47 personnel deployed to KFOR" for "how many British troops serve in KFOR"), not an amount of money
    context: frozenset[str] = frozenset()
    verb: str | None = None  # for "who <verb> ...": the verb's stem, whose subject is an answer too


_COUNT = re.compile(r"(?<![\w.,/-])\d[\d,]*(?:\.\d+)?(?:[kKM]|bn)?(?![\w/-]|\.\d)"
                    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
                    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
                    r"|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|a dozen)\b", re.I)
_CURRENCY = r"(?:[$£€¥₩]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|US\$|C\$))"
_CURRENCY_WORD = r"(?:dollars?|euros?|pounds?(?: sterling)?|yuan|renminbi|yen|francs?|rupees?|won|dinars?)\b"
_MONEY_VALUE = re.compile(rf"{_CURRENCY}\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|bn|m|k)\b)?"
                          rf"|\b\d[\d,.]*\s?(?:(?:million|billion|trillion|bn|m)\s)?{_CURRENCY_WORD}", re.I)
# units of what people measure, by quantity; a measurement is a number followed by one of them
_UNITS = {
    "temperature": r"°\s?[CF]?|º\s?[CF]?|℃|℉|degrees?(?: (?:Celsius|Fahrenheit|centigrade|C|F))?|kelvin|K",
    "torque": r"(?:inch|in\.?|foot|ft\.?)[- ]?(?:pounds?|lbs?\.?)|(?:pounds?|lbs?\.?)[- ]?(?:inch|in|foot|feet|ft)"
              r"|N\s?[·.⋅-]?\s?m|newton[- ]met(?:er|re)s?|kgf?[·.-]?m",
    "pressure": r"psi|k?Pa|bars?|mbar|mmHg|atm|atmospheres?|pascals?",
    "weight": r"k?g|mg|grams?|kilo(?:gram)?s?|lbs?\.?|pounds?|ounces?|oz|tonnes?|tons?",
    # a text's length counts characters, bytes, words or pages
    "length": r"[mck]?m|mm|inch(?:es)?|in\.|ft|feet|foot|yards?|miles?|(?:milli|centi|kilo)?met(?:er|re)s?"
              r"|characters?|chars?|bytes?|digits?|words?|lines?|pages?",
    # a processor's "clock speed" is a frequency
    "speed": r"mph|km/h|kph|knots?|m/s|miles per hour|kilomet(?:er|re)s per hour|[kMG]Hz",
    "voltage": r"[mk]?V|volts?",
    "current": r"m?A|amps?|amperes?",
    "power": r"[kMG]?W|watts?|kilowatts?|megawatts?|horsepower|hp",
    "energy": r"[kMG]?Wh|joules?|kJ|calories?|kcal|BTU",
    "frequency": r"[kMG]?Hz|hertz",
    "duration": r"seconds?|minutes?|hours?|days?|weeks?|months?|years?|ms|hrs?",
}
_UNITS["mass"] = _UNITS["weight"]
_UNITS["distance"] = _UNITS["height"] = _UNITS["width"] = _UNITS["depth"] = _UNITS["length"]
_MEASURE = {q: re.compile(rf"\d(?:[\d,.]*\d)?\s?(?:-\s?)?(?:{u})(?![A-Za-z])", re.I if q != "voltage" else 0)
            for q, u in _UNITS.items()}
_QUANTITY_WORDS = "|".join(sorted(_UNITS, key=len, reverse=True))
# a question's verbs and auxiliaries end the noun phrase "how many <noun phrase>"
_AUX = frozenset("""is are was were be been being do does did done has have had will would can could shall should
    may might must""".split())
_NAME_WORD = re.compile(r"\b[A-Z][\w'’.-]*[A-Za-z]")
_AGENT = re.compile(r"\bby\s+((?:(?:the|a|an|its|their|his|her)\s+)?[\w'’-]+(?:\s+[\w'’-]+)?)", re.I)
# a sentence in the first person: said by its speaker, who can be the "who" of the question
_FIRST_PERSON = re.compile(r"\bI\b|\b(?:[Ww]e|[Mm]y|[Oo]ur|me|us)\b")
_LOCATIVE = re.compile(r"\b(?:in|at|near|from|to)\s+((?:the\s+)?[A-Z][\w'’.-]*[A-Za-z])")


def _content_stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS and w not in _AUX and len(w) > 1)


def _phrase_after(question: str, start: int, limit: int = 4, skip_leading: bool = False) -> str:
    """The words after ``start`` up to the first function word or auxiliary (a noun phrase, roughly);
    with ``skip_leading``, function words before the phrase are passed over ("for its stake")."""
    out: list[str] = []
    for w in re.findall(r"[\w'’+-]+", question[start:]):
        if w.lower() in FUNCTION_WORDS or w.lower() in _AUX or len(out) == limit:
            if skip_leading and not out and len(out) < limit:
                continue
            break
        out.append(w)
    return " ".join(out)


# "how many" opens the question, or follows one adverb ("Roughly how many ..."), not "why ... how many"
_HOW_MANY = re.compile(r"^\s*(?:(?!why\b|what\b|which\b|who\b|when\b|where\b|how\b)\w+\s+)?how many\s+", re.I)
# a count of "people" is said in many nouns ("three deaths", "47 personnel"): any count fills it
GENERIC_HEADS = frozenset({"people", "persons", "person", "individuals", "ones", "things", "times"})
_HOW_MUCH_VERB = re.compile(r"^\s*how much\b(.*?)\b(?:did|does|do|has|have|had|will|would|is|was|are|were)\b\s+"
                            r"(?:[\w'’-]+\s+){0,4}?(pay|paid|cost|costs|spend|spent|lend|lent|loan|invest|"
                            r"invested|fund|funded|raise|raised|charge|charged|earn|earned|give|gave|commit|"
                            r"committed|receive|received|sell|sold|buy|bought|offer|offered|borrow|borrowed|owe|"
                            r"owed)\b", re.I)
_WHO_ROLE = re.compile(r"^\s*who\s+(?:is|was|are|were|has been|will be)\s+(?:the|their|its|his|her|our)\s+", re.I)
_WHO_VERB = re.compile(r"^\s*who\s+(?!is\b|was\b|are\b|were\b|do\b|does\b|did\b|has\b|have\b|had\b|will\b|"
                       r"would\b|can\b|could\b|should\b|may\b|might\b|must\b)([\w'’-]+)", re.I)
_WHICH_PLACE = re.compile(r"^\s*(?:in |at |from |to |near )?(?:what|which)\s+(city|town|village|country|capital|"
                          r"region|province|state|place|venue|location)\b", re.I)
_COUNTRY_PLACES = frozenset({"region", "state", "place", "location"})
_MEASURE_Q = re.compile(rf"\b(?:what|which)\s+(?:(?:is|was|are|were)\s+the\s+)?(?:[\w'’-]+\s+){{0,2}}?"
                        rf"({_QUANTITY_WORDS})\b", re.I)
# a value named by what it measures ("the TED score", "the population"); generic words ("number",
# "share", "amount") name nothing and keep to the coarse check of ``expected_type``
_VALUE_Q = re.compile(r"^\s*(?:what|which)\s+(?:(?:is|was|are|were)\s+the\s+)?((?:[\w'’-]+\s+){0,2}?"
                      r"(?:score|ratio|accuracy|precision|recall|price|cost|budget|population|salary|revenue|turnover"
                      r"|profit)s?)\b", re.I)


def answer_slot(question: str) -> Slot | None:
    """What fills the answer of ``question`` and which of its words the value must stand next to
    (``None``: nothing specific is asked for)."""
    wanted = expected_type(question)
    if wanted in (EMAIL, URL, PHONE):
        return Slot(wanted)
    m = _MEASURE_Q.search(question)
    if m:
        return Slot(MEASURE, quantity=m.group(1).lower())
    m = _HOW_MANY.search(question)
    if m:
        phrase = _phrase_after(question, m.end())
        if phrase.lower() in GENERIC_HEADS:
            return Slot(NUMBER)
        head = _content_stems(phrase)
        rest = _content_stems(question[m.end() + len(phrase):]) - head
        return Slot(NUMBER, head, context=rest) if head else None
    m = _HOW_MUCH_VERB.search(question)
    if m:  # the amount stands next to the verb, what is paid for, or what the amount is ("how much funding")
        paid_for = _phrase_after(question, m.end(), skip_leading=True)
        return Slot(MONEY, frozenset({stem(m.group(2).lower())}) | _content_stems(paid_for)
                    | _content_stems(_phrase_after(m.group(1), 0)))
    m = _WHO_ROLE.search(question)
    if m:
        role = _content_stems(_phrase_after(question, m.end()))
        return Slot(NAME, role) if role else None
    m = _WHO_VERB.search(question)
    if m and m.group(1).lower() not in STOPWORDS:  # "who said ..." is answered by a speaker, not a quote
        done = _phrase_after(question, m.end(), skip_leading=True)
        verb = stem(m.group(1).lower())
        return Slot(NAME, frozenset({verb}) | _content_stems(done), quantity="agent", verb=verb)
    m = _WHICH_PLACE.search(question)
    if m:
        return Slot(PLACE, quantity=m.group(1).lower())
    m = _VALUE_Q.search(question)
    if m:
        return Slot(NUMBER, _content_stems(m.group(1)))
    return None


def _word_index(text: str) -> tuple[list[int], list[str]]:
    spans = [(w.start(), w.group()) for w in re.finditer(r"[\w'’.@/-]+|[$£€¥₩%]", text)]
    return [s for s, _ in spans], [w for _, w in spans]


def _near(text: str, start: int, end: int, anchors: frozenset[str], question: str = "", window: int = WINDOW,
          skip: tuple[tuple[int, int], ...] = ()) -> bool:
    """Whether a word whose stem is an anchor stands within ``window`` words of ``text[start:end]``.

    Words the question itself holds do not count toward the distance: they belong to what is asked
    ("the president of the Canadian Federation of Agriculture, Mary Robinson")."""
    starts, toks = _word_index(text)
    first, last = bisect_left(starts, start), bisect_right(starts, end - 1) - 1
    asked = {stem(w) for w in words(question)}
    for direction, begin in ((-1, first - 1), (1, last + 1)):
        gap, i = 0, begin
        while 0 <= i < len(toks) and gap <= window:
            stems_here = [stem(w) for w in words(toks[i])]
            if any(st in anchors for st in stems_here) and not any(s <= starts[i] < e for s, e in skip):
                return True
            if stems_here and not all(st in asked for st in stems_here):
                gap += 1
            i += direction
    return False


def _names(text: str, question: str) -> list[tuple[int, int]]:
    """Spans of capitalised names in ``text`` that the question does not hold: neither its words nor a
    country (a demonym, "Serbian", is an attribute, not a name), and not the sentence's first word."""
    from ingest.countries import find_mentions

    asked = {stem(w) for w in words(question)}
    countries = [(c.start, c.end) for c in find_mentions(text)]
    out = []
    for m in _NAME_WORD.finditer(text):
        if m.start() == 0 or any(s <= m.start() < e for s, e in countries) or m.group().lower() in FUNCTION_WORDS:
            continue
        if all(stem(w) in asked for w in words(m.group())):
            continue
        out.append(m.span())
    return out


def _foreign_role(text: str, start: int, question: str) -> bool:
    """Whether the word at ``start`` is qualified by a country the question does not ask about
    ("Serbian President" for "the President of Kosovo")."""
    from ingest.countries import countries_in, find_mentions

    asked = set(countries_in(question))
    if not asked:
        return False
    before = text[max(0, start - 40):start]
    mentions = find_mentions(before)
    return bool(mentions) and mentions[-1].country not in asked and not before[mentions[-1].end:].strip(" ,'’s")


def fills(sentence: str, slot: Slot | None, question: str = "") -> bool:
    """Whether ``sentence`` fills ``slot``: a value of its kind, not in the question, next to an anchor."""
    if slot is None:
        return True
    if slot.kind in (EMAIL, URL, PHONE):
        return bool(_HAS[slot.kind].search(sentence))
    asked = question.lower()
    if slot.kind == MEASURE:
        pattern = _MEASURE.get(slot.quantity or "")
        return bool(pattern and any(m.group().lower() not in asked for m in pattern.finditer(sentence)))
    if slot.kind == PLACE:
        from ingest.countries import countries_in, is_city

        if slot.quantity == "country":
            return bool(set(countries_in(sentence)) - set(countries_in(question)))
        names = _names(sentence, question)  # never a country or its capital
        # a country answers "which region/place", not "which city/town/capital/venue"; a capital answers all
        nation = slot.quantity in _COUNTRY_PLACES
        asked = {stem(w) for w in words(question)}

        def answers(place: str) -> bool:
            if nation:
                return bool(set(countries_in(place)) - set(countries_in(question)))
            return is_city(place) and not all(stem(w) in asked for w in words(place))  # Belgrade, for Serbia

        return any(m.start(1) in {s for s, _ in names} or answers(m.group(1).removeprefix("the "))
                   for m in _LOCATIVE.finditer(sentence))
    if slot.kind == NAME:
        names = _names(sentence, question)
        if slot.quantity == "agent":
            asked_stems = _content_stems(question)
            # "who built it" is answered by whoever the sentence says did it, named or not ("by local masons")
            agents = [m.span(1) for m in _AGENT.finditer(sentence)
                      if not all(stem(w) in asked_stems for w in words(m.group(1)))]
            # ... or in the active voice, the word before the verb ("the council funds repairs")
            toks = list(re.finditer(r"[\w'’-]+", sentence))
            agents += [toks[i - 1].span() for i in range(1, len(toks))
                       if stem(toks[i].group().lower()) == slot.verb and toks[i - 1].group()[0].isalpha()
                       and not sentence[toks[i - 1].end():toks[i].start()].strip()
                       and toks[i - 1].group().lower() not in FUNCTION_WORDS | _AUX
                       and stem(toks[i - 1].group().lower()) not in asked_stems]
            names = names + agents
        return any(_near(sentence, s, e, slot.anchors, question, skip=tuple(names))
                   and not _role_is_foreign(sentence, s, e, slot, question) for s, e in names)
    if slot.kind == MONEY:
        values = [m.span() for m in _MONEY_VALUE.finditer(sentence) if m.group().lower() not in asked]
    else:
        money = [m.span() for m in _MONEY_VALUE.finditer(sentence)]
        values = [m.span() for m in _COUNT.finditer(sentence)
                  if m.group().lower() not in asked and not YEAR.fullmatch(m.group())
                  and not any(s <= m.start() < e for s, e in money)]
        if any(_near(sentence, s, e, slot.context, question) and _quantifies(sentence, e) for s, e in values):
            return True
    return any(not slot.anchors or _near(sentence, s, e, slot.anchors, question) for s, e in values)


def _quantifies(sentence: str, end: int) -> bool:
    """Whether the number ending at ``end`` is followed by the noun it counts ("47 personnel")."""
    m = re.match(r"\s+([A-Za-z][\w-]*)", sentence[end:])
    return bool(m) and m.group(1).lower() not in FUNCTION_WORDS


def speaks_for_itself(sentence: str) -> bool:
    """Whether the sentence is in the first person ("I add my own tribute ..."): its speaker is its subject."""
    return bool(_FIRST_PERSON.search(sentence))


def _role_is_foreign(sentence: str, start: int, end: int, slot: Slot, question: str) -> bool:
    """Every anchor word next to the name at ``start:end`` is qualified by another country."""
    near = [m.start() for m in re.finditer(r"[\w'’-]+", sentence)
            if stem(m.group().lower()) in slot.anchors and abs(m.start() - start) < 60]
    return bool(near) and all(_foreign_role(sentence, p, question) for p in near)


_ASKS_WHY = re.compile(r"^\s*(?:\w+\s+){0,2}?(?:why|how come)\b|\b(?:what|which)\s+(?:\w+\s+)?reasons?\b", re.I)
_CAUSAL = re.compile(r"\b(?:because|since|due to|owing to|as a result|so that|in order to|the reason)\b", re.I)


def gives_reason(sentence: str, question: str) -> bool:
    """A "why" question's answer in a sentence that says why: "... because the row permission rule becomes
    part of the WHERE clause"."""
    return bool(_ASKS_WHY.search(question)) and bool(_CAUSAL.search(sentence))


def supplies(sentence: str, kind: str | None, question: str) -> bool:
    """Whether a sentence that follows on from a quote gives the value the question asks for: one of
    ``kind`` that fills the question's slot where it names one ("How many potato farmers ...?" is not
    given by "$300 million worth of potatoes"). Never for a name: any capitalised word would do."""
    if kind in (None, NAME) or not holds(sentence, kind, question):
        return False
    slot = answer_slot(question)
    return slot is None or fills(sentence, slot, question)


# A question asking what a term means ("How does the paper define a column mask?", "What is meant by
# conditionality?", "What is a sinking fund?") and a sentence that defines it ("A column mask is a
# database object that ..."): general English patterns of definition, no term list.
_DEFINE_QS = tuple(re.compile(p, re.I) for p in (
    r"^\s*how\s+(?:does|do|did|would)\s+.{0,60}?\bdefines?\s+(?P<t>[^?]+?)\s*\??\s*$",
    r"^\s*what\s+(?:does|do|did)\s+(?:the\s+(?:term|word|phrase|expression)\s+)?(?P<t>[^?]+?)\s+mean\b",
    r"^\s*what\s+is\s+meant\s+by\s+(?P<t>[^?]+?)\s*\??\s*$",
    r"^\s*what\s+(?:is|are)\s+(?:a|an)\s+(?P<t>[^?]+?)\s*\??\s*$",
    r"\bdefinition\s+of\s+(?P<t>[^?]+?)\s*\??\s*$",
))
_TERM_TAIL = re.compile(r"\s+(?:in|according to|as used in|for)\s+(?:the|this|that|its)\b.*$", re.I)
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.I)


def defined_term(question: str) -> str | None:
    """The term a question asks the meaning of, or None: "How does the paper define a column mask?" ->
    "column mask"."""
    for pattern in _DEFINE_QS:
        m = pattern.search(question)
        if m:
            term = _LEADING_ARTICLE.sub("", _TERM_TAIL.sub("", m["t"].strip(" .!\"“”'‘’"))).strip()
            return term if 0 < len(term.split()) <= 5 else None
    return None


def defines(sentence: str, term: str | None) -> bool:
    """Whether ``sentence`` says what ``term`` is: "<term> is a/an/the ...", "<term> refers to/means ...",
    "defines <term> as ...", "<term> ... is defined as ..."."""
    if not term:
        return False
    t = r"\s+".join(re.escape(w) for w in term.split()) + r"(?:e?s)?"
    return bool(re.search(
        rf"\b{t}\b,?\s*(?:\([^)]*\)\s*)?(?:is|are)\s+(?:a|an|the|any|defined\s+as)\b|\b{t}\b\s+(?:refers?\s+to|means?)\b"
        rf"|\bdefined?s?\s+(?:(?:a|an|the)\s+)?{t}\s+as\b|\b{t}\b[^.;]{{0,40}}\bis\s+defined\s+as\b", sentence, re.I))
