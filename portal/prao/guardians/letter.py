"""The guardian letter's text, built once in the language the counsellor chose and then
shown as a printable page, drawn as a PDF and sent as an email: the three never differ.

Everything a guardian needs before the prao: where and when, the supervisor, the risks
from the workplace's risk assessment for minors, how to report absence, insurance, food
and travel, and whom to ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.prao.days import count_prao_days
from portal.prao.models import Assignment
from portal.privacy import notice_url
from portal.templating import long_date

LETTER_LANGUAGES = ("sv", "en")
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


@dataclass(frozen=True)
class Section:
    heading: str
    text: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    link: tuple[str, str] | None = None  # (words, absolute address) after the text


@dataclass(frozen=True)
class Letter:
    lang: str
    subject: str
    title: str
    recipient: str
    intro: str
    sections: tuple[Section, ...]
    sender: tuple[str, ...]
    dated: str
    ack_prompt: str  # above the acknowledgement link or button
    ack_button: str
    slip_heading: str  # the reply slip on paper
    slip_text: str
    slip_lines: tuple[str, ...]
    pupil_name: str


def language(value: str | None) -> str:
    """The letter language asked for, Swedish unless English is asked for."""
    return value if value in LETTER_LANGUAGES else LETTER_LANGUAGES[0]


def _hm(moment: time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def _join(*parts: str, sep: str = ", ") -> str:
    return sep.join(p.strip() for p in parts if p and p.strip())


def build_letter(assignment: Assignment, lang: str, today: date) -> Letter:
    """The letter for this assignment in `lang` (sv or en)."""
    with force_locale(language(lang)):
        return _build(assignment, language(lang), today)


def _build(assignment: Assignment, lang: str, today: date) -> Letter:
    student = assignment.enrolment.student
    name = student.full_name
    return Letter(
        lang=lang,
        subject=_("Information om praon för %(name)s", name=name),
        title=_("Information till vårdnadshavare om prao"),
        recipient=_("Till vårdnadshavare för %(name)s, klass %(group)s",
                    name=name, group=student.class_name or "–"),
        intro=_intro(assignment),
        sections=(_workplace(assignment), _risks(assignment), _absence(assignment),
                  _insurance(assignment), _food_and_travel(), _contact(assignment),
                  _personal_data()),
        sender=_sender(assignment),
        dated=long_date(today),
        ack_prompt=_("Bekräfta att ni har tagit del av riskinformationen i brevet."),
        ack_button=_("Jag har tagit del av riskinformationen"),
        slip_heading=_("Svarstalong – lämnas till skolan"),
        slip_text=_("Jag har tagit del av informationen om praon för %(name)s och av "
                    "arbetsplatsens riskinformation.", name=name),
        slip_lines=(_("Datum"), _("Vårdnadshavares underskrift"), _("Namnförtydligande")),
        pupil_name=name,
    )


def _intro(assignment: Assignment) -> str:
    period = assignment.enrolment.period
    days = count_prao_days(period.first_day, period.last_day)
    return _("%(name)s gör prao (praktisk arbetslivsorientering) från %(first)s till "
             "%(last)s, %(days)d dagar. Praon är en del av skolans undervisning och "
             "skolplikten gäller. Här är det ni behöver veta om platsen.",
             name=assignment.enrolment.student.first_name,
             first=long_date(period.first_day),
             last=long_date(period.last_day), days=days)


def _hours(assignment: Assignment) -> str:
    placement = assignment.placement
    hours = f"{_hm(placement.day_start)}–{_hm(placement.day_end)}"
    if placement.break_minutes:
        pause = _("rast %(n)d minuter", n=placement.break_minutes)
        if placement.break_start:
            pause = _("rast %(n)d minuter från %(start)s", n=placement.break_minutes,
                      start=_hm(placement.break_start))
        hours = _join(hours, pause)
    return hours


def _workplace(assignment: Assignment) -> Section:
    placement = assignment.placement
    first_day = ""
    if placement.first_day_start or placement.first_day_ask_for:
        first_day = _join(
            _("kom kl. %(time)s", time=_hm(placement.first_day_start))
            if placement.first_day_start else "",
            _("fråga efter %(name)s", name=placement.first_day_ask_for)
            if placement.first_day_ask_for else "")
    supervisor = _join(placement.supervisor_name, placement.supervisor_phone,
                       placement.supervisor_email)
    return Section(_("Arbetsplatsen"), facts=(
        (_("Arbetsplats"), _join(placement.organisation.name, placement.title, sep=" – ")),
        (_("Adress"), _join(placement.address, _join(placement.postal_code, placement.city,
                                                     sep=" "))),
        (_("Arbetstider"), _hours(assignment)),
        (_("Första dagen"), first_day),
        (_("Handledare"), supervisor),
        (_("Ta med och ha på dig"), placement.bring_and_wear),
        (_("Arbetsuppgifter"), placement.tasks),
    ))


def _risks(assignment: Assignment) -> Section:
    placement = assignment.placement
    if placement.risk_confirmed_at is None:
        done = _("Arbetsplatsen har ännu inte bekräftat sin riskbedömning för minderåriga. "
                 "Skolan hör av sig om något behöver ändras.")
    else:
        done = _("Arbetsplatsen har gjort en riskbedömning för minderåriga. Så här "
                 "beskriver den riskerna och vad arbetsplatsen gör åt dem.")
    rules = _("Som minderårig arbetar eleven högst 7 timmar om dagen och 35 timmar i veckan, "
              "aldrig mellan 20:00 och 06:00, och har rast efter högst 4,5 timmar.")
    return Section(_("Risker och säkerhet"), text=(done,), facts=(
        (_("Risker"), placement.risk_hazards),
        (_("Åtgärder"), placement.risk_measures),
        (_("Skyddsutrustning"), placement.protective_equipment),
        (_("Introduktion"), placement.risk_introduction),
        (_("Ansvarig på arbetsplatsen"), placement.risk_supervisor or placement.supervisor_name),
    ) + ((_("Regler för minderåriga"), rules),))


def _absence(assignment: Assignment) -> Section:
    school, placement = assignment.enrolment.period.school, assignment.placement
    return Section(_("Frånvaro"), text=(
        _("Om eleven är sjuk eller inte kan komma: anmäl det samma morgon både till skolan, "
          "som vanligt, och till handledaren på arbetsplatsen."),
    ), facts=(
        (_("Till skolan"), school.absence_contact or school.name),
        (_("Till arbetsplatsen"), _join(placement.supervisor_name, placement.supervisor_phone)),
    ))


def _insurance(assignment: Assignment) -> Section:
    municipality = assignment.enrolment.period.school.municipality.name
    return Section(_("Försäkring"), text=(
        _("Eleven omfattas av kommunens elevförsäkring (%(municipality)s) under praon, både "
          "på arbetsplatsen och på vägen dit och hem. Ett olycksfall eller tillbud anmäls "
          "till skolan samma dag.", municipality=municipality),
    ))


def _food_and_travel() -> Section:
    return Section(_("Mat och resor"), text=(
        _("Eleven har rätt till lunch även under praon. Skolan berättar hur lunchen ordnas, "
          "till exempel lunch på arbetsplatsen, på en närliggande skola eller med "
          "matersättning."),
        _("Eleven tar sig till arbetsplatsen på samma sätt som till skolan. Har eleven "
          "busskort eller skolskjuts gäller det också under praon. Fråga skolan om resan "
          "kräver något annat."),
    ))


def _contact(assignment: Assignment) -> Section:
    school = assignment.enrolment.period.school
    counsellors = tuple(_join(c.name, c.email) for c in school.active_counsellors)
    return Section(_("Frågor"), text=(
        _("Frågor om praon besvaras av skolans studie- och yrkesvägledare."),
    ) + counsellors)


def _personal_data() -> Section:
    return Section(_("Personuppgifter"), text=(
        _("Skolan sparar uppgifter om eleven och om er i Praoportalen för att kunna ordna "
          "praon. Vad som sparas, vem som ser det, hur länge det sparas och vad ni får göra "
          "står här:"),
    ), link=(_("Så använder vi dina uppgifter"), notice_url()))


def _sender(assignment: Assignment) -> tuple[str, ...]:
    school = assignment.enrolment.period.school
    return (school.name, _join(school.address))
