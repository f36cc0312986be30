"""The employer's averages keep the pupil's promise, "Arbetsplatsen ser aldrig vad just du
har svarat": no visit, nor two visits put side by side, gives one pupil's answer."""

from __future__ import annotations

import re

from portal.feedback import services
from portal.feedback.models import Audience
from portal.prao.services import Actor
from tests import factories
from tests.conftest import login
from tests.feedback.support import AFTER, PUPIL_ANSWERS, finished

ROW = re.compile(r'Jag fick göra riktiga arbetsuppgifter</th><td class="text-end">([^<]*)</td>'
                 r'<td class="text-end">([^<]*)</td>')


def _pupils(world, organisation, count, school=None):
    placement = factories.PlacementFactory(organisation=organisation)
    school = school or world.school_a
    first = finished(placement, school)
    return [first, *(finished(placement, school, period=first.enrolment.period)
                     for _ in range(count - 1))]


def _answer(assignment, real_tasks):
    form = services.current_form(Audience.PUPIL)
    services.submit(assignment, Audience.PUPIL, form,
                    {**PUPIL_ANSWERS, "real_tasks": str(real_tasks)}, Actor(None, "test"))


def _row(client):
    page = client.get("/arbetsgivare/utvarderingar").get_data(as_text=True)
    found = ROW.search(page)
    assert found, page
    return found.groups(), page


def test_a_sixth_answer_changes_nothing_the_employer_sees_until_the_tenth(client, db, world,
                                                                        set_clock):
    """Before: 'Medelvärde 4,0 of 5 answers', then '4,2 of 6' gave the sixth pupil's 5."""
    pupils = _pupils(world, world.organisation_a, 10)
    db.session.commit()
    set_clock(AFTER)
    for pupil, score in zip(pupils[:5], (4, 4, 4, 4, 4), strict=True):
        _answer(pupil, score)
    login(client, world.users["employer"].email)
    five, page = _row(client)
    _answer(pupils[5], 5)
    six, again = _row(client)
    assert six == five and "Medelvärden av 5 elevers svar" in again
    assert five == ("4", "5") and "Nya svar räknas in 5 åt gången" in page
    for pupil in pupils[6:9]:
        _answer(pupil, 5)
    assert _row(client)[0] == five
    _answer(pupils[9], 5)
    ten, page = _row(client)
    # (5 * 4 + 5 * 5) / 10 = 4.5, shown as 5: ten answers, five of them new at once
    assert ten == ("5", "10") and "Medelvärden av 10 elevers svar" in page


def test_five_answers_alike_are_not_told_from_five_that_differ(client, db, world, set_clock):
    """Before: 5,0 over five answers said each of the five pupils had answered 5."""
    alike = _pupils(world, world.organisation_a, 5)
    differ = _pupils(world, world.organisation_b, 5, world.school_b)
    db.session.commit()
    set_clock(AFTER)
    for pupil in alike:
        _answer(pupil, 5)
    for pupil, score in zip(differ, (5, 5, 5, 5, 3), strict=True):
        _answer(pupil, score)
    summaries = [services.employer_summary(o.id, "sv")
                 for o in (world.organisation_a, world.organisation_b)]
    assert summaries[0].averages == summaries[1].averages
    login(client, world.users["employer"].email)
    assert _row(client)[0] == ("5", "5")


def _known_groups(sums: list[set[int]]) -> list[set[int]]:
    """What each group of five can sum to, given the running sums each visit allows."""
    alive = [set(s) for s in sums]
    for k in range(len(alive) - 1, 0, -1):
        alive[k - 1] = {s for s in alive[k - 1] if any(s + b in alive[k] for b in range(5, 26))}
    return [{t - s for s in before for t in now if 5 <= t - s <= 25}
            for before, now in zip([{0}, *alive[:-1]], alive, strict=True)]


def _pinned(show, groups: int) -> list[tuple[int, ...]]:
    """Every sequence of what an employer sees at 5, 10, ... answers (the average as `show`
    writes it) under which some group of five answers is known to sum to 5 or 25: each of
    its five answers 1, or each 5. A walk over the possible running sums."""
    found = []

    def walk(seen: tuple[int, ...], sums: list[set[int]]) -> None:
        if len(seen) == groups:
            if any(group in ({5}, {25}) for group in _known_groups(sums)):
                found.append(seen)
            return
        answers = 5 * (len(seen) + 1)
        following: dict[int, set[int]] = {}
        for total in sums[-1] if sums else {0}:
            for group in range(5, 26):
                following.setdefault(show(total + group, answers), set()).add(total + group)
        for shown, totals in following.items():
            walk((*seen, shown), [*sums, totals])

    walk((), [])
    return found


def test_whole_numbers_pin_no_group_of_five_however_many_visits_are_compared():
    assert _pinned(services.whole_score, 6) == []
    # What the page showed before (one decimal) pins five answers of 5 at the first visit,
    # and halves pin some once two visits are compared: why whole numbers.
    assert (50,) in _pinned(lambda total, answers: (20 * total + answers) // (2 * answers), 1)
    assert _pinned(lambda total, answers: (4 * total + answers) // (2 * answers), 2)
