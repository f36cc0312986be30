"""Password rules after NIST SP 800-63B: length, a block list, and no sequences, keyboard
walks or repeated words (zxcvbn, told the user's own name and address, the portal's name
and common Swedish words); no composition rules."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

from flask_babel import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's score: 3 is "safely unguessable" (at least 10^8 guesses), 4 "very unguessable".
MIN_SCORE = 3
CONTEXT_WORDS = ("praoportalen", "praoportal", "prao")


@lru_cache(maxsize=1)
def blocked_passwords() -> frozenset[str]:
    """Common passwords: zxcvbn's 30,000 most used, and a Swedish list of our own."""
    swedish = resources.files("portal.data").joinpath("common_passwords_sv.txt")
    words = {line.strip().lower() for line in swedish.read_text(encoding="utf-8").splitlines()}
    words.update(FREQUENCY_LISTS["passwords"])
    words.discard("")
    return frozenset(words)


def _data_words(name: str) -> list[str]:
    text = resources.files("portal.data").joinpath(name).read_text(encoding="utf-8")
    return [w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")]


@lru_cache(maxsize=1)
def swedish_words() -> tuple[str, ...]:
    """Words zxcvbn does not know (its dictionaries are English): our own list first, then
    the words of the Swedish common-password list."""
    words = _data_words("password_words_sv.txt")
    words += [w for w in _data_words("common_passwords_sv.txt") if w.isalpha()]
    return tuple(dict.fromkeys(words))


def _personal_words(email: str, name: str) -> list[str]:
    """The user's own name and address, whole and in parts, and the portal's name."""
    local = email.split("@", 1)[0].lower()
    parts = re.split(r"[\W_]+", f"{local} {name.lower()}")
    return [w for w in (email.lower(), local, *parts, *CONTEXT_WORDS) if len(w) >= 3]


def _stem(password: str) -> str:
    """A common password with digits or symbols tacked on is still a common password."""
    return re.sub(r"[\W\d_]+$", "", re.sub(r"^[\W\d_]+", "", password.lower()))


def _is_repetitive(password: str) -> bool:
    if len(set(password)) <= 3:
        return True
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1}


def _mostly_context(password: str, email: str, name: str = "") -> bool:
    """Built on the service's name or the user's own name or address, little else added."""
    rest = password.lower()
    for word in sorted(_personal_words(email, name), key=len, reverse=True):
        if len(word) >= 4:
            rest = rest.replace(word, "")
    found = rest != password.lower()
    return found and len(re.sub(r"[\W\d_]", "", rest)) < 8


def _repeats_a_word(password: str) -> bool:
    """A word said twice with little else ("sommar2026sommar") is no stronger than once."""
    words = Counter(re.findall(r"[^\W\d_]{3,}", password.lower()))
    repeated = [w for w, n in words.items() if n > 1]
    if not repeated:
        return False
    rest = sum(len(w) * n for w, n in words.items() if w not in repeated)
    return rest < 8


def _weakness(result: dict[str, Any], personal: set[str]) -> str:
    """Why zxcvbn finds the password easy to guess, from the patterns it found in it."""
    found = {m["pattern"] for m in result["sequence"]}
    if "repeat" in found:
        return _("Lösenordet upprepar samma tecken eller ord. Välj ett annat, gärna en "
                 "mening med flera ord.")
    if "sequence" in found:
        return _("Lösenordet innehåller en enkel följd, som 1234 eller abcd. Välj ett annat, "
                 "gärna en mening med flera ord.")
    if "spatial" in found:
        return _("Lösenordet är ett mönster på tangentbordet, som qwerty eller asdf. Välj "
                 "ett annat, gärna en mening med flera ord.")
    words = [m for m in result["sequence"] if m["pattern"] == "dictionary"]
    if any(m["matched_word"] in personal for m in words):
        return _("Lösenordet bygger på ditt namn, din e-postadress eller portalens namn. "
                 "Välj ett annat.")
    if words:
        return _("Lösenordet består mest av vanliga ord, namn eller lösenord som är lätta "
                 "att gissa. Lägg till fler ord, gärna ovanliga.")
    return _("Lösenordet är för lätt att gissa, till exempel för att det mest består av "
             "årtal eller datum. Välj ett längre, gärna en mening med flera ord.")


def _too_guessable(password: str, email: str, name: str) -> str | None:
    personal = _personal_words(email, name)
    result = zxcvbn(password, user_inputs=[*personal, *swedish_words()],
                    max_length=MAX_LENGTH)
    if result["score"] >= MIN_SCORE:
        return None
    return _weakness(result, set(personal))


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Return the first reason the password is refused, in the user's language, or None."""
    if len(password) < MIN_LENGTH:
        return _("Lösenordet måste ha minst %(n)d tecken.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Lösenordet får ha högst %(n)d tecken.", n=MAX_LENGTH)
    blocked = blocked_passwords()
    if password.lower() in blocked or _stem(password) in blocked:
        return _("Lösenordet är för vanligt och lätt att gissa. Välj ett annat, "
                      "gärna en mening med flera ord.")
    if _is_repetitive(password):
        return _("Lösenordet består av upprepade tecken eller en enkel följd. "
                 "Välj ett annat.")
    if _mostly_context(password, email, name):
        return _("Lösenordet bygger på ditt namn, din e-postadress eller portalens namn. "
                 "Välj ett annat.")
    if _repeats_a_word(password):
        return _("Lösenordet upprepar samma ord. Välj ett annat, gärna en mening med "
                 "flera olika ord.")
    return _too_guessable(password, email, name)
