"""Password rules after NIST SP 800-63B: length and a block list, no composition rules."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from flask_babel import gettext as _
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128
CONTEXT_WORDS = ("praoportalen", "praoportal", "prao")


@lru_cache(maxsize=1)
def blocked_passwords() -> frozenset[str]:
    """Common passwords: zxcvbn's 30,000 most used, and a Swedish list of our own."""
    swedish = resources.files("portal.data").joinpath("common_passwords_sv.txt")
    words = {line.strip().lower() for line in swedish.read_text(encoding="utf-8").splitlines()}
    words.update(FREQUENCY_LISTS["passwords"])
    words.discard("")
    return frozenset(words)


def _stem(password: str) -> str:
    """A common password with digits or symbols tacked on is still a common password."""
    return re.sub(r"[\W\d_]+$", "", re.sub(r"^[\W\d_]+", "", password.lower()))


def _is_repetitive(password: str) -> bool:
    if len(set(password)) <= 3:
        return True
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1}


def _mostly_context(password: str, email: str) -> bool:
    """Built on the service's name or the user's address, with little else added."""
    rest = password.lower()
    local = email.split("@", 1)[0].lower()
    for word in (local, *CONTEXT_WORDS):
        if len(word) >= 4:
            rest = rest.replace(word, "")
    found = rest != password.lower()
    return found and len(re.sub(r"[\W\d_]", "", rest)) < 8


def password_problem(password: str, email: str = "") -> str | None:
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
    if _mostly_context(password, email):
        return _("Lösenordet bygger på din e-postadress eller portalens namn. "
                 "Välj ett annat.")
    return None
