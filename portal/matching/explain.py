"""Plain Swedish explanations of a matching outcome, written for a 14-year-old. Pure."""

from __future__ import annotations

from portal.matching.engine import Missed, Outcome

ORDINALS = {1: "första", 2: "andra", 3: "tredje", 4: "fjärde", 5: "femte"}


def ordinal(rank: int) -> str:
    return ORDINALS.get(rank, f"{rank}:e")


def _seats(capacity: int) -> str:
    return "1 plats" if capacity == 1 else f"{capacity} platser"


def _why_missed(missed: Missed, priority: int) -> str:
    which = f"Ditt {ordinal(missed.rank)} val"
    if missed.reason == "needs":
        return f"{which} passade inte dina behov."
    if missed.capacity == 0 or missed.worst_admitted is None:
        return f"{which} hade inga lediga platser kvar."
    ahead = ("elever med lägre lottnummer än ditt" if missed.worst_admitted[0] == priority
             else "elever med förtur eller lägre lottnummer än ditt")
    return f"{which} hade {_seats(missed.capacity)} och de gick till {ahead}."


def explain(outcome: Outcome, priority: int, lottery: int, had_wishes: bool,
            sector_wished: bool = False) -> str:
    """One short paragraph: what the pupil got and, for each better wish, why not."""
    reasons = " ".join(_why_missed(m, priority) for m in outcome.missed)
    lot = f"Ditt lottnummer var {lottery}."
    if outcome.placement is not None and outcome.rank is not None and not outcome.second_round:
        head = ("Du fick ditt förstahandsval." if outcome.rank == 1
                else f"Du fick ditt {ordinal(outcome.rank)} val.")
        return " ".join(part for part in (head, reasons, lot if reasons else "") if part)
    if outcome.placement is not None:
        where = " i en bransch du önskade" if sector_wished else ""
        head = ("Du hade inga önskemål, så du fick en ledig plats som passar dig"
                f"{where}." if not had_wishes else
                f"Dina val var fulla, så du fick en ledig plats som passar dig{where}.")
        return " ".join(part for part in (head, reasons, lot if reasons else "") if part)
    if not had_wishes:
        return ("Du hade inga önskemål och det fanns ingen ledig plats som passade. Din studie- "
                "och yrkesvägledare hjälper dig.")
    return " ".join((reasons, lot, "Din studie- och yrkesvägledare hjälper dig att hitta "
                     "en plats."))


def moved_by_hand() -> str:
    return "Din studie- och yrkesvägledare har valt den här platsen åt dig."
