"""Evaluation use cases: the current questions and their versions, answering once (a pupil
through the personal link, a supervisor through a signed link or signed in), answer rates,
the aggregate an employer may see, and the coordinator's list of employers to thank.
Functions that change something commit their work; none uses request or flash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import clock
from portal.accounts.models import User
from portal.audit import audit
from portal.employers.models import Organisation, Placement
from portal.extensions import db
from portal.feedback import questions as q
from portal.feedback.links import EvaluationLink
from portal.feedback.models import Audience, FeedbackAnswer, FeedbackForm, FeedbackResponse
from portal.paging import Paged, paged
from portal.prao.models import Assignment, AssignmentState
from portal.prao.services import Actor, record_step
from portal.reports.scope import periods_in
from portal.reports.tables import Scope
from portal.schools.models import Enrolment, PraoPeriod, School, Student

# An assignment the employer took on can be evaluated; a proposal never confirmed cannot.
EVALUABLE = (AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS, AssignmentState.COMPLETED)
STEP = {Audience.PUPIL: "pupil_evaluation", Audience.EMPLOYER: "employer_evaluation"}
MIN_ANSWERS = 5  # an employer sees its pupils' evaluations from this many answers
GOAL = 80  # per cent of pupils and supervisors answering
THANK_AVERAGE = 4.0
# Rows per page of the coordinator's lists, which grow with the country.
RATES_PER_PAGE = 100
THANKS_PER_PAGE = 50
TEXTS_PER_PAGE = 50
MAX_TEXT = 2000


class FeedbackError(ValueError):
    """A rule was broken; `field` names the form field (or question key) it belongs to."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


# --- the questions ------------------------------------------------------------------------

def current_form(audience: Audience) -> FeedbackForm:
    """The newest version of the audience's questions; version 1 is made on first use
    where the migration's seed is missing (a database made without migrations)."""
    found = db.session.scalars(select(FeedbackForm).where(FeedbackForm.audience == audience)
                               .order_by(FeedbackForm.version.desc()).limit(1)).first()
    if found is not None:
        return found
    form = FeedbackForm(audience=audience, version=1, questions=q.FIRST_VERSION[audience])
    try:
        with db.session.begin_nested():
            db.session.add(form)
    except IntegrityError:
        return current_form(audience)
    return form


def form_version(form_id: int, audience: Audience) -> FeedbackForm | None:
    form = db.session.get(FeedbackForm, form_id)
    return form if form is not None and form.audience is audience else None


def versions(audience: Audience) -> list[FeedbackForm]:
    return list(db.session.scalars(select(FeedbackForm).where(FeedbackForm.audience == audience)
                                   .order_by(FeedbackForm.version.desc())))


PROBLEMS = {
    "key": _l("Nyckeln får bara ha små bokstäver a–z, siffror och understreck, och börja "
              "med en bokstav."),
    "duplicate": _l("Två frågor har samma nyckel."),
    "fixed_kind": _l("Den här frågan läser portalen själv: dess typ kan inte ändras."),
    "empty": _l("Formuläret behöver minst en fråga."),
    "kind_changed": _l("Frågan har ställts med en annan typ av svar förut. Ge den en ny "
                       "nyckel, så blandas inte de gamla svaren med de nya."),
}


def _kinds_changed(questions: list[dict[str, Any]], audience: Audience) -> dict[int, str]:
    """Rows whose key an earlier version asked with another kind of answer: a yes/no under
    a 1–5 statement's key would be averaged with its old scores."""
    asked = {question["key"]: question["kind"] for form in reversed(versions(audience))
             for question in form.questions}
    return {index: "kind_changed" for index, question in enumerate(questions)
            if asked.get(question["key"], question["kind"]) != question["kind"]}


def save_questions(audience: Audience, questions: list[dict[str, Any]], user: User,
                   based_on: int) -> FeedbackForm:
    """Save the edited questions as a new version; past answers keep theirs. `based_on` is
    the version the coordinator edited: if someone saved another one meanwhile, nothing
    is saved and they are told."""
    if not questions:
        raise FeedbackError("questions", PROBLEMS["empty"])
    found = q.problems(questions, audience) or _kinds_changed(questions, audience)
    if found:
        index, code = next(iter(found.items()))
        raise FeedbackError(f"questions-{index}-key", PROBLEMS[code])
    latest = current_form(audience)
    if latest.version != based_on:
        db.session.rollback()
        raise FeedbackError("questions", _l("Någon annan sparade frågorna under tiden. Se "
                                            "den nya versionen och gör ändringen igen."))
    if latest.questions == questions:
        db.session.rollback()
        return latest
    form = FeedbackForm(audience=audience, version=latest.version + 1, questions=questions,
                        created_by_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(form)
    except IntegrityError as error:
        db.session.rollback()
        raise FeedbackError("questions", _l("Någon annan sparade frågorna under tiden. Se "
                                            "den nya versionen och gör ändringen igen.")) \
            from error
    audit(user, "feedback_questions_saved", form, detail=f"{audience.value} v{form.version}")
    db.session.commit()
    return form


# --- who may answer, and when -------------------------------------------------------------

def is_open(assignment: Assignment, today: date) -> bool:
    """From the period's last day, for a pupil the employer took on."""
    return (assignment.state in EVALUABLE
            and today >= assignment.enrolment.period.last_day)


def pupil_assignment(enrolment: Enrolment) -> Assignment | None:
    return db.session.scalars(select(Assignment).where(
        Assignment.enrolment_id == enrolment.id, Assignment.state.in_(EVALUABLE))).first()


def response_of(assignment_id: int, audience: Audience) -> FeedbackResponse | None:
    return db.session.scalars(
        select(FeedbackResponse).where(FeedbackResponse.assignment_id == assignment_id,
                                       FeedbackResponse.audience == audience)
        .options(selectinload(FeedbackResponse.answers),
                 selectinload(FeedbackResponse.form))).first()


def responses_of(assignment_ids: list[int], audience: Audience) -> dict[int, FeedbackResponse]:
    if not assignment_ids:
        return {}
    return {r.assignment_id: r for r in db.session.scalars(
        select(FeedbackResponse).where(FeedbackResponse.assignment_id.in_(assignment_ids),
                                       FeedbackResponse.audience == audience))}


def supervisor_assignments(link: EvaluationLink) -> list[Assignment]:
    """The link's pupils still at the link's placement and taken on by it."""
    return list(db.session.scalars(
        select(Assignment).where(Assignment.id.in_(link.assignment_ids),
                                 Assignment.placement_id == link.placement_id,
                                 Assignment.state.in_(EVALUABLE))
        .order_by(Assignment.id)
        .options(selectinload(Assignment.enrolment).selectinload(Enrolment.student),
                 selectinload(Assignment.enrolment).selectinload(Enrolment.period))))


def employer_assignments(organisation_id: int, today: date) -> list[Assignment]:
    """The organisation's pupils whose evaluation is open (a term back at most)."""
    return list(db.session.scalars(
        select(Assignment).join(Placement, Placement.id == Assignment.placement_id)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .where(Placement.organisation_id == organisation_id, Assignment.state.in_(EVALUABLE),
               PraoPeriod.last_day <= today, PraoPeriod.last_day >= date.fromordinal(
                   today.toordinal() - 183))
        .order_by(PraoPeriod.last_day.desc(), Assignment.id)
        .options(selectinload(Assignment.enrolment).selectinload(Enrolment.student),
                 selectinload(Assignment.enrolment).selectinload(Enrolment.period),
                 selectinload(Assignment.placement))))


# --- answering ----------------------------------------------------------------------------

class AnswerProblems(ValueError):
    """What is wrong with the answers: question key -> message, every one of them."""

    def __init__(self, problems: dict[str, object]) -> None:
        super().__init__("; ".join(str(m) for m in problems.values()))
        self.problems = problems


def check_answers(form: FeedbackForm, answers: dict[str, str]) -> dict[str, str]:
    """The answers as they will be stored (key -> "1".."5", "yes"/"no" or text); raises
    AnswerProblems naming every missing or wrong answer. Every statement and yes/no
    question needs an answer; free text may be left empty."""
    clean: dict[str, str] = {}
    problems: dict[str, object] = {}
    for question in form.questions:
        key, kind, value = question["key"], question["kind"], answers.get(question["key"], "")
        value = (value or "").strip()
        if kind == q.L and value not in ("1", "2", "3", "4", "5"):
            problems[key] = _l("Välj ett svar från 1 till 5.")
        elif kind == q.Y and value not in ("yes", "no"):
            problems[key] = _l("Välj ja eller nej.")
        elif kind == q.T and len(value) > MAX_TEXT:
            problems[key] = _l("Högst %(max)d tecken.", max=MAX_TEXT)
        clean[key] = value
    if problems:
        raise AnswerProblems(problems)
    return clean


def submit(assignment: Assignment, audience: Audience, form: FeedbackForm,
           answers: dict[str, str], actor: Actor) -> tuple[FeedbackResponse, bool]:
    """Store the evaluation once: (the response, stored now). A second submit (a double
    click, a second tab, a colleague) gets the first one back, nothing changed."""
    clean = check_answers(form, answers)
    existing = response_of(assignment.id, audience)
    if existing is not None:
        db.session.rollback()
        return existing, False
    response = FeedbackResponse(
        assignment_id=assignment.id, audience=audience, form_id=form.id,
        submitted_by_id=actor.user.id if actor.user else None,
        submitted_by_label=actor.label[:200],
        statement=clean.get(q.STATEMENT, "") if audience is Audience.EMPLOYER else "",
        again_next_term={"yes": True, "no": False}.get(clean.get(q.AGAIN, ""))
        if audience is Audience.EMPLOYER else None)
    response.answers = [FeedbackAnswer(question_key=key, score=int(value) if kind == q.L else None,
                                       text="" if kind == q.L else value)
                        for key, kind, value in _rows(form, clean)]
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:
        found = response_of(assignment.id, audience)
        assert found is not None  # the other request's, committed
        db.session.rollback()
        return found, False
    record_step(assignment.id, STEP[audience], actor)
    audit(actor.user, f"{audience.value}_evaluation", assignment, detail=actor.label)
    db.session.commit()
    return response, True


def _rows(form: FeedbackForm, clean: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(question["key"], question["kind"], clean[question["key"]])
            for question in form.questions
            if clean[question["key"]] or question["kind"] != q.T]


@dataclass(frozen=True)
class ShownAnswer:
    label: str
    kind: str
    value: str


def shown_answers(response: FeedbackResponse, language: str) -> list[ShownAnswer]:
    """A response as it was answered: its own version's questions and labels."""
    given = {a.question_key: a for a in response.answers}
    shown = []
    for question in response.form.questions:
        answer = given.get(question["key"])
        if answer is None:
            continue
        value = str(answer.score) if answer.score is not None else answer.text
        shown.append(ShownAnswer(q.label(question, language), question["kind"], value))
    return shown


def statement_for(assignment_id: int) -> str:
    """The supervisor's statement for the certificate; "" when none was given."""
    return db.session.scalar(select(FeedbackResponse.statement).where(
        FeedbackResponse.assignment_id == assignment_id,
        FeedbackResponse.audience == Audience.EMPLOYER)) or ""


# --- one click: the same weeks next year ----------------------------------------------------

def roll_over(assignment: Assignment, actor: Actor) -> Any:
    """The supervisor said yes to next term: copy the placement's offers of the pupil's
    term to the same weeks a year later (the employer's own next-term copy, for this one
    placement). Allowed only after a yes."""
    from portal.employers.placements.services import copy_placement_term
    from portal.weeks import term_of

    response = response_of(assignment.id, Audience.EMPLOYER)
    if response is None or not response.again_next_term:
        raise FeedbackError("again_next_term", _l("Svara ja på frågan om nästa termin först."))
    return copy_placement_term(assignment.placement,
                               term_of(assignment.enrolment.period.first_day), actor.user,
                               actor.label, clock.today())


# --- answer rates ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Rate:
    key: int
    name: str
    answered: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.answered / self.total) if self.total else None

    @property
    def reached(self) -> bool:
        return self.percent is not None and self.percent >= GOAL


def _evaluable(today: date) -> Select[Any]:
    return (select(Assignment.id)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .where(Assignment.state.in_(EVALUABLE), PraoPeriod.last_day <= today))


def _answered(audience: Audience) -> Any:
    return select(FeedbackResponse.id).where(
        FeedbackResponse.assignment_id == Assignment.id,
        FeedbackResponse.audience == audience).exists()


def _count_columns(audience: Audience) -> tuple[Any, Any]:
    answered = func.sum(case((_answered(audience), 1), else_=0))
    return answered, func.count(Assignment.id)


def _school_rates(audience: Audience, today: date, scope: Scope,
                  school_ids: list[int] | None) -> Select[Any]:
    answered, total = _count_columns(audience)
    stmt = (_evaluable(today).with_only_columns(School.id, School.name, answered, total)
            .join(School, School.id == PraoPeriod.school_id)
            .where(PraoPeriod.id.in_(periods_in(scope)))
            .group_by(School.id, School.name).order_by(School.name, School.id))
    return stmt if school_ids is None else stmt.where(School.id.in_(school_ids))


def _employer_rates(audience: Audience, today: date, scope: Scope) -> Select[Any]:
    answered, total = _count_columns(audience)
    return (_evaluable(today).with_only_columns(Organisation.id, Organisation.name, answered,
                                                total)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(PraoPeriod.id.in_(periods_in(scope)))
            .group_by(Organisation.id, Organisation.name)
            .order_by(Organisation.name, Organisation.id))


def _rate(row: Sequence[Any]) -> Rate:
    key, name, done, all_ = row
    return Rate(key, name, int(done or 0), int(all_))


def rates_by_school(audience: Audience, today: date, scope: Scope,
                    school_ids: list[int] | None = None) -> list[Rate]:
    """Per school: evaluations answered of those open, for periods in the school year."""
    return [_rate(row) for row in db.session.execute(
        _school_rates(audience, today, scope, school_ids))]


def rates_by_employer(audience: Audience, today: date, scope: Scope) -> list[Rate]:
    return [_rate(row) for row in db.session.execute(_employer_rates(audience, today, scope))]


def school_rates_page(audience: Audience, today: date, scope: Scope,
                      school_ids: list[int] | None, page: int) -> Paged[Rate]:
    """One page of rates_by_school, by name: the same schools for either audience."""
    return paged(_school_rates(audience, today, scope, school_ids), page, RATES_PER_PAGE, _rate)


def employer_rates_page(audience: Audience, today: date, scope: Scope,
                        page: int) -> Paged[Rate]:
    return paged(_employer_rates(audience, today, scope), page, RATES_PER_PAGE, _rate)


def period_rate(period: PraoPeriod, today: date) -> Rate:
    """The pupils' answer rate of one period, for the counsellor's period page."""
    answered, total = _count_columns(Audience.PUPIL)
    done, all_ = db.session.execute(_evaluable(today).with_only_columns(answered, total)
                                    .where(PraoPeriod.id == period.id)).one()
    return Rate(period.id, period.name, int(done or 0), int(all_ or 0))


# --- what the employer may see: aggregates from five answers --------------------------------
#
# "Arbetsplatsen ser aldrig vad just du har svarat", the pupil's form promises. An average of
# exactly the answers so far breaks it twice: a visit at 5 answers and another at 6 give the
# sixth pupil's answer (6 * 4.5 - 5 * 4.4 = 5), and 5.0 over five answers says that each of
# them answered 5. So each statement's average is taken over its answers in whole groups of
# five, the first ones in the order they came (a new answer waits until four more have come,
# and two visits differ by five pupils at least), and shown in whole numbers: one decimal
# (or a half) of five answers is their exact sum, and consecutive sums give a group's, which
# at 25 is five answers of 5. With whole numbers no sequence of visits pins a group's sum to
# 5 or 25 (checked by enumeration in tests/feedback/test_employer_summary.py), so no pupil's
# answer follows from what the employer sees (a half, or a decimal, does pin some).

@dataclass(frozen=True)
class Average:
    key: str
    label: str
    score: int  # the average of `answers` answers, rounded to a whole number (1-5)
    answers: int  # a multiple of MIN_ANSWERS: the answers the average is taken over


@dataclass(frozen=True)
class EmployerSummary:
    responses: int
    averages: list[Average]

    @property
    def shown(self) -> bool:
        return self.responses >= MIN_ANSWERS

    @property
    def counted(self) -> int:
        """The most answers any statement's average is taken over (whole groups of five)."""
        return max((a.answers for a in self.averages), default=0)


def _labels(audience: Audience, language: str) -> dict[str, str]:
    """Each key's label from the newest version that asks it."""
    found: dict[str, str] = {}
    for form in reversed(versions(audience)):
        for question in form.questions:
            found[question["key"]] = q.label(question, language)
    return found


def whole_score(total: int, answers: int) -> int:
    """total / answers rounded to a whole number, halves up (4.5 is 5), in integers."""
    return (2 * total + answers) // (2 * answers)


def employer_summary(organisation_id: int, language: str) -> EmployerSummary:
    """The pupils' evaluations of the organisation's placements, averaged per statement
    over whole groups of five answers and rounded to whole numbers (see above). No text, no
    single pupil: below MIN_ANSWERS nothing but the count."""
    mine = (select(FeedbackResponse.id)
            .join(Assignment, Assignment.id == FeedbackResponse.assignment_id)
            .join(Placement, Placement.id == Assignment.placement_id)
            .where(Placement.organisation_id == organisation_id,
                   FeedbackResponse.audience == Audience.PUPIL))
    responses = db.session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    if responses < MIN_ANSWERS:
        return EmployerSummary(responses, [])
    labels = _labels(Audience.PUPIL, language)
    order = {k: i for i, k in enumerate(q.likert_keys(current_form(Audience.PUPIL).questions))}
    # Each answer's place among its statement's answers, in the order they came (a response
    # is never removed, so an answer's place never changes), and how many there are.
    question = FeedbackAnswer.question_key
    numbered = (select(question.label("key"), FeedbackAnswer.score.label("score"),
                       func.row_number().over(partition_by=question, order_by=(
                           FeedbackAnswer.response_id, FeedbackAnswer.id)).label("place"),
                       func.count().over(partition_by=question).label("answers"))
                .where(FeedbackAnswer.response_id.in_(mine), FeedbackAnswer.score.is_not(None))
                .subquery())
    groups = numbered.c.answers - numbered.c.answers % MIN_ANSWERS
    rows = db.session.execute(
        select(numbered.c.key, func.sum(numbered.c.score), func.count())
        .where(numbered.c.place <= groups)
        .group_by(numbered.c.key)).all()
    averages = [Average(key, labels.get(key, key), whole_score(int(total), int(n)), int(n))
                for key, total, n in rows]
    return EmployerSummary(responses, sorted(averages, key=lambda a: (order.get(a.key, 99),
                                                                     a.key)))


# --- the coordinator ------------------------------------------------------------------------

@dataclass(frozen=True)
class ThankRow:
    organisation_id: int
    name: str
    mean: float
    answers: int
    returning: bool
    again: bool


def _thanked(school_year: int) -> Select[Any]:
    """Employers whose pupils rated them at least THANK_AVERAGE this school year, best
    first: (id, name, mean, answers)."""
    scope = Scope(school_year)
    mean = func.avg(FeedbackAnswer.score)
    return (select(Organisation.id, Organisation.name, mean,
                   func.count(func.distinct(FeedbackResponse.id)))
            .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
            .join(Assignment, Assignment.id == FeedbackResponse.assignment_id)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(FeedbackResponse.audience == Audience.PUPIL, FeedbackAnswer.score.is_not(None),
                   Assignment.id.in_(_in_year(scope)))
            .group_by(Organisation.id, Organisation.name)
            .having(mean >= THANK_AVERAGE)
            .order_by(mean.desc(), Organisation.name, Organisation.id))


def _in_year(scope: Scope) -> Select[Any]:
    return (select(Assignment.id).join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .where(Enrolment.period_id.in_(periods_in(scope))))


def _thank_rows(school_year: int, rows: Sequence[Sequence[Any]]) -> list[ThankRow]:
    """The rows with whether each employer had pupils in an earlier year and said yes to
    next term (two queries for the rows given, however many there are in all)."""
    scope = Scope(school_year)
    ids = [row[0] for row in rows]
    earlier = set(db.session.scalars(
        select(Placement.organisation_id).distinct()
        .join(Assignment, Assignment.placement_id == Placement.id)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .where(Placement.organisation_id.in_(ids), Assignment.state.in_(EVALUABLE),
               PraoPeriod.first_day < scope.first_day)))
    again = set(db.session.scalars(
        select(Placement.organisation_id).distinct()
        .join(Assignment, Assignment.placement_id == Placement.id)
        .join(FeedbackResponse, FeedbackResponse.assignment_id == Assignment.id)
        .where(Placement.organisation_id.in_(ids), Assignment.id.in_(_in_year(scope)),
               FeedbackResponse.again_next_term.is_(True))))
    return [ThankRow(oid, name, float(mean), int(n), oid in earlier, oid in again)
            for oid, name, mean, n in rows]


def thanks(school_year: int) -> list[ThankRow]:
    """Every employer to thank (thanks_page for one page of them)."""
    return _thank_rows(school_year, db.session.execute(_thanked(school_year)).all())


def thanks_page(school_year: int, page: int) -> Paged[ThankRow]:
    found = paged(_thanked(school_year), page, THANKS_PER_PAGE, tuple)
    return Paged(_thank_rows(school_year, found.items), found.total, found.page, found.per_page)


@dataclass(frozen=True)
class TextAnswer:
    school: str
    workplace: str
    pupil: str
    question: str
    text: str


def text_answers(school_year: int, language: str, page: int) -> Paged[TextAnswer]:
    """One page of the pupils' free-text answers and the supervisors' statements of a
    school year, by school and workplace: for the coordinator only."""
    labels = {**_labels(Audience.EMPLOYER, language), **_labels(Audience.PUPIL, language)}
    text_keys = {question["key"] for audience in Audience for form in versions(audience)
                 for question in form.questions if question["kind"] == q.T}
    stmt = (select(School.name, Organisation.name, Student.first_name + " " + Student.last_name,
                   FeedbackAnswer.question_key, FeedbackAnswer.text)
            .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
            .join(Assignment, Assignment.id == FeedbackResponse.assignment_id)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(Student, Student.id == Enrolment.student_id)
            .join(School, School.id == Student.school_id)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(FeedbackAnswer.question_key.in_(sorted(text_keys)), FeedbackAnswer.text != "",
                   Enrolment.period_id.in_(periods_in(Scope(school_year))))
            .order_by(School.name, Organisation.name, FeedbackResponse.id, FeedbackAnswer.id))

    def answer(row: Sequence[Any]) -> TextAnswer:
        school, org, pupil, key, text = row
        return TextAnswer(school, org, pupil, labels.get(key, key), text)

    return paged(stmt, page, TEXTS_PER_PAGE, answer)
