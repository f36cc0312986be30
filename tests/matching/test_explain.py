"""A pupil's explanation is stored as a code with parameters and put into words in the
reader's language when it is read."""

from __future__ import annotations

import json

import pytest
from flask_babel import force_locale

from portal.matching.engine import Missed, Outcome, Step
from portal.matching.explain import explain, render


@pytest.fixture
def words(app):
    def in_language(code: str, explanation: dict) -> str:
        with app.test_request_context(), force_locale(code):
            # Stored as JSON: what is put into words is what comes back from the database.
            return render(json.loads(json.dumps(explanation)))
    return in_language


def test_second_choice_with_every_reason(words):
    outcome = Outcome("s", "p3", 3, Step.FIRST, (
        Missed("p1", 1, "full", 1, worst_admitted=(0, 4)),
        Missed("p2", 2, "needs", 2, missing_needs=frozenset({"step_free"})),
    ))
    explanation = explain(outcome, priority=0, lottery=9, had_wishes=True)
    assert explanation["code"] == "got_choice"
    assert words("sv", explanation) == (
        "Du fick ditt tredje val. Ditt första val hade 1 plats och den gick till en elev med "
        "lägre lottnummer än ditt. Ditt andra val passade inte dina behov. Ditt lottnummer "
        "var 9.")
    assert words("en", explanation) == (
        "You got your third choice. Your first choice had 1 place and it went to a pupil "
        "with a lower lottery number than yours. Your second choice did not suit your needs. "
        "Your lottery number was 9.")


def test_unplaced_behind_pupils_with_priority(words):
    outcome = Outcome("s", None, None, None, (
        Missed("p1", 1, "full", 3, worst_admitted=(0, 2)),
        Missed("p2", 2, "full", 0),
    ))
    explanation = explain(outcome, priority=1, lottery=40, had_wishes=True)
    assert words("en", explanation) == (
        "Your first choice had 3 places and they went to pupils with priority or lower "
        "lottery numbers than yours. Your second choice had no free places left. Your "
        "lottery number was 40. Your careers counsellor will help you find a "
        "placement.")
    assert words("sv", explanation).startswith(
        "Ditt första val hade 3 platser och de gick till elever med förtur eller lägre "
        "lottnummer än ditt.")


def test_second_step_seat_in_a_wished_sector(words):
    outcome = Outcome("s", "p9", None, Step.SECOND, (Missed("p1", 1, "full", 0),))
    explanation = explain(outcome, 0, 5, had_wishes=True, sector_wished=True)
    assert words("en", explanation).startswith(
        "Your choices were full, so you got a free placement that suits you in a sector you "
        "wished for.")
    no_wishes = explain(Outcome("s", "p9", None, Step.SECOND, ()), 0, 5, had_wishes=False)
    assert words("sv", no_wishes) == ("Du hade inga önskemål, så du fick en ledig plats som "
                                      "passar dig.")


def test_no_wishes_and_no_place_says_whether_the_second_round_ran(words):
    """Only the second round gives a pupil without wishes a free place: without it, the
    pupil is not told that nothing fitted."""
    nothing = Outcome("s", None, None, None, ())
    after_both = explain(nothing, 0, 5, had_wishes=False)
    assert words("sv", after_both).startswith(
        "Du hade inga önskemål och det fanns ingen ledig plats som passade.")
    first_only = explain(nothing, 0, 5, had_wishes=False, second_step=False)
    assert words("sv", first_only) == (
        "Du hade inga önskemål. Platserna fördelades bara efter elevernas önskemål. Andra "
        "omgången, där elever utan önskemål får en ledig plats som passar, har inte gjorts, "
        "så du har inte fått någon plats än. Din studie- och yrkesvägledare hjälper dig.")
    assert words("en", first_only) == (
        "You had no wishes. The placements were shared out by the pupils' wishes only. The "
        "second round, in which pupils without wishes get a free placement that suits them, "
        "has not been run, so you have not been given a placement yet. Your careers "
        "counsellor will help you.")


def test_rounds_stored_before_codes_keep_their_swedish_words(words):
    old = {"code": "text", "params": {"text": "Du fick ditt förstahandsval."}}
    assert words("en", old) == "Du fick ditt förstahandsval."
    assert words("en", {}) == ""
