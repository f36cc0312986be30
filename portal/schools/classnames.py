"""A class's name as the portal keeps it, so that one class is one class: "8c", " 8C ",
"8 c" and "８Ｃ" are all 8C. Pure (no Flask): the pupil import reads its files by it, the
class list's filter finds a class by it, and migration 0030 (a frozen copy) tidied the
names stored before."""

from __future__ import annotations

import re
import unicodedata

# "8 c" is 8C; "Lila grupp" keeps its space (upper-cased: LILA GRUPP).
_SPACE_AFTER_YEAR = re.compile(r"(?<=\d) (?=[^\W\d_])")


def class_name(text: str) -> str:
    """NFKC, trimmed, each run of spaces one space, none between a year and its letter,
    letters upper-cased (a letter whose capital is two, as ß, is kept: the name keeps its
    length, which the column limits)."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    text = _SPACE_AFTER_YEAR.sub("", text)
    return "".join(upper if len(upper := char.upper()) == 1 else char for char in text)
