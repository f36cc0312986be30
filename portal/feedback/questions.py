"""The first version of each audience's questions (what a database without them starts
from), and the rules a question list keeps. Pure Python: the labels are data in two
languages (a coordinator edits them), not msgids."""

from __future__ import annotations

import re
from typing import Any

from portal.feedback.models import Audience, QuestionKind

L, T, Y = QuestionKind.LIKERT.value, QuestionKind.TEXT.value, QuestionKind.YESNO.value

# The keys the portal itself reads: the supervisor's statement goes on the certificate,
# "again next term" offers the roll-over, "recommend" is the pupils' headline.
STATEMENT = "statement"
AGAIN = "again_next_term"
RECOMMEND = "recommend"
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}\Z")
MAX_QUESTIONS = 30
MAX_LABEL = 300


def _q(key: str, kind: str, sv: str, en: str) -> dict[str, Any]:
    return {"key": key, "kind": kind, "label_sv": sv, "label_en": en}


FIRST_VERSION: dict[Audience, list[dict[str, Any]]] = {
    Audience.PUPIL: [
        _q("real_tasks", L, "Jag fick göra riktiga arbetsuppgifter",
           "I did real tasks"),
        _q("learnt_job", L, "Jag lärde mig hur det är att jobba där",
           "I learnt what the job is like"),
        _q("safe_welcome", L, "Jag kände mig trygg och välkommen",
           "I felt safe and welcome"),
        _q("prepared", L, "Skolan hade förberett mig bra", "I was well prepared by my school"),
        _q(RECOMMEND, L, "Jag skulle rekommendera arbetsplatsen till en kompis",
           "I would recommend this workplace to a friend"),
        _q("imagine_sector", L, "Jag kan tänka mig att jobba i den här branschen",
           "I could imagine working in this sector"),
        _q("comment", T, "Vill du berätta något mer?", "Anything else you want to tell us?"),
    ],
    # Statements, like the pupil's, for the one scale "1 = stämmer inte alls … 5 = stämmer
    # helt". A database made by the migrations asked nouns in its version 1 and has these
    # as a later version (migration 0029); a key keeps its meaning across versions.
    Audience.EMPLOYER: [
        _q("punctuality", L, "Eleven kom i tid", "The pupil was on time"),
        _q("interest", L, "Eleven visade intresse för arbetet",
           "The pupil showed interest in the work"),
        _q("initiative", L, "Eleven tog egna initiativ", "The pupil took initiative"),
        _q("cooperation", L, "Eleven samarbetade bra med oss",
           "The pupil worked well with us"),
        _q("school_preparation", L, "Skolan hade förberett eleven bra",
           "The school had prepared the pupil well"),
        _q("school_contact", L, "Kontakten med skolan fungerade bra",
           "The contact with the school worked well"),
        _q(STATEMENT, T, "Ett kort omdöme till elevens praointyg (frivilligt)",
           "A short statement for the pupil's certificate (optional)"),
        _q(AGAIN, Y, "Vill ni ta emot praoelever igen nästa termin?",
           "Will you take prao pupils again next term?"),
    ],
}


def label(question: dict[str, Any], language: str) -> str:
    """The question in the reader's language; Swedish when no English was written."""
    return str(question.get(f"label_{language}") or question.get("label_sv") or "")


def likert_keys(questions: list[dict[str, Any]]) -> list[str]:
    return [q["key"] for q in questions if q["kind"] == L]


def problems(questions: list[dict[str, Any]], audience: Audience) -> dict[int, str]:
    """Row index -> what is wrong (a msgid key of PROBLEMS); {} when the list may be saved."""
    found: dict[int, str] = {}
    seen: set[str] = set()
    for index, question in enumerate(questions):
        key = question["key"]
        if not KEY_RE.match(key):
            found[index] = "key"
        elif key in seen:
            found[index] = "duplicate"
        seen.add(key)
    fixed = {STATEMENT: T, AGAIN: Y} if audience is Audience.EMPLOYER else {}
    for key, kind in fixed.items():
        rows = [i for i, q in enumerate(questions) if q["key"] == key]
        if rows and questions[rows[0]]["kind"] != kind:
            found[rows[0]] = "fixed_kind"
    return found
