"""Password rules after NIST SP 800-63B: length and a block list, no composition rules."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from flask_babel import lazy_gettext as _l
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


def _contains_context(password: str, email: str) -> bool:
    lowered = password.lower()
    local = email.split("@", 1)[0].lower()
    words = [*CONTEXT_WORDS, local] if len(local) >= 4 else list(CONTEXT_WORDS)
    return any(word in lowered for word in words)


def password_problem(password: str, email: str = "") -> str | None:
    """Return the first reason the password is refused, in the user's language, or None."""
    if len(password) < MIN_LENGTH:
        return str(_l("Lösenordet måste ha minst %(n)d tecken.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Lösenordet får ha högst %(n)d tecken.", n=MAX_LENGTH))
    blocked = blocked_passwords()
    if password.lower() in blocked or _stem(password) in blocked:
        return str(_l("Lösenordet är för vanligt och lätt att gissa. Välj ett annat, "
                      "gärna en mening med flera ord."))
    if _is_repetitive(password):
        return str(_l("Lösenordet består av upprepade tecken eller en enkel följd. Välj ett annat."))
    if _contains_context(password, email):
        return str(_l("Lösenordet får inte innehålla din e-postadress eller portalens namn."))
    return None
