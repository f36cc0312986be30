"""Council indicators from the evaluations: averages and distributions per statement, the
pupils' satisfaction by how they were placed (wish rank, own network or the portal), and
answer rates per school and per employer. One GROUP BY query each, never a loop over
pupils; labels of statements are data (the coordinator's wording in Swedish and English,
newest version).

Satisfaction is the mean of a pupil's Likert answers, averaged over every answer in the
group; its n is the number of pupils who answered, which is what suppression counts."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, Subquery, case, func, literal, select

from portal import clock
from portal.employers.models import Organisation, Placement
from portal.extensions import db
from portal.feedback.models import Audience, FeedbackAnswer, FeedbackForm, FeedbackResponse
from portal.prao.models import Assignment, AssignmentSource, AssignmentState
from portal.reports.scope import Batch, per_scope
from portal.reports.tables import (
    PLACED,
    SCHOOL,
    Cell,
    Chart,
    Column,
    Counts,
    Row,
    Scope,
    Table,
    Unit,
)
from portal.schools.models import Enrolment, PraoPeriod, School, Wish
from portal.texts import mark as _l

EVALUABLE = (AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS, AssignmentState.COMPLETED)
SCORES = (1, 2, 3, 4, 5)
RECOMMEND = "recommend"
SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])


def _statements(audience: Audience) -> list[tuple[str, str, str]]:
    """(key, Swedish label, English label or "") of every Likert statement ever asked, in
    the newest order."""
    forms = db.session.scalars(select(FeedbackForm).where(FeedbackForm.audience == audience)
                               .order_by(FeedbackForm.version.desc())).all()
    found: dict[str, tuple[str, str]] = {}
    for form in forms:
        for question in form.questions:
            if question.get("kind") == "likert":
                found.setdefault(question["key"], (str(question.get("label_sv", "")),
                                                   str(question.get("label_en") or "")))
    return [(key, sv, en) for key, (sv, en) in found.items()]


def _of_batch(stmt: SelectT, periods: Subquery, audience: Audience) -> SelectT:
    """Narrow a statement over FeedbackResponse to the audience's responses for evaluable
    assignments in the batch's periods (`periods`, whose `place` the statement groups by).
    Joined in, not filtered by id IN a subquery of responses: beside the answers' joins that
    filter made PostgreSQL join the whole country's answers first and filter last (half a
    second for a municipality of a few hundred pupils)."""
    return (stmt.join(Assignment, Assignment.id == FeedbackResponse.assignment_id)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(periods, periods.c.id == Enrolment.period_id)
            .where(FeedbackResponse.audience == audience, Assignment.state.in_(EVALUABLE)))


def _scored_answers(stmt: SelectT, periods: Subquery, audience: Audience) -> SelectT:
    """Narrow a statement over FeedbackAnswer to the scored answers of `_of_batch`'s
    responses."""
    return _of_batch(stmt.select_from(FeedbackAnswer)
                     .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
                     .where(FeedbackAnswer.score.is_not(None)), periods, audience)


def _by_statement(batch: Batch, audience: Audience,
                  ) -> dict[Scope, dict[str, tuple[float, int]]]:
    periods = batch.periods()
    stmt = _scored_answers(select(periods.c.place, FeedbackAnswer.question_key,
                                  func.avg(FeedbackAnswer.score), func.count()),
                           periods, audience)
    found = batch.split(db.session.execute(
        stmt.group_by(periods.c.place, FeedbackAnswer.question_key)))
    return {scope: {key: (float(mean), int(n)) for key, mean, n in rows}
            for scope, rows in found.items()}


def _averages(batch: Batch, audience: Audience, key: str, title: str,
              description: str, distribution: str) -> dict[Scope, Table]:
    statements = _statements(audience)
    return {scope: _averages_table(found, statements, audience, key, title, description,
                                   distribution)
            for scope, found in _by_statement(batch, audience).items()}


def _averages_table(found: dict[str, tuple[float, int]],
                    statements: list[tuple[str, str, str]], audience: Audience, key: str,
                    title: str, description: str, distribution: str) -> Table:
    rows = tuple(Row(sv, (Cell.average(*found.get(k, (None, 0))),), key=k, label_en=en)
                 for k, sv, en in statements if k in found)
    # The pupils' "would recommend" is the figure a target is set for, with or without answers.
    headline = None
    if audience is Audience.PUPIL:
        headline = Cell.average(*found.get(RECOMMEND, (None, 0)))
    return Table(key=key, title=title, description=description, row_header=_l("Påstående"),
                 # Each statement's mean is of its row of the distribution.
                 columns=(Column("average", _l("Medelvärde 1–5"), Unit.AVERAGE,
                                 counts=None, mean_of=distribution),), rows=rows,
                 headline=headline, headline_unit=Unit.AVERAGE)


@per_scope
def pupil_averages(batch: Batch) -> dict[Scope, Table]:
    """(a) The pupils' mean answer per statement, with how many answered it."""
    return _averages(batch, Audience.PUPIL, "evaluation_pupil_averages",
                     _l("Elevernas utvärdering"),
                     _l("Medelvärde per påstående, 1 = stämmer inte alls, 5 = stämmer helt. "
                        "Det samlade måttet är påståendet om att rekommendera platsen."),
                     "evaluation_pupil_distribution")


@per_scope
def employer_averages(batch: Batch) -> dict[Scope, Table]:
    """(a) The supervisors' mean answer per statement."""
    return _averages(batch, Audience.EMPLOYER, "evaluation_employer_averages",
                     _l("Handledarnas utvärdering"),
                     _l("Medelvärde per påstående om eleven och skolan, 1 = lägst, "
                        "5 = högst."), "evaluation_employer_distribution")


def _distribution(batch: Batch, audience: Audience, key: str, title: str,
                  ) -> dict[Scope, Table]:
    periods = batch.periods()
    stmt = _scored_answers(select(periods.c.place, FeedbackAnswer.question_key,
                                  FeedbackAnswer.score, func.count()), periods, audience)
    found = batch.split(db.session.execute(
        stmt.group_by(periods.c.place, FeedbackAnswer.question_key, FeedbackAnswer.score)))
    statements = _statements(audience)
    return {scope: _distribution_table({(k, int(score or 0)): int(n) for k, score, n in rows},
                                       statements, key, title)
            for scope, rows in found.items()}


def _distribution_table(counts: dict[tuple[str, int], int],
                        statements: list[tuple[str, str, str]], key: str, title: str,
                        ) -> Table:
    asked = {k for k, _score in counts}
    rows = tuple(Row(sv, tuple(Cell.pupils(counts.get((k, s), 0)) for s in SCORES), key=k,
                     label_en=en)
                 for k, sv, en in statements if k in asked)
    return Table(key=key, title=title,
                 description=_l("Hur många som svarade 1, 2, 3, 4 och 5 på varje påstående."),
                 row_header=_l("Påstående"),
                 # The answers of pupils (or supervisors) per statement, not per school.
                 columns=tuple(Column(str(s), str(s), Unit.PUPILS, counts=None)
                               for s in SCORES),
                 rows=rows, chart=Chart.STACKED, headline=None)


@per_scope
def pupil_distribution(batch: Batch) -> dict[Scope, Table]:
    """(b) The pupils' answers 1–5 per statement."""
    return _distribution(batch, Audience.PUPIL, "evaluation_pupil_distribution",
                         _l("Elevernas svar, fördelning"))


@per_scope
def employer_distribution(batch: Batch) -> dict[Scope, Table]:
    """(b) The supervisors' answers 1–5 per statement."""
    return _distribution(batch, Audience.EMPLOYER, "evaluation_employer_distribution",
                         _l("Handledarnas svar, fördelning"))


# --- (c) satisfaction by how the pupil was placed ----------------------------------------

RANK_GROUPS = (("1", _l("Förstahandsval")), ("2", _l("Andrahandsval")),
               ("3", _l("Tredjehandsval")), ("4-5", _l("Fjärde eller femte val")),
               ("none", _l("Inte ett av elevens val")))
SOURCE_GROUPS = (("portal", _l("Plats genom portalen")), ("own", _l("Egen plats")))


Satisfaction = tuple[dict[str, Cell], dict[str, Cell]]


def _satisfaction(batch: Batch, group: Any) -> dict[Scope, Satisfaction]:
    """Per group: the mean over every answer, and over the "recommend" answers alone. One
    query for both; a group with no "recommend" answer is left out of the second."""
    recommend = FeedbackAnswer.question_key == RECOMMEND
    periods = batch.periods()
    stmt = _scored_answers(
        select(periods.c.place, group, func.avg(FeedbackAnswer.score),
               func.count(func.distinct(FeedbackResponse.id)),
               func.avg(case((recommend, FeedbackAnswer.score))),
               func.count(func.distinct(case((recommend, FeedbackResponse.id))))),
        periods, Audience.PUPIL)
    stmt = (stmt.outerjoin(Wish, (Wish.enrolment_id == Assignment.enrolment_id)
                           & (Wish.offer_id == Assignment.offer_id))
            .group_by(periods.c.place, group))
    return {scope: _satisfaction_of(rows)
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


def _satisfaction_of(rows: list[tuple[Any, ...]]) -> Satisfaction:
    overall: dict[str, Cell] = {}
    recommended: dict[str, Cell] = {}
    for g, mean, n, recommend_mean, recommend_n in rows:
        overall[str(g)] = Cell.average(float(mean), int(n))
        if recommend_n:
            recommended[str(g)] = Cell.average(float(recommend_mean), int(recommend_n))
    return overall, recommended


def _rank_group() -> Any:
    return case((Wish.rank == 1, literal("1")), (Wish.rank == 2, literal("2")),
                (Wish.rank == 3, literal("3")), (Wish.rank.in_((4, 5)), literal("4-5")),
                else_=literal("none"))


def _source_group() -> Any:
    return case((Assignment.source == AssignmentSource.OWN, literal("own")),
                else_=literal("portal"))


def _satisfaction_tables(batch: Batch, key: str, title: str, description: str, group: Any,
                         groups: tuple[tuple[str, str], ...]) -> dict[Scope, Table]:
    return {scope: _satisfaction_table(found, key, title, description, groups)
            for scope, found in _satisfaction(batch, group).items()}


def _satisfaction_table(found: Satisfaction, key: str, title: str, description: str,
                        groups: tuple[tuple[str, str], ...]) -> Table:
    overall, recommend = found
    empty = Cell.average(None, 0)
    rows = tuple(Row(label, (overall.get(k, empty), recommend.get(k, empty)), key=k,
                     translate=True) for k, label in groups)
    return Table(key=key, title=title, description=description, row_header=_l("Hur eleven "
                                                                              "fick platsen"),
                 # Means of groups of answers (by how the pupil was placed) that no table
                 # counts: only the distribution's total, which they do not show, is theirs.
                 columns=(Column("satisfaction", _l("Nöjdhet, alla påståenden"), Unit.AVERAGE,
                                 counts=None, mean_of=None),
                          Column("recommend", _l("Skulle rekommendera platsen"),
                                 Unit.AVERAGE, counts=None, mean_of=None)),
                 rows=rows, headline=None, headline_unit=Unit.AVERAGE)


@per_scope
def satisfaction_by_wish_rank(batch: Batch) -> dict[Scope, Table]:
    """(c) Does fair matching give good placements? Satisfaction by the rank the pupil gave
    the placement they got; placed by hand or by own network outside their wishes: none."""
    return _satisfaction_tables(
        batch, "evaluation_satisfaction_by_rank", _l("Nöjdhet efter önskemål"),
        _l("Elevernas medelsvar 1–5, efter vilket av deras val platsen var."),
        _rank_group(), RANK_GROUPS)


@per_scope
def satisfaction_by_source(batch: Batch) -> dict[Scope, Table]:
    """(c) Satisfaction of pupils with an own placement against those placed through the
    portal (by matching or by hand)."""
    return _satisfaction_tables(
        batch, "evaluation_satisfaction_by_source", _l("Nöjdhet: egen plats eller portalen"),
        _l("Elevernas medelsvar 1–5 för platser de ordnat själva och platser genom "
           "portalen."), _source_group(), SOURCE_GROUPS)


# --- (d) answer rates ----------------------------------------------------------------------

def _answered(audience: Audience) -> Any:
    done = select(FeedbackResponse.id).where(FeedbackResponse.assignment_id == Assignment.id,
                                             FeedbackResponse.audience == audience).exists()
    return func.sum(case((done, 1), else_=0))


def _open_assignments(periods: Subquery) -> Select[Any]:
    """Assignments whose evaluation has opened (the period is over) in the batch's
    `periods`, by their place (the statement's first column)."""
    return (select(periods.c.place)
            .select_from(Assignment)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(periods, periods.c.id == Enrolment.period_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .where(Assignment.state.in_(EVALUABLE), PraoPeriod.last_day <= clock.today()))


def _rate_columns(per_school: bool) -> tuple[Column, Column]:
    """Of the placed pupils whose evaluation has opened: per school, once the periods are
    over, the school's placed pupils (taken as the same, which hides as much as they are);
    those who answered are counted nowhere else. Per employer, counted nowhere else."""
    def counts(answered: str) -> Counts | None:
        return Counts(SCHOOL, (answered,), PLACED) if per_school else None

    return (Column("pupils", _l("Elever som svarat"), Unit.SHARE, counts=counts("answered")),
            Column("supervisors", _l("Handledare som svarat"), Unit.SHARE,
                   counts=counts("supervisors_answered")))


def _rate_table(key: str, title: str, header: str, rows_found: list[Any],
                columns: tuple[Column, Column]) -> Table:
    rows = tuple(Row(name, (Cell.share(int(pupils or 0), int(total)),
                            Cell.share(int(supervisors or 0), int(total))), key=str(rid))
                 for rid, name, pupils, supervisors, total in rows_found)
    pupils_all = sum(int(r[2] or 0) for r in rows_found)
    supervisors_all = sum(int(r[3] or 0) for r in rows_found)
    total_all = sum(int(r[4]) for r in rows_found)
    total = Row(_l("Alla"), (Cell.share(pupils_all, total_all),
                             Cell.share(supervisors_all, total_all)), key="all", translate=True)
    return Table(key=key, title=title,
                 description=_l("Andel av eleverna och handledarna som har svarat på "
                                "utvärderingen, räknat från praons sista dag. Målet är "
                                "80 procent."),
                 row_header=header,
                 columns=columns,
                 rows=rows, total=total, headline=total.cells[0])


@per_scope
def answer_rates_by_school(batch: Batch) -> dict[Scope, Table]:
    """(d) Evaluations answered per school, by pupils and by supervisors."""
    periods = batch.periods()
    stmt = (_open_assignments(periods)
            .add_columns(School.id, School.name, _answered(Audience.PUPIL),
                         _answered(Audience.EMPLOYER), func.count(Assignment.id))
            .join(School, School.id == PraoPeriod.school_id)
            .group_by(periods.c.place, School.id, School.name)
            .order_by(School.name, School.id))
    return {scope: _rate_table("evaluation_answer_rates_school", _l("Svarsfrekvens per skola"),
                               _l("Skola"), rows, _rate_columns(per_school=True))
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


@per_scope
def answer_rates_by_employer(batch: Batch) -> dict[Scope, Table]:
    """(d) Evaluations answered per employer, by its pupils and its supervisors."""
    periods = batch.periods()
    stmt = (_open_assignments(periods)
            .add_columns(Organisation.id, Organisation.name, _answered(Audience.PUPIL),
                         _answered(Audience.EMPLOYER), func.count(Assignment.id))
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .group_by(periods.c.place, Organisation.id, Organisation.name)
            .order_by(Organisation.name, Organisation.id))
    return {scope: _rate_table("evaluation_answer_rates_employer",
                               _l("Svarsfrekvens per arbetsgivare"), _l("Arbetsgivare"), rows,
                               _rate_columns(per_school=False))
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


# --- (e) the hooks of the equity and employer indicators ----------------------------------

@per_scope
def satisfaction_by_school(batch: Batch) -> dict[Scope, dict[int | None, Cell]]:
    """The equity table's hook (`SatisfactionEach`): per school the pupils' mean over
    every Likert answer, n the pupils who answered; under None the same over all the
    scope's schools. One grouped query; the total is summed from its groups, which are
    disjoint (a response belongs to one assignment, one enrolment, one school)."""
    periods = batch.periods()
    stmt = (_scored_answers(select(periods.c.place, PraoPeriod.school_id,
                                   func.sum(FeedbackAnswer.score),
                                   func.count(FeedbackAnswer.id),
                                   func.count(func.distinct(FeedbackResponse.id))),
                            periods, Audience.PUPIL)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .group_by(periods.c.place, PraoPeriod.school_id))
    return {scope: _by_school(rows)
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


def _by_school(rows: list[tuple[Any, ...]]) -> dict[int | None, Cell]:
    found: dict[int | None, Cell] = {}
    total, answers, pupils = 0, 0, 0
    for school_id, score_sum, score_count, responses in rows:
        found[int(school_id)] = Cell.average(int(score_sum or 0) / int(score_count),
                                             int(responses))
        total, answers, pupils = (total + int(score_sum or 0), answers + int(score_count),
                                  pupils + int(responses))
    found[None] = Cell.average(total / answers if answers else None, pupils)
    return found


@per_scope
def again_next_term(batch: Batch) -> dict[Scope, dict[int | None | str, Cell]]:
    """The employers table's hook (`AgainEach`): per municipality of the organisation,
    the supervisors who answered yes to "again next term" out of those who answered the
    question, for the scope's assignments; under "all" the whole scope."""
    periods = batch.periods()
    stmt = (select(periods.c.place, Organisation.municipality_id,
                   func.sum(case((FeedbackResponse.again_next_term.is_(True), 1), else_=0)),
                   func.count(FeedbackResponse.id))
            .select_from(FeedbackResponse))
    stmt = (_of_batch(stmt, periods, Audience.EMPLOYER)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(FeedbackResponse.again_next_term.is_not(None))
            .group_by(periods.c.place, Organisation.municipality_id))
    return {scope: _again(rows) for scope, rows in batch.split(db.session.execute(stmt)).items()}


def _again(rows: list[tuple[Any, ...]]) -> dict[int | None | str, Cell]:
    found: dict[int | None | str, Cell] = {}
    yes_all, answered_all = 0, 0
    for municipality_id, yes, answered in rows:
        found[municipality_id] = Cell.share(int(yes or 0), int(answered))
        yes_all, answered_all = yes_all + int(yes or 0), answered_all + int(answered)
    found["all"] = Cell.share(yes_all, answered_all)
    return found
