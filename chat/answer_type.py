"""What kind of answer a question expects, and whether a sentence holds one (pure).

"How many ...?" wants a number, "When ...?" a date, "Who ...?" a name. A
sentence on the topic that holds no such thing does not answer the
question: "In what year did Croatia join the EU?" is not answered by
"Croatia and Slovenia have joined the EU." The cues are English question
words, general to any corpus.
"""

from __future__ import annotations

import re

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
# Question openings -> expected answer type, most specific first.
_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*(?:on |by |until )?(?:what|which) date\b", re.I), DAY),
    (re.compile(r"^\s*(?:in |on |since |by |until )?(?:what|which) (?:year|month|day|decade|century)\b", re.I), DATE),
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
