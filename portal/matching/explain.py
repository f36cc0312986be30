"""Why a pupil got what they got, written for a 14-year-old.

An explanation is stored as a code with its parameters (`explain` builds it from the engine's
outcome), and put into words only when someone reads it (`render`), in the reader's language:
the pupil on their own page, the counsellor on the round's page, the email in Swedish.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.matching.engine import Missed, Outcome

Explanation = dict[str, Any]
"""{"code": "...", "params": {...}}: JSON, stored with the pupil's result."""


def _code(code: str, **params: Any) -> Explanation:
    return {"code": code, "params": params}


def _missed(missed: Missed, priority: int) -> dict[str, Any]:
    if missed.reason == "needs":
        why = "needs"
    elif missed.capacity == 0 or missed.worst_admitted is None:
        why = "no_seats"
    else:
        # Everyone let in was ahead: by the lottery alone when they shared the pupil's tier.
        why = "lottery" if missed.worst_admitted[0] == priority else "priority"
    return {"rank": missed.rank, "why": why, "seats": missed.capacity}


def explain(outcome: Outcome, priority: int, lottery: int, had_wishes: bool,
            sector_wished: bool = False, second_step: bool = True) -> Explanation:
    """What the pupil got and, for each better wish, why not. `second_step` False: the
    round ran its first step only, so nobody was given a free place yet."""
    missed = [_missed(m, priority) for m in outcome.missed]
    if outcome.placement is not None and outcome.rank is not None:
        if outcome.rank == 1:
            return _code("first_choice")
        return _code("got_choice", rank=outcome.rank, missed=missed, lottery=lottery)
    if outcome.placement is not None:
        return _code("free_seat", had_wishes=had_wishes, sector_wished=sector_wished,
                     missed=missed, lottery=lottery)
    if not had_wishes:
        # Only the second step places a pupil without wishes: a round without it never
        # looked for a free place that fits, and must not say that none did.
        return _code("unplaced_no_wishes" if second_step else "no_wishes_first_step")
    return _code("unplaced", missed=missed, lottery=lottery)


def moved_by_hand() -> Explanation:
    return _code("moved_by_hand")


def removed_by_hand() -> Explanation:
    return _code("removed_by_hand")


def no_longer_needed() -> Explanation:
    """Publishing found the pupil with an own placement (or exempt) since the round ran."""
    return _code("no_longer_needed")


# --- in words ------------------------------------------------------------------------------

def render(explanation: Explanation | None) -> str:
    """The explanation in the current language (Flask-Babel's locale)."""
    if not explanation:
        return ""
    code, params = explanation.get("code", ""), explanation.get("params") or {}
    if code == "text":  # a round stored before explanations had codes: Swedish as it was
        return str(params.get("text", ""))
    if code in ("got_choice", "free_seat", "unplaced"):
        return _with_reasons(code, params)
    return _fixed(code)


def _fixed(code: str) -> str:
    if code == "first_choice":
        return _("Du fick ditt förstahandsval.")
    if code == "unplaced_no_wishes":
        return _("Du hade inga önskemål och det fanns ingen ledig plats som passade. Din "
                 "studie- och yrkesvägledare hjälper dig.")
    if code == "no_wishes_first_step":
        return _("Du hade inga önskemål. Platserna fördelades bara efter elevernas önskemål. "
                 "Andra omgången, där elever utan önskemål får en ledig plats som passar, har "
                 "inte gjorts, så du har inte fått någon plats än. Din studie- och "
                 "yrkesvägledare hjälper dig.")
    if code == "moved_by_hand":
        return _("Din studie- och yrkesvägledare har valt den här platsen åt dig.")
    if code == "removed_by_hand":
        return _("Din studie- och yrkesvägledare hjälper dig att hitta en plats.")
    if code == "no_longer_needed":
        return _("Du hade redan en praoplats eller var befriad från prao när rundan "
                 "publicerades.")
    return ""


def _with_reasons(code: str, params: dict[str, Any]) -> str:
    """What the pupil got, why each better wish went to others, and the lottery number."""
    if code == "got_choice":
        parts = [_("Du fick ditt %(ordinal)s val.", ordinal=ordinal(params["rank"]))]
    elif code == "free_seat":
        parts = [_free_seat(params)]
    else:
        parts = []
    missed = params.get("missed") or []
    parts += [_why_missed(m) for m in missed]
    if missed:
        parts.append(_("Ditt lottnummer var %(n)d.", n=params["lottery"]))
    if code == "unplaced":
        parts.append(_("Din studie- och yrkesvägledare hjälper dig att hitta en plats."))
    return " ".join(parts)


def ordinal(rank: int) -> str:
    names = {1: _("första"), 2: _("andra"), 3: _("tredje"), 4: _("fjärde"), 5: _("femte")}
    return names.get(rank) or _("%(n)d:e", n=rank)


def _free_seat(params: dict[str, Any]) -> str:
    if not params.get("had_wishes"):
        return _("Du hade inga önskemål, så du fick en ledig plats som passar dig.")
    if params.get("sector_wished"):
        return _("Dina val var fulla, så du fick en ledig plats som passar dig i en bransch "
                 "du önskade.")
    return _("Dina val var fulla, så du fick en ledig plats som passar dig.")


def _why_missed(missed: dict[str, Any]) -> str:
    which, seats = ordinal(missed["rank"]), missed["seats"]
    if missed["why"] == "needs":
        return _("Ditt %(ordinal)s val passade inte dina behov.", ordinal=which)
    if missed["why"] == "no_seats":
        return _("Ditt %(ordinal)s val hade inga lediga platser kvar.", ordinal=which)
    if missed["why"] == "priority":
        return ngettext(
            "Ditt %(ordinal)s val hade %(num)d plats och den gick till en elev med förtur "
            "eller lägre lottnummer än ditt.",
            "Ditt %(ordinal)s val hade %(num)d platser och de gick till elever med förtur "
            "eller lägre lottnummer än ditt.", seats, ordinal=which)
    return ngettext(
        "Ditt %(ordinal)s val hade %(num)d plats och den gick till en elev med lägre "
        "lottnummer än ditt.",
        "Ditt %(ordinal)s val hade %(num)d platser och de gick till elever med lägre "
        "lottnummer än ditt.", seats, ordinal=which)
