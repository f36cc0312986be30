"""Evaluation pages: the pupil's (personal link), the supervisor's (signed link) and the
signed-in employer's; the coordinator's questions, free text and employers to thank; the
answer rates for counsellors and the coordinator. Thin: check, call a service, show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal import clock
from portal.accounts.models import Role
from portal.accounts.permissions import authorize_role, get_authorized, public, require
from portal.audit import audit_read
from portal.feedback import bp, links, services
from portal.feedback import questions as q
from portal.feedback.forms import KIND_LABELS, EvaluationForm, QuestionsForm, RollOverForm
from portal.feedback.models import Audience, FeedbackForm
from portal.i18n import current_language, term_label
from portal.prao.models import Assignment
from portal.prao.services import Actor
from portal.reports.tables import Scope, school_year_of
from portal.schools.models import PraoPeriod
from portal.schools.pupils import services as pupils
from portal.urls import page_number

if TYPE_CHECKING:
    from portal.prao.overview import PupilPlacement


def _supervisor(assignment: Assignment) -> Actor:
    placement = assignment.placement
    return Actor(None, _("%(name)s (handledare, via länk)",
                         name=placement.supervisor_name or placement.organisation.name))


@bp.app_template_global("pupil_evaluation")
def pupil_evaluation(prao: PupilPlacement) -> str:
    """For the pupil's page: "open" (time to answer), "done" or "" (not yet, or nothing).
    `prao` has all the enrolment's assignments and the evaluated ones, as the page has
    read them."""
    assignment = next((a for a in sorted(prao.assignments, key=lambda a: a.id)
                       if a.state in services.EVALUABLE), None)
    if assignment is None or not services.is_open(assignment, clock.today()):
        return ""
    return "done" if assignment.id in prao.evaluated else "open"


@bp.app_template_filter("decimal")
def decimal(value: float) -> str:
    """3,8 in Swedish, 3.8 in English: a mean with one decimal."""
    return format_decimal(value, "0.0")


@bp.app_template_global("evaluation_rate")
def evaluation_rate(period: PraoPeriod) -> services.Rate:
    return services.period_rate(period, clock.today())


# --- one evaluation form, whoever answers -------------------------------------------------

def _form_version(audience: Audience) -> FeedbackForm:
    """The version the page showed (answers belong to it), else the current one."""
    posted = request.form.get("form_id", "")
    found = services.form_version(int(posted), audience) \
        if posted.isascii() and posted.isdigit() and len(posted) < 10 else None
    return found or services.current_form(audience)


def _posted(version: FeedbackForm) -> MultiDict[str, str]:
    """The posted answers with a row for every question, also one left unanswered (a
    browser sends nothing for radio buttons none of which is chosen), so that row i is
    question i and its message lands beside it."""
    formdata: MultiDict[str, str] = MultiDict(request.form.items(multi=True))
    for index in range(len(version.questions)):
        if not any(k.startswith(f"answers-{index}-") for k in formdata):
            formdata.add(f"answers-{index}-text", "")
    return formdata


def _answers(form: EvaluationForm, version: FeedbackForm) -> dict[str, str]:
    given: dict[str, str] = {}
    for index, question in enumerate(version.questions):
        if index >= len(form.answers.entries):
            break
        field = _field_of(question, form.answers.entries[index].form)
        given[question["key"]] = str(field.data or "")
    return given


def _field_of(question: dict[str, Any], entry: Any) -> Any:
    return {q.L: entry.score, q.Y: entry.choice}.get(question["kind"], entry.text)


def _attach(form: EvaluationForm, version: FeedbackForm,
            problems: services.AnswerProblems) -> None:
    """Each message beside its question's field; a field with a message of its own (a text
    too long) keeps only that one."""
    for index, question in enumerate(version.questions):
        message = problems.problems.get(question["key"])
        if message is None or index >= len(form.answers.entries):
            continue
        field = _field_of(question, form.answers.entries[index].form)
        if not field.errors:
            field.errors.append(str(message))


def _attach_missing(form: EvaluationForm, version: FeedbackForm) -> None:
    """A form refused for one field (a text too long) also names every question left
    unanswered, so the pupil mends them all at once, not one sending after another."""
    try:
        services.check_answers(version, _answers(form, version))
    except services.AnswerProblems as problems:
        _attach(form, version, problems)


def _blank_form(audience: Audience) -> tuple[EvaluationForm, FeedbackForm]:
    version = services.current_form(audience)
    form = EvaluationForm(formdata=None, data={"form_id": version.id,
                                               "answers": [{} for _ in version.questions]})
    return form, version


def _answer(assignment: Assignment, audience: Audience,
            actor: Actor) -> tuple[EvaluationForm, FeedbackForm, bool | None]:
    """Read and store a posted evaluation: (form, version, stored now); None when the form
    is shown again with its messages."""
    version = _form_version(audience)
    form = EvaluationForm(formdata=_posted(version))
    if not form.validate():
        _attach_missing(form, version)
        return form, version, None
    try:
        _response, created = services.submit(assignment, audience, version,
                                              _answers(form, version), actor)
    except services.AnswerProblems as problems:
        _attach(form, version, problems)
        return form, version, None
    return form, version, created


def _evaluation_page(template: str, assignment: Assignment, audience: Audience,
                     form: EvaluationForm | None = None, version: FeedbackForm | None = None,
                     status: int = 200, **context: Any) -> ResponseReturnValue:
    response = services.response_of(assignment.id, audience)
    if form is None or version is None:
        form, version = _blank_form(audience)
    language = current_language()
    # Names the pupil (the supervisor's page) or shows the pupil's own answers.
    audit_read(f"read_{audience.value}_evaluation", assignment)
    return render_template(
        template, assignment=assignment, form=form, version=version, language=language,
        rows=list(zip(version.questions, form.answers.entries, strict=False)), q=q,
        label=q.label, response=response, roll_over=RollOverForm(),
        shown=services.shown_answers(response, language) if response else [], **context
    ), status


def _stored_message(created: bool) -> None:
    if created:
        flash(_("Tack! Utvärderingen är sparad."), "success")
    else:
        flash(_("Utvärderingen var redan inskickad. Det första svaret gäller."), "info")


# --- the pupil ----------------------------------------------------------------------------

@bp.route("/elev/<token>/utvardering", methods=["GET", "POST"])
@public
def pupil(token: str) -> ResponseReturnValue:
    try:
        enrolment = pupils.enrolment_for_token(token)
    except pupils.LinkError as error:
        return render_template("schools/pupil_link_problem.html", reason=error.reason), 404
    assignment = services.pupil_assignment(enrolment)
    if assignment is None or not services.is_open(assignment, clock.today()):
        abort(404)
    page = "feedback/pupil.html"
    if request.method == "POST":
        form, version, created = _answer(assignment, Audience.PUPIL,
                                         Actor(None, _("Eleven (länk)")))
        if created is None:
            return _evaluation_page(page, assignment, Audience.PUPIL, form, version, 400,
                                    token=token)
        _stored_message(created)
        return redirect(url_for("feedback.pupil", token=token))
    return _evaluation_page(page, assignment, Audience.PUPIL, token=token)


# --- the supervisor, through the signed link ------------------------------------------------

def _link(token: str) -> tuple[links.EvaluationLink, list[Assignment]] | ResponseReturnValue:
    try:
        link = links.read_evaluation_token(token, clock.today())
    except links.LinkError as problem:
        return render_template("prao/link_problem.html", reason=problem.reason), 404
    found = [a for a in services.supervisor_assignments(link)
             if services.is_open(a, clock.today())]
    if not found:
        return render_template("prao/link_problem.html", reason="invalid"), 404
    return link, found


def _linked(token: str, assignment_id: int) -> Assignment | ResponseReturnValue:
    opened = _link(token)
    if not isinstance(opened, tuple) or not isinstance(opened[0], links.EvaluationLink):
        return opened
    chosen = [a for a in opened[1] if a.id == assignment_id]
    if not chosen:
        abort(404)
    return chosen[0]


@bp.route("/handledare/utvardering/<token>")
@public
def supervisor(token: str) -> ResponseReturnValue:
    opened = _link(token)
    if not isinstance(opened, tuple) or not isinstance(opened[0], links.EvaluationLink):
        return opened
    _link_data, found = opened
    answered = services.responses_of([a.id for a in found], Audience.EMPLOYER)
    audit_read("read_evaluation_link", found[0].placement, pupils=len(found), detail="link")
    return render_template("feedback/pupils.html", pupils=found, answered=answered,
                           url=lambda a: url_for("feedback.supervisor_pupil", token=token,
                                                 assignment_id=a.id))


@bp.route("/handledare/utvardering/<token>/<int:assignment_id>", methods=["GET", "POST"])
@public
def supervisor_pupil(token: str, assignment_id: int) -> ResponseReturnValue:
    found = _linked(token, assignment_id)
    if not isinstance(found, Assignment):
        return found
    page = "feedback/employer.html"
    back = url_for("feedback.supervisor", token=token)
    roll = url_for("feedback.supervisor_roll_over", token=token, assignment_id=found.id)
    if request.method == "POST":
        form, version, created = _answer(found, Audience.EMPLOYER,
                                         _supervisor(found))
        if created is None:
            return _evaluation_page(page, found, Audience.EMPLOYER, form, version, 400,
                                    back=back, roll=roll)
        _stored_message(created)
        return redirect(url_for("feedback.supervisor_pupil", token=token,
                                assignment_id=found.id))
    return _evaluation_page(page, found, Audience.EMPLOYER, back=back, roll=roll)


@bp.route("/handledare/utvardering/<token>/<int:assignment_id>/nasta-termin",
          methods=["POST"])
@public
def supervisor_roll_over(token: str, assignment_id: int) -> ResponseReturnValue:
    found = _linked(token, assignment_id)
    if not isinstance(found, Assignment):
        return found
    _roll_over(found, _supervisor(found))
    # The page itself, not a redirect: the link is all the supervisor has, and a reload
    # copies nothing twice (the weeks are taken by then).
    return _evaluation_page("feedback/employer.html", found, Audience.EMPLOYER,
                            back=url_for("feedback.supervisor", token=token),
                            roll=url_for("feedback.supervisor_roll_over", token=token,
                                         assignment_id=found.id))


def _roll_over(assignment: Assignment, actor: Actor) -> None:
    if not RollOverForm().validate_on_submit():
        abort(400)
    try:
        result = services.roll_over(assignment, actor)
    except services.FeedbackError as error:
        flash(str(error.message), "warning")
        return
    if result.copied:
        flash(ngettext("Klart! %(num)d erbjudande finns nu för %(target)s. Samordnaren "
                       "granskar det innan eleverna ser det.",
                       "Klart! %(num)d erbjudanden finns nu för %(target)s. Samordnaren "
                       "granskar dem innan eleverna ser dem.", result.copied,
                       target=term_label(result.target)), "success")
    else:
        flash(_("Det fanns inget nytt att kopiera: platsen har redan veckor för %(target)s, "
                "eller veckorna har redan varit.", target=term_label(result.target)), "info")


# --- the signed-in employer -----------------------------------------------------------------

EMPLOYER = "feedback.employer"


@bp.route("/arbetsgivare/utvarderingar")
@require(EMPLOYER)
def employer() -> ResponseReturnValue:
    organisation_id = current_user.organisation_id
    if organisation_id is None:
        abort(404)
    found = services.employer_assignments(organisation_id, clock.today())
    audit_read("read_employer_evaluations", current_user.organisation, pupils=len(found))
    return render_template(
        "feedback/employer_home.html", pupils=found,
        answered=services.responses_of([a.id for a in found], Audience.EMPLOYER),
        summary=services.employer_summary(organisation_id, current_language()),
        minimum=services.MIN_ANSWERS,
        url=lambda a: url_for("feedback.employer_pupil", assignment_id=a.id))


def _employer_assignment(assignment_id: int) -> Assignment:
    found = get_authorized(EMPLOYER, Assignment, assignment_id)
    if not services.is_open(found, clock.today()):
        abort(404)
    return found


@bp.route("/arbetsgivare/utvarderingar/<int:assignment_id>", methods=["GET", "POST"])
@require(EMPLOYER)
def employer_pupil(assignment_id: int) -> ResponseReturnValue:
    found = _employer_assignment(assignment_id)
    page = "feedback/employer.html"
    back = url_for("feedback.employer")
    roll = url_for("feedback.employer_roll_over", assignment_id=found.id)
    if request.method == "POST":
        form, version, created = _answer(found, Audience.EMPLOYER, Actor.of(current_user))
        if created is None:
            return _evaluation_page(page, found, Audience.EMPLOYER, form, version, 400,
                                    back=back, roll=roll)
        _stored_message(created)
        return redirect(url_for("feedback.employer_pupil", assignment_id=found.id))
    return _evaluation_page(page, found, Audience.EMPLOYER, back=back, roll=roll)


@bp.route("/arbetsgivare/utvarderingar/<int:assignment_id>/nasta-termin", methods=["POST"])
@require(EMPLOYER)
def employer_roll_over(assignment_id: int) -> ResponseReturnValue:
    found = _employer_assignment(assignment_id)
    _roll_over(found, Actor.of(current_user))
    return redirect(url_for("feedback.employer_pupil", assignment_id=found.id))


# --- the coordinator's questions ------------------------------------------------------------

AUDIENCE_LABELS = {Audience.PUPIL: _l("Eleverna"), Audience.EMPLOYER: _l("Handledarna")}


@bp.route("/samordnare/utvardering/fragor")
@require("feedback.questions")
def questions() -> ResponseReturnValue:
    forms = {audience: services.current_form(audience) for audience in Audience}
    return render_template("feedback/questions.html", forms=forms, label=q.label,
                           language=current_language(), kinds=KIND_LABELS)


def _audience(name: str) -> Audience:
    try:
        return Audience(name)
    except ValueError:
        abort(404)


@bp.route("/samordnare/utvardering/fragor/<audience>", methods=["GET", "POST"])
@require("feedback.questions")
def edit_questions(audience: str) -> ResponseReturnValue:
    chosen = _audience(audience)
    current = services.current_form(chosen)
    form = QuestionsForm()
    status = 200
    if request.method == "GET":
        form = QuestionsForm(formdata=None, data={
            "based_on": current.version, "questions": [*current.questions, {}]})
    elif not form.validate():
        status = 400
    else:
        rows = [{"key": (e.form.key.data or "").strip(), "kind": e.form.kind.data or "",
                 "label_sv": (e.form.label_sv.data or "").strip(),
                 "label_en": (e.form.label_en.data or "").strip()}
                for e in form.questions.entries]
        kept = [r for r in rows if r["label_sv"]]
        for row in kept:
            row["kind"] = row["kind"] if row["kind"] in KIND_LABELS else q.L
        try:
            saved = services.save_questions(chosen, kept, current_user,
                                            form.based_on.data or 0)
        except services.FeedbackError as error:
            _question_error(form, rows, kept, error)
            status = 400
        else:
            flash(_("Frågorna är sparade som version %(version)d. Svar som redan lämnats "
                    "behåller sina frågor.", version=saved.version), "success")
            return redirect(url_for("feedback.questions"))
    return render_template("feedback/edit_questions.html", form=form, audience=chosen,
                           current=current, audiences=AUDIENCE_LABELS), status


def _question_error(form: QuestionsForm, rows: list[dict[str, str]],
                    kept: list[dict[str, str]], error: services.FeedbackError) -> None:
    if error.field.startswith("questions-"):
        index = rows.index(kept[int(error.field.split("-")[1])])
        form.questions.entries[index].form.key.errors.append(str(error.message))
    else:
        form.based_on.errors.append(str(error.message))


# --- answer rates, free text, employers to thank --------------------------------------------

def _school_year() -> int:
    raw = request.args.get("ar", "")
    this_year = school_year_of(clock.today())
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and abs(int(raw) - this_year) <= 10:
        return int(raw)
    return this_year


def _years() -> list[int]:
    this_year = school_year_of(clock.today())
    return [this_year - n for n in range(3)]


# The coordinator's answer rates, per school or per employer (a country has 30,000).
BY_SCHOOL, BY_EMPLOYER = "skola", "arbetsgivare"


@bp.route("/utvardering/svarsfrekvens")
@require("feedback.rates")
def rates() -> ResponseReturnValue:
    year, page = _school_year(), page_number(request.args)
    scope, today = Scope(year), clock.today()
    coordinator = current_user.role is Role.COORDINATOR
    by = BY_EMPLOYER if coordinator and request.args.get("per") == BY_EMPLOYER else BY_SCHOOL
    if by == BY_EMPLOYER:
        tables = {a: services.employer_rates_page(a, today, scope, page) for a in Audience}
    else:
        schools = None if coordinator else [s.id for s in current_user.schools]
        tables = {a: services.school_rates_page(a, today, scope, schools, page)
                  for a in Audience}
    return render_template("feedback/rates.html", tables=tables, by=by, coordinator=coordinator,
                           year=year, years=_years(), scope=scope, goal=services.GOAL,
                           audiences=Audience, year_args={"per": by} if coordinator else {},
                           pagination=tables[Audience.PUPIL])


@bp.route("/samordnare/utvardering/fritext")
@require("feedback.texts")
def texts() -> ResponseReturnValue:
    year = _school_year()
    found = services.text_answers(year, current_language(), page_number(request.args))
    # Each text is shown with the pupil's name.
    audit_read("read_evaluation_texts", None,
               pupils=len({(row.school, row.pupil) for row in found.items}),
               detail=f"school year {year}")
    return render_template("feedback/texts.html", found=found, year=year, years=_years(),
                           scope=Scope(year), pagination=found)


@bp.route("/samordnare/utvardering/tacka")
@require("feedback.thanks")
def thanks() -> ResponseReturnValue:
    authorize_role("feedback.thanks")
    year = _school_year()
    found = services.thanks_page(year, page_number(request.args))
    return render_template("feedback/thanks.html", found=found, year=year,
                           years=_years(), scope=Scope(year), threshold=services.THANK_AVERAGE,
                           pagination=found)
