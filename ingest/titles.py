"""Titles written before a person's name ("Mr Chong", "Dr. Smith", "Baroness Anelay"): general English,
lower-case, without the full stop. Each reader of names adds the words its own job needs (speaker labels
add "the" and "Councillor"; a follow-up question adds offices such as "President")."""

from __future__ import annotations

PERSON_TITLES = frozenset("mr mrs ms miss mx dr prof sir dame lord lady baroness baron earl viscount duke".split())
