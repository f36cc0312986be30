"""The audit log's actions and objects in words: what the coordinator reads in the log
instead of the codes the portal writes (the codes stay in the database)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from portal.accounts.models import Role
from portal.i18n import shown_label
from portal.prao.attendance.forms import FOLLOW_UP_LABELS, STATUS_LABELS
from portal.prao.checklist import BY_KEY
from portal.prao.models import AttendanceStatus, FollowUpKind, IncidentKind, IncidentSeverity
from portal.templating import ROLE_LABELS

ACTION_LABELS: Mapping[str, object] = {  # lazily translated texts
    # accounts
    "login": _l("Loggade in"),
    "logout": _l("Loggade ut"),
    "password_reset_requested": _l("Bad om en länk för nytt lösenord"),
    "password_reset": _l("Valde ett nytt lösenord"),
    "user_invited": _l("Bjöd in en användare"),
    "invitation_resent": _l("Skickade inbjudan igen"),
    "invitation_accepted": _l("Tog emot inbjudan"),
    "user_access_changed": _l("Ändrade en användares behörighet"),
    "user_blocked": _l("Stängde av ett konto"),
    "user_reopened": _l("Öppnade ett konto igen"),
    "email_verified": _l("Bekräftade sin e-postadress"),
    "employer_registered": _l("Registrerade en organisation"),
    "registration_with_existing_address": _l("Registrering med en adress som redan har ett konto"),
    # employers and placements
    "join_approved": _l("Godkände en begäran att gå med i organisationen"),
    "join_rejected": _l("Avslog en begäran att gå med i organisationen"),
    "organisation_approved": _l("Godkände en organisation"),
    "organisation_rejected": _l("Avslog en organisation"),
    "organisation_suspended": _l("Stängde av en organisation"),
    "organisation_updated": _l("Ändrade organisationens uppgifter"),
    "organisation_resubmitted": _l("Rättade en avslagen organisation och skickade den för "
                                   "granskning igen"),
    "placement_created": _l("Skapade en praoplats"),
    "placement_updated": _l("Ändrade en praoplats"),
    "placement_submitted": _l("Skickade en praoplats för granskning"),
    "placement_approved": _l("Godkände en praoplats"),
    "placement_rejected": _l("Avslog en praoplats"),
    "placement_archived": _l("Arkiverade en praoplats"),
    "term_copied": _l("Kopierade praoplatser till nästa termin"),
    "offer_added": _l("Lade till veckor och platser"),
    "offer_updated": _l("Ändrade veckor och platser"),
    "offer_removed": _l("Tog bort veckor och platser"),
    "auto_publish_on": _l("Slog på direktpublicering för godkända arbetsgivare"),
    "auto_publish_off": _l("Slog av direktpublicering för godkända arbetsgivare"),
    "calendar_entry_added": _l("Lade in praoveckor i kalendern"),
    "calendar_entry_removed": _l("Tog bort praoveckor ur kalendern"),
    "placements_exported": _l("Laddade ner vem som praoar var"),
    # schools, periods and pupils
    "municipality_saved": _l("Sparade en kommun"),
    "school_saved": _l("Sparade en skola"),
    "period_created": _l("Skapade en praoperiod"),
    "period_enrolled": _l("Lade till elever i en praoperiod"),
    "pupils_import_previewed": _l("Förhandsgranskade en elevimport"),
    "pupils_imported": _l("Importerade elever"),
    "pupils_exported": _l("Laddade ner elevlistan"),
    "pupil_links_emailed": _l("Mejlade elevernas personliga länkar"),
    "pupil_link_revoked": _l("Spärrade en elevs personliga länk"),
    "pupil_link_reissued": _l("Gav en elev en ny personlig länk"),
    "enrolment_state": _l("Ändrade en elevs praostatus"),
    "own_placement_link_sent": _l("Skickade länk om egen praoplats till arbetsplatsen"),
    "own_placement_confirmed": _l("Arbetsplatsen bekräftade en egen praoplats"),
    "own_placement_declined": _l("Arbetsplatsen tackade nej till en egen praoplats"),
    "own_placement_approved": _l("Godkände en egen praoplats"),
    "own_placement_rejected": _l("Avslog en egen praoplats"),
    "own_placement_corrected": _l("En egen praoplats rättades via länk"),
    "own_placement_taken_back": _l("Eleven ångrade sin egen praoplats via länk"),
    "own_placement_risk_assessed": _l("Riskbedömde en egen praoplats"),
    # matching
    "matching_round": _l("Körde en matchningsrunda"),
    "matching_moved": _l("Flyttade en elev i matchningen"),
    "matching_published": _l("Publicerade en matchning"),
    "matching_discarded": _l("Kastade en matchning"),
    "matching_withdrawn": _l("Drog tillbaka en publicerad matchning"),
    # the prao itself
    "assignment_confirmed": _l("Arbetsgivaren bekräftade eleven"),
    "assignment_declined": _l("Arbetsgivaren tackade nej till eleven"),
    "assignment_placed_by_hand": _l("Placerade en elev för hand"),
    "step_ticked": _l("Bockade av ett steg i checklistan"),
    "step_unticked": _l("Ångrade en avbockning i checklistan"),
    "guardian_email_saved": _l("Sparade vårdnadshavarens e-postadress"),
    "guardian_letter_sent": _l("Mejlade brevet till vårdnadshavare"),
    "guardian_letter_downloaded": _l("Laddade ner brevet till vårdnadshavare"),
    "guardian_acknowledged": _l("Vårdnadshavare kvitterade riskinformationen"),
    "attendance_reported": _l("Rapporterade närvaro"),
    "absence_excused": _l("Markerade en frånvaro som giltig"),
    "absence_unexcused": _l("Markerade en frånvaro som ogiltig"),
    "incident_reported": _l("Rapporterade en händelse på arbetsplatsen"),
    "follow_up_logged": _l("Skrev in en uppföljning"),
    "certificate_issued": _l("Utfärdade ett praointyg"),
    "certificate_downloaded": _l("Laddade ner ett praointyg"),
    "certificate_verified": _l("Någon kontrollerade ett praointyg"),
    # evaluations
    "pupil_evaluation": _l("Eleven lämnade sin utvärdering"),
    "employer_evaluation": _l("Arbetsgivaren lämnade sin utvärdering"),
    "feedback_questions_saved": _l("Ändrade utvärderingens frågor"),
    # the GDPR
    "register_extract": _l("Tog ut ett registerutdrag"),
    "retention_purge": _l("Gallrade personuppgifter"),
    # reads: a page or a file showed pupils' personal data
    "read_pupil": _l("Läste en elevs sida"),
    "read_pupil_placing": _l("Läste placeringen av en elev"),
    "read_period": _l("Läste en praoperiod"),
    "read_class_list": _l("Läste en klasslista"),
    "read_counsellor_start": _l("Läste SYV:s startsida"),
    "read_checklist": _l("Läste checklistan"),
    "read_import_page": _l("Läste elevimporten"),
    "read_import_preview": _l("Läste förhandsgranskningen av en elevimport"),
    "read_matching_run": _l("Läste en matchningsrunda"),
    "read_matching_result": _l("Läste en elevs matchning"),
    "read_own_placement_requests": _l("Läste förfrågningar om egna praoplatser"),
    "read_own_risk_link": _l("Öppnade länken för riskbedömning av en egen praoplats"),
    "read_attendance_period": _l("Läste närvaron för en period"),
    "read_attendance_record": _l("Läste en elevs närvaro"),
    "read_attendance_link": _l("Öppnade handledarens närvarolänk"),
    "read_supervisor_link": _l("Öppnade handledarens länk"),
    "read_incident_form": _l("Läste formuläret för en händelse"),
    "read_incident_link": _l("Öppnade länken för att rapportera en händelse"),
    "read_guardian_letter": _l("Läste brevet till vårdnadshavare"),
    "read_guardian_period": _l("Läste vårdnadshavarsidan för en period"),
    "read_certificate": _l("Läste ett praointyg"),
    "read_certificate_period": _l("Läste praointygen för en period"),
    "read_employer_start": _l("Läste arbetsgivarens startsida"),
    "read_employer_pupils": _l("Läste arbetsgivarens elever"),
    "read_employer_pupil": _l("Läste en elev hos arbetsgivaren"),
    "read_employer_day": _l("Läste en praodag hos arbetsgivaren"),
    "read_employer_evaluations": _l("Läste arbetsgivarens utvärderingar"),
    "read_evaluation_link": _l("Öppnade en utvärderingslänk"),
    "read_evaluation_texts": _l("Läste fritextsvar i utvärderingar"),
    "read_pupil_evaluation": _l("Läste en elevs utvärdering"),
    "read_employer_evaluation": _l("Läste arbetsgivarens utvärdering av en elev"),
    "read_outbox": _l("Läste utkorgen"),
    "read_outbox_email": _l("Läste ett mejl i utkorgen"),
}


# The kinds of object an event is about (the model's class name, as audit() writes it).
OBJECT_LABELS: Mapping[str, object] = {
    "User": _l("Användarkonto"),
    "Organisation": _l("Organisation"),
    "JoinRequest": _l("Begäran att gå med"),
    "Placement": _l("Praoplats"),
    "PlacementOffer": _l("Veckor och platser"),
    "CalendarEntry": _l("Praoveckor i kalendern"),
    "MatchingRun": _l("Matchningsrunda"),
    "MatchResult": _l("Matchning av en elev"),
    "FeedbackForm": _l("Utvärderingens frågor"),
    "FeedbackResponse": _l("Utvärdering"),
    "Assignment": _l("Elevens prao"),
    "Incident": _l("Olycka eller tillbud"),
    "FollowUp": _l("Uppföljning"),
    "GuardianNotice": _l("Brev till vårdnadshavare"),
    "Certificate": _l("Praointyg"),
    "OutboxEmail": _l("Mejl"),
    "Municipality": _l("Kommun"),
    "School": _l("Skola"),
    "PraoPeriod": _l("Praoperiod"),
    "Student": _l("Elev"),
    "Enrolment": _l("Elev i en praoperiod"),
    "OwnPlacementRequest": _l("Egen praoplats"),
    "PupilImport": _l("Elevimport"),
}


def object_label(kind: str) -> str:
    """The kind of object in the reader's language; an unknown kind shows as written."""
    label = OBJECT_LABELS.get(kind)
    return str(label) if label is not None else kind


def action_label(code: str) -> str:
    """The action in the reader's language; an action without words shows its code."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


# The fields an organisation_updated event names, as the form calls them.
ORGANISATION_FIELDS: Mapping[str, object] = {
    "name": _l("Organisationens namn"), "sector": _l("Bransch"),
    "visiting_address": _l("Besöksadress"), "postal_code": _l("Postnummer"), "city": _l("Ort"),
    "municipality_id": _l("Kommun"), "contact_name": _l("Kontaktperson"),
    "contact_email": _l("Kontaktpersonens e-postadress"),
    "contact_phone": _l("Kontaktpersonens telefon"),
}
_ROLE_CODE = re.compile(r"\b(" + "|".join(r.value for r in Role) + r")\b")
_PUPILS = re.compile(r"(\d+) pupils(?:; (.*))?", re.S)

# What portal.prao.attendance.services writes for a day's report: "2026-11-27 present
# 08:00-14:30 rast 30 min (Handledare x@y.se (länk))", the hours only for a day worked.
_ATTENDANCE = re.compile(r"(?P<day>\d{4}-\d{2}-\d{2}) (?P<status>[a-z_]+)"
                         r"(?: (?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2}) rast (?P<rest>\d+) min)?"
                         r"(?: \((?P<who>.*)\))?", re.S)
# An incident: "near_miss minor (Handledare x@y.se (länk))".
_INCIDENT = re.compile(r"(?P<kind>[a-z_]+) (?P<severity>[a-z_]+)(?: \((?P<who>.*)\))?", re.S)
INCIDENT_DETAILS: Mapping[tuple[str, str], object] = {
    (IncidentKind.ACCIDENT, IncidentSeverity.SERIOUS): _l("Olycka, allvarlig"),
    (IncidentKind.ACCIDENT, IncidentSeverity.MINOR): _l("Olycka, lindrig"),
    (IncidentKind.NEAR_MISS, IncidentSeverity.SERIOUS): _l("Tillbud, allvarligt"),
    (IncidentKind.NEAR_MISS, IncidentSeverity.MINOR): _l("Tillbud, lindrigt"),
}
# Events whose detail is who acted, as a label the portal may have written in the language
# of whoever used a link ("Handledare x@y.se (länk)"): shown in the reader's language.
_WHO_DETAILS = frozenset({"assignment_confirmed", "assignment_declined", "pupil_evaluation",
                          "employer_evaluation", "guardian_acknowledged"})
LETTER_LANGUAGES: Mapping[str, object] = {"sv": _l("på svenska"), "en": _l("på engelska")}
REGISTRATION_DETAILS: Mapping[str, object] = {
    "join": _l("bad att gå med i en organisation som redan finns"),
    "new organisation": _l("ny organisation")}
PLACEMENT_OUTCOMES: Mapping[str, object] = {
    "saved": _l("sparad"), "review": _l("skickad för granskning igen"),
    "draft": _l("tillbaka till utkast"), "pending": _l("väntar på granskning"),
    "published": _l("publicerad")}
# Words a read event's detail is made of: "link" (through a signed link), "page 2".
_PAGE = re.compile(r"page (\d+)")


def _attendance(detail: str) -> str | None:
    found = _ATTENDANCE.fullmatch(detail)
    if found is None or found["status"] not in set(AttendanceStatus):
        return None
    words = f"{found['day']}: {STATUS_LABELS[AttendanceStatus(found['status'])]}"
    if found["start"]:
        words += ", " + gettext("%(start)s–%(end)s, rast %(minutes)s min",
                                start=found["start"], end=found["end"],
                                minutes=found["rest"])
    return words + _who(found["who"])


def _incident(detail: str) -> str | None:
    found = _INCIDENT.fullmatch(detail)
    label = INCIDENT_DETAILS.get((found["kind"], found["severity"])) if found else None
    if found is None or label is None:
        return None
    return str(label) + _who(found["who"])


def _who(label: str | None) -> str:
    return f" ({shown_label(label)})" if label else ""


_SCHOOLS = re.compile(r"schools ([\d,]*)")
_SCHOOL_YEAR = re.compile(r"school year (\d{4})")
_EXPORT = re.compile(r"format=(\w+)(?: rows=(\d+))?")
_PLAIN_DETAILS = {"link": _l("via länk"), "public check": _l("kontroll utan inloggning"),
                  "no such account": _l("inget konto med den adressen")}


def school_ids(detail: str) -> list[int]:
    """The ids of the schools a start page showed ("schools 4,3"), in the written order."""
    found = _SCHOOLS.fullmatch(detail)
    return [int(part) for part in found.group(1).split(",") if part] if found else []


def _schools_named(detail: str, names: Mapping[int, str]) -> str:
    # A school since removed keeps its id: the log outlives what it names.
    return ", ".join(names.get(school_id) or gettext("skola %(id)s", id=school_id)
                     for school_id in school_ids(detail))


def _read_words(detail: str, schools: Mapping[int, str]) -> str:
    """The rest of a read event's detail in words: a signed link, a page, the schools of a
    start page (by name, from `schools`), a school year, an export's format and rows."""
    if detail in _PLAIN_DETAILS:
        return str(_PLAIN_DETAILS[detail])
    if (page := _PAGE.fullmatch(detail)) is not None:
        return gettext("sida %(num)s", num=page.group(1))
    if _SCHOOLS.fullmatch(detail) is not None:
        return gettext("skolor: %(names)s", names=_schools_named(detail, schools))
    if (year := _SCHOOL_YEAR.fullmatch(detail)) is not None:
        start = int(year.group(1))
        return gettext("läsåret %(year)s", year=f"{start}/{(start + 1) % 100:02d}")
    if (export := _EXPORT.fullmatch(detail)) is not None:
        kind = export.group(1).upper()
        return kind if export.group(2) is None else ngettext(
            "%(kind)s, %(num)d rad", "%(kind)s, %(num)d rader", int(export.group(2)), kind=kind)
    return detail


def detail_label(action: str, detail: str, schools: Mapping[int, str] | None = None) -> str:
    """An event's details in words where the portal wrote codes (a step, fields, roles, a
    count of pupils, a day's attendance, an incident's kind, …) and labels written through
    a link in the reader's language; anything else as written. `schools` names the schools
    the details name by id (school_ids)."""
    if action in ("step_ticked", "step_unticked") and detail in BY_KEY:
        return gettext(BY_KEY[detail].label)
    if action in ("organisation_updated", "organisation_resubmitted"):
        return ", ".join(str(ORGANISATION_FIELDS.get(name, name))
                         for name in detail.split(", ") if name)
    if action == "user_access_changed":
        words = _ROLE_CODE.sub(lambda m: str(ROLE_LABELS[Role(m.group(1))]), detail)
        return words.replace(" -> ", " → ")
    coded = _coded_detail(action, detail)
    if coded is not None:
        return coded
    pupils = _PUPILS.fullmatch(detail)
    if pupils is not None:
        count = ngettext("%(num)d elev", "%(num)d elever", int(pupils.group(1)))
        return count + (f"; {_read_words(pupils.group(2), schools or {})}"
                        if pupils.group(2) else "")
    return _read_words(detail, schools or {})


def _coded_detail(action: str, detail: str) -> str | None:
    """The codes of attendance, incidents, follow-ups and the like in words, with a
    portal-made label in the reader's language; None for a detail written otherwise."""
    if action == "attendance_reported":
        return _attendance(detail)
    if action == "incident_reported":
        return _incident(detail)
    if action == "follow_up_logged" and detail in set(FollowUpKind):
        return str(FOLLOW_UP_LABELS[FollowUpKind(detail)])
    if action in _WHO_DETAILS:
        return shown_label(detail)
    table = {"guardian_letter_sent": LETTER_LANGUAGES, "employer_registered":
             REGISTRATION_DETAILS, "placement_updated": PLACEMENT_OUTCOMES,
             "placement_submitted": PLACEMENT_OUTCOMES}.get(action)
    if table is not None and detail in table:
        return str(table[detail])
    return None
