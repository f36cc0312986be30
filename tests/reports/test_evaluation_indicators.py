"""The evaluation indicators on a hand-made region whose right answers are worked out here.

School A (period 15–26 March 2027):
  p1 wish rank 1 at X, answers real_tasks 3 and 5 to the other five statements;
     supervisor: punctuality 5, the other five 4
  p2 wish rank 2 at X, answers 4 to all six
  p3 wish rank 4 at Y, answers 2 to all six
  p4 placed by hand at Y (no wish), answers 3 to all six
  p7 declined at Y, with a stray answer of 1s: not counted (never took place)
  p9 at Y in a period still to come (May): its evaluation has not opened
School B:
  p5 own placement at Z, answers 1 to all six
  p6 wish rank 1 at Y, pupil silent; supervisor answers 2 to all six
p8 at X in the school year before, answers 1s: outside the scope.
"""

from __future__ import annotations

from datetime import date

import pytest

from portal.feedback import services
from portal.feedback.models import Audience, FeedbackAnswer, FeedbackResponse
from portal.prao.models import AssignmentSource, AssignmentState
from portal.reports.indicators import evaluations as ind
from portal.reports.tables import Scope
from portal.schools.models import Wish
from tests import factories
from tests.feedback.support import AFTER

PUPIL_KEYS = ["real_tasks", "learnt_job", "safe_welcome", "prepared", "recommend",
              "imagine_sector"]
EMPLOYER_KEYS = ["punctuality", "interest", "initiative", "cooperation", "school_preparation",
                 "school_contact"]
SCOPE = Scope(2026)


def _answer(db, assignment, audience, scores):
    form = services.current_form(audience)
    response = FeedbackResponse(assignment_id=assignment.id, audience=audience,
                                form_id=form.id, submitted_by_label="test")
    response.answers = [FeedbackAnswer(question_key=k, score=v) for k, v in scores.items()]
    db.session.add(response)


def _pupil(period, placement, rank=None, state=AssignmentState.CONFIRMED,
           source=AssignmentSource.MATCHING, own=False):
    enrolment = factories.EnrolmentFactory(period=period, state="assigned")
    offer = None if own else factories.PlacementOfferFactory(placement=placement,
                                                             seats_taken=1)
    assignment = factories.AssignmentFactory(enrolment=enrolment, offer=offer,
                                             placement=placement, state=state, source=source)
    if rank is not None:
        enrolment.wishes.append(Wish(offer=offer, rank=rank))
    return assignment


@pytest.fixture
def region(db, world, set_clock):
    set_clock(AFTER)
    a = factories.PraoPeriodFactory(school=world.school_a)
    b = factories.PraoPeriodFactory(school=world.school_b)
    later = factories.PraoPeriodFactory(school=world.school_a, first_day=date(2027, 5, 10),
                                        last_day=date(2027, 5, 21))
    before = factories.PraoPeriodFactory(school=world.school_a, first_day=date(2026, 3, 16),
                                         last_day=date(2026, 3, 27))
    x = factories.PlacementFactory(organisation=factories.OrganisationFactory(name="X AB"))
    y = factories.PlacementFactory(organisation=factories.OrganisationFactory(name="Y AB"))
    z = factories.PlacementFactory(organisation=factories.OrganisationFactory(name="Z AB"))
    p1, p2 = _pupil(a, x, rank=1), _pupil(a, x, rank=2)
    p3, p4 = _pupil(a, y, rank=4), _pupil(a, y, source=AssignmentSource.MANUAL)
    p5 = _pupil(b, z, source=AssignmentSource.OWN, own=True)
    p6 = _pupil(b, y, rank=1)
    p7 = _pupil(a, y, rank=1, state=AssignmentState.DECLINED)
    p8 = _pupil(before, x, rank=1)
    _pupil(later, y, rank=1)
    db.session.flush()
    _answer(db, p1, Audience.PUPIL, {**dict.fromkeys(PUPIL_KEYS, 5), "real_tasks": 3})
    for pupil, value in ((p2, 4), (p3, 2), (p4, 3), (p5, 1), (p7, 1), (p8, 1)):
        _answer(db, pupil, Audience.PUPIL, dict.fromkeys(PUPIL_KEYS, value))
    _answer(db, p1, Audience.EMPLOYER, {**dict.fromkeys(EMPLOYER_KEYS, 4), "punctuality": 5})
    _answer(db, p6, Audience.EMPLOYER, dict.fromkeys(EMPLOYER_KEYS, 2))
    db.session.commit()


def _cells(table, column=0):
    return {row.key: (row.cells[column].value, row.cells[column].n) for row in table.rows}


def test_pupil_averages_per_statement(region):
    table = ind.pupil_averages(SCOPE)
    found = _cells(table)
    # real_tasks: (3 + 4 + 2 + 3 + 1) / 5; every other statement (5 + 4 + 2 + 3 + 1) / 5
    assert found["real_tasks"] == (pytest.approx(2.6), 5)
    assert found["recommend"] == (pytest.approx(3.0), 5)
    assert list(found) == PUPIL_KEYS  # in the form's order, labelled with its words
    assert table.rows[0].label == "Jag fick göra riktiga arbetsuppgifter"
    assert (table.headline.value, table.headline.n) == (pytest.approx(3.0), 5)


def test_the_statements_are_read_in_english_in_the_english_report(region, client, login_as):
    """The coordinator writes each statement in both languages: the English report, its
    charts and its downloads use the English."""
    login_as("council")
    client.get("/sprak/en")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert page.count("I did real tasks") >= 2  # the averages' and the distribution's tables
    assert "Jag fick göra riktiga arbetsuppgifter" not in page
    csv = client.get("/rapporter/evaluation_pupil_averages.csv?lasar=2026")
    assert "I did real tasks" in csv.get_data(as_text=True)
    client.get("/sprak/sv")
    assert "Jag fick göra riktiga arbetsuppgifter" in client.get(
        "/rapporter?lasar=2026").get_data(as_text=True)


def test_employer_averages_per_statement(region):
    found = _cells(ind.employer_averages(SCOPE))
    assert found["punctuality"] == (pytest.approx(3.5), 2)  # (5 + 2) / 2
    assert found["interest"] == (pytest.approx(3.0), 2)  # (4 + 2) / 2


def test_distribution_per_statement(region):
    table = ind.pupil_distribution(SCOPE)
    by_key = {row.key: [c.value for c in row.cells] for row in table.rows}
    assert by_key["real_tasks"] == [1, 1, 2, 1, 0]  # p5; p3; p1 and p4; p2; nobody
    assert by_key["recommend"] == [1, 1, 1, 1, 1]
    employers = {row.key: [c.value for c in row.cells]
                 for row in ind.employer_distribution(SCOPE).rows}
    assert employers["punctuality"] == [0, 1, 0, 0, 1]


def test_satisfaction_by_wish_rank(region):
    table = ind.satisfaction_by_wish_rank(SCOPE)
    overall, recommend = _cells(table, 0), _cells(table, 1)
    assert overall["1"] == (pytest.approx(28 / 6), 1)  # p1: 3 + 5 × 5 over six; p6 silent
    assert overall["2"] == (pytest.approx(4.0), 1)
    assert overall["3"] == (None, 0)
    assert overall["4-5"] == (pytest.approx(2.0), 1)
    assert overall["none"] == (pytest.approx(2.0), 2)  # p4 (3s) and p5 (1s), 12 answers
    assert recommend["1"] == (pytest.approx(5.0), 1)
    assert recommend["none"] == (pytest.approx(2.0), 2)


def test_satisfaction_own_network_against_the_portal(region):
    found = _cells(ind.satisfaction_by_source(SCOPE))
    assert found["own"] == (pytest.approx(1.0), 1)
    assert found["portal"] == (pytest.approx((28 + 24 + 12 + 18) / 24), 4)


def test_answer_rates_per_school_and_per_employer(region, world):
    schools = ind.answer_rates_by_school(SCOPE)
    rows = {row.label: [(c.n, c.base) for c in row.cells] for row in schools.rows}
    # A: p1–p4 (p7 declined, p9's period not over); B: p5, p6
    assert rows == {"Skola A": [(4, 4), (1, 4)], "Skola B": [(1, 2), (1, 2)]}
    assert [(c.n, c.base) for c in schools.total.cells] == [(5, 6), (2, 6)]
    assert schools.headline.value == pytest.approx(100 * 5 / 6)
    employers = ind.answer_rates_by_employer(SCOPE)
    rows = {row.label: [(c.n, c.base) for c in row.cells] for row in employers.rows}
    assert rows == {"X AB": [(2, 2), (1, 2)], "Y AB": [(2, 3), (1, 3)],
                    "Z AB": [(1, 1), (0, 1)]}


def test_another_municipality_sees_only_its_schools(region, world):
    scope = Scope(2026, municipality_id=world.municipality_b.id)
    assert _cells(ind.pupil_averages(scope))["recommend"] == (pytest.approx(1.0), 1)
    assert [row.label for row in ind.answer_rates_by_school(scope).rows] == ["Skola B"]


def test_satisfaction_per_school_for_the_equity_table(region, world):
    found = ind.satisfaction_by_school(SCOPE)
    # A: p1 (3 + 5 × 5 = 28), p2 (24), p3 (12), p4 (18) over 24 answers; p7 declined and
    # p8 last year do not count. B: p5 (six 1s); p6 silent.
    assert (found[world.school_a.id].value, found[world.school_a.id].n) == (
        pytest.approx(82 / 24), 4)
    assert (found[world.school_b.id].value, found[world.school_b.id].n) == (
        pytest.approx(1.0), 1)
    assert (found[None].value, found[None].n) == (pytest.approx(88 / 30), 5)


def test_the_report_shows_satisfaction_per_school_and_its_spread(region, world):
    from portal.reports.registry import by_key

    table = by_key()["equity_schools"](SCOPE)
    column = [c.key for c in table.columns].index("satisfaction")
    rows = {row.label: row.cells[column] for row in table.rows}
    assert (rows["Skola A"].value, rows["Skola A"].n) == (pytest.approx(82 / 24), 4)
    assert (rows["Skola B"].value, rows["Skola B"].n) == (pytest.approx(1.0), 1)
    assert table.total.cells[column].value == pytest.approx(88 / 30)
    spread = {row.key: row for row in by_key()["equity_spread"](SCOPE).rows}
    # Neither school has five answering pupils: nothing to compare.
    assert spread["satisfaction"].cells[0].value == 0


def _again(db, assignment, value):
    response = db.session.query(FeedbackResponse).filter_by(
        assignment_id=assignment.id, audience=Audience.EMPLOYER).one_or_none()
    if response is None:
        _answer(db, assignment, Audience.EMPLOYER, dict.fromkeys(EMPLOYER_KEYS, 3))
        db.session.flush()
        return _again(db, assignment, value)
    response.again_next_term = value
    return response


def test_again_next_term_per_municipality_of_the_employer(region, world, db):
    from portal.prao.models import Assignment
    from portal.reports.registry import by_key

    def at(name, state=AssignmentState.CONFIRMED):
        return [a for a in db.session.query(Assignment).all()
                if a.placement.organisation.name == name and a.state is state]

    x, y = at("X AB")[0], at("Y AB")[0]
    x.placement.organisation.municipality = world.municipality_a
    y.placement.organisation.municipality = world.municipality_b
    _again(db, x, True)
    _again(db, y, False)
    _again(db, at("Y AB")[1], None)  # answered the rest, not this question: not counted
    _again(db, at("Y AB", AssignmentState.DECLINED)[0], True)  # never took place
    db.session.commit()
    found = ind.again_next_term(SCOPE)
    assert (found[world.municipality_a.id].n, found[world.municipality_a.id].base) == (1, 1)
    assert (found[world.municipality_b.id].n, found[world.municipality_b.id].base) == (0, 1)
    assert (found["all"].n, found["all"].base, found["all"].value) == (1, 2, 50.0)
    table = by_key()["employers"](SCOPE)
    column = [c.key for c in table.columns].index("again_next_term")
    assert table.total.cells[column].value == 50.0
    rows = {row.key: row.cells[column] for row in table.rows}
    assert rows[str(world.municipality_a.id)].value == 100.0
    assert rows[str(world.municipality_b.id)].value == 0.0
