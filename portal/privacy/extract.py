"""The register extract as files: JSON (English keys, every value as stored, for machines)
and a PDF in the reader's language (for the pupil and the guardians to read)."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, time

from flask_babel import gettext as _

from portal.employers.reference import feature_codes, features
from portal.feedback.models import QuestionKind
from portal.prao.checklist import BY_KEY
from portal.prao.pdf import Document
from portal.privacy.actions import action_label, detail_label, object_label
from portal.privacy.services import Extract, Row
from portal.templating import clock_time, iso_date, iso_datetime, long_date
from portal.texts import mark as _l

SECTION_TITLES: dict[str, str] = {
    "student": _l("Eleven"),
    "enrolments": _l("Praoperioder"),
    "match_results": _l("Matchningen: lottnummer och förklaring"),
    "wishes": _l("Önskemål"),
    "own_placements": _l("Egen praoplats"),
    "assignments": _l("Praoplatser"),
    "attendance": _l("Närvaro"),
    "attendance_reports": _l("Varje närvarorapport, också de som ändrades senare"),
    "attendance_alerts": _l("Larm om frånvaro"),
    "steps": _l("Checklistans steg"),
    "follow_ups": _l("Uppföljningar"),
    "incidents": _l("Olyckor och tillbud"),
    "guardian_notices": _l("Brev till vårdnadshavare"),
    "certificates": _l("Praointyg"),
    "evaluations": _l("Utvärderingar"),
    "evaluation_reminders": _l("Påminnelser om utvärderingen"),
    "evaluation_emails": _l("Påminnelser till handledaren där eleven nämns"),
    "audit": _l("Vem som har läst eller ändrat uppgifterna"),
    "emails": _l("E-post till eleven och vårdnadshavarna"),
}

COLUMN_LABELS: dict[str, str] = {
    "first_name": _l("Förnamn"), "last_name": _l("Efternamn"), "school": _l("Skola"),
    "class_name": _l("Klass"), "grade": _l("Årskurs"), "gender": _l("Kön"),
    "needs": _l("Behov på arbetsplatsen"), "email": _l("E-post"),
    "guardian_email": _l("Vårdnadshavares e-post"), "external_id": _l("Elev-id i skolans system"),
    "created_at": _l("Sparad"), "missing_since": _l("Saknas i skolans lista sedan"),
    "purged_at": _l("Gallrad"), "period": _l("Period"), "first_day": _l("Första dag"),
    "last_day": _l("Sista dag"), "state": _l("Läge"), "exempt_reason": _l("Skäl till befrielse"),
    "own_refusal": _l("Skäl till att den egna platsen inte godkändes"),
    "link_revoked": _l("Länken spärrad"), "rank": _l("Önskemål nummer"),
    "placement": _l("Praoplats"), "organisation": _l("Arbetsgivare"),
    "first_week": _l("Från vecka"), "last_week": _l("Till vecka"),
    "workplace": _l("Arbetsplats"), "address": _l("Adress"), "city": _l("Ort"),
    "contact_name": _l("Kontaktperson"), "contact_email": _l("Kontaktens e-post"),
    "contact_phone": _l("Kontaktens telefon"), "tasks": _l("Arbetsuppgifter"),
    "status": _l("Status"), "source": _l("Hur platsen valdes"), "decided_at": _l("Besvarad"),
    "decline_reason": _l("Skäl att tacka nej"), "placement_reason": _l("Skäl till placeringen"),
    "day": _l("Dag"), "start_time": _l("Kom"), "end_time": _l("Gick"),
    "break_minutes": _l("Rast (minuter)"), "excused": _l("Giltig frånvaro"),
    "reported_by_label": _l("Rapporterad av"), "reported_at": _l("Rapporterad"),
    "step": _l("Steg"), "done_at": _l("Klart"), "done_by_label": _l("Av"),
    "kind": _l("Slag"), "at": _l("När"), "enjoys": _l("Trivs eleven?"),
    "adjust": _l("Något att justera?"), "plan": _l("Plan för resten av veckan"),
    "questions": _l("Frågor"), "note": _l("Anteckning"), "severity": _l("Allvarlighet"),
    "occurred_at": _l("Hände"), "what": _l("Vad hände"), "injury": _l("Skada"),
    "measures": _l("Åtgärder"), "channel": _l("Sätt"), "sent_at": _l("Skickat"),
    "acknowledged_at": _l("Kvitterat"), "code": _l("Kontrollkod"), "issued_at": _l("Utfärdat"),
    "name": _l("Namn"), "days_attended": _l("Dagar på arbetsplatsen"),
    "hours_text": _l("Arbetad tid"), "user": _l("Användare"), "action": _l("Händelse"),
    "object_type": _l("Gäller"), "object_id": _l("Nummer"), "detail": _l("Detaljer"),
    "recipient": _l("Till"), "subject": _l("Ämne"),
    "evaluation": _l("Utvärdering"), "version": _l("Frågornas version"),
    "submitted_at": _l("Inskickad"), "submitted_by_label": _l("Inskickad av"),
    "statement": _l("Omdöme till praointyget"),
    "again_next_term": _l("Tar emot praoelever igen nästa termin"),
    "reminded": _l("Påminnelse till"), "day_number": _l("Dag efter perioden"),
    "run_status": _l("Matchningens läge"), "lottery": _l("Lottnummer"),
    "explanation": _l("Förklaring"), "guardian_sent_at": _l("Skickat till vårdnadshavare"),
}

# Codes whose words depend on the column: the same "pupil" is whose evaluation it is in one
# and whom a reminder went to in the other.
KEYED_LABELS: dict[tuple[str, str], str] = {
    ("evaluation", "pupil"): _l("elevens utvärdering av praoplatsen"),
    ("evaluation", "employer"): _l("handledarens utvärdering av eleven"),
    ("reminded", "pupil"): _l("eleven"),
    ("reminded", "employer"): _l("handledaren"),
}

# Columns of free text: never read as a code, whatever they say.
FREE_TEXT = frozenset({"detail", "what", "statement", "submitted_by_label", "subject",
                       "explanation"})

VALUE_LABELS: dict[str, str] = {
    "girl": _l("flicka"), "boy": _l("pojke"), "other": _l("annat"), "unknown": _l("okänt"),
    "needs_placement": _l("behöver en praoplats"), "own_placement": _l("egen praoplats"),
    "assigned": _l("har fått en praoplats"), "exempt": _l("befriad från prao"),
    "proposed": _l("föreslagen"), "confirmed": _l("bekräftad"), "in_progress": _l("pågår"),
    "completed": _l("genomförd"), "declined": _l("tackade nej"), "cancelled": _l("avbruten"),
    "matching": _l("matchning"), "manual": _l("placerad av studie- och yrkesvägledaren"),
    "own": _l("egen plats"), "present": _l("närvarande"), "absent": _l("frånvarande"),
    "late": _l("kom sent"), "contact": _l("kontakt"), "visit": _l("besök"),
    "accident": _l("olycka"), "near_miss": _l("tillbud"), "minor": _l("lindrig"),
    "serious": _l("allvarlig"), "letter": _l("brev"), "pending": _l("väntar"),
    "sent": _l("skickat"), "failed": _l("misslyckades"), "withdrawn": _l("återtagen"),
    "first_round": _l("första omgången"), "second_round": _l("andra omgången"),
    "none": _l("ingen plats i omgången"), "draft": _l("utkast"), "published": _l("publicerad"),
    "discarded": _l("förkastad"),
    "not_reported": _l("inte rapporterad kl. 10"), "hours": _l("arbetstiden bryter mot reglerna"),
}


# --- JSON ----------------------------------------------------------------------------------

def _plain(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def to_json(extract: Extract) -> bytes:
    document = {
        "document": "registerutdrag",
        "made_at": extract.made_at.isoformat(),
        "student_id": extract.student.id,
        "sections": {name: [{key: _plain(value) for key, value in row.items()} for row in rows]
                     for name, rows in extract.sections.items()},
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- PDF -----------------------------------------------------------------------------------

def _needs(mask: int, lang: str) -> str:
    codes = set(feature_codes(mask))
    return ", ".join(e.label(lang) for e in features() if e.code in codes) or _("inga")


def _coded(key: str, value: object, lang: str) -> str | None:
    """A value stored as a code (needs bits, a checklist step, a state), in words."""
    if key == "needs" and isinstance(value, int) and not isinstance(value, bool):
        return _needs(value, lang)
    if key == "step" and isinstance(value, str) and value in BY_KEY:
        return _(BY_KEY[value].label)
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str) and (key, value) in KEYED_LABELS:
        return _(KEYED_LABELS[(key, value)])
    if isinstance(value, str) and value in VALUE_LABELS and key not in FREE_TEXT:
        return _(VALUE_LABELS[value])
    return None


def _text(key: str, value: object, lang: str) -> str:
    if value is None or value == "":
        return ""
    coded = _coded(key, value, lang)
    if coded is not None:
        return coded
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return long_date(value, lang) if key in ("first_day", "last_day") else iso_date(value)
    if isinstance(value, time):
        return clock_time(value)
    return str(value)


def _answer(answer: Row) -> tuple[str, str]:
    """One evaluation answer: the question as asked, and the answer in words."""
    if answer["score"] is not None:
        value = _("%(score)d av 5", score=answer["score"])
    elif answer["kind"] == QuestionKind.YESNO.value:
        value = {"yes": _("ja"), "no": _("nej")}.get(answer["answer"], answer["answer"])
    else:
        value = answer["answer"]
    return str(answer["question"]), value


def _event_words(key: str, value: object, row: Row) -> str | None:
    """An audit event's action, object and details in words, as the coordinator's log
    reads them: the extract goes to a pupil, not to whoever knows the codes."""
    if key == "action":
        return str(action_label(str(value)))
    if key == "object_type":
        return str(object_label(str(value))) if value else ""
    if key == "detail":
        return detail_label(str(row["action"]), str(value)) if value else ""
    return None


def _row_facts(row: Row, lang: str) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    is_event = "action" in row and "object_type" in row
    for key, value in row.items():
        words = _event_words(key, value, row) if is_event else None
        if key == "answers":
            facts.extend(_answer(answer) for answer in value)
        elif words is not None:
            facts.append((_(COLUMN_LABELS.get(key, key)), words))
        else:
            facts.append((_(COLUMN_LABELS.get(key, key)), _text(key, value, lang)))
    return facts


def to_pdf(extract: Extract, lang: str) -> bytes:
    title = _("Registerutdrag")
    student = extract.student
    name = f"{student.first_name} {student.last_name}".strip() or _("(namnet är gallrat)")
    doc = Document(f"{title} – {name}", lang, footer=f"{title} – {name}")
    doc.title_block(title, _("Alla uppgifter som Praoportalen har om %(name)s, den %(day)s.",
                             name=name, day=long_date(extract.made_at, lang)))
    doc.paragraph(_("Utdraget är gjort enligt artikel 15 i dataskyddsförordningen (GDPR). "
                    "Har du frågor, eller är något fel, kontakta din studie- och "
                    "yrkesvägledare."))
    for key, rows in extract.sections.items():
        doc.heading(f"{_(SECTION_TITLES[key])} ({len(rows)})")
        if not rows:
            doc.paragraph(_("Inga uppgifter."))
        for row in rows:
            doc.facts(_row_facts(row, lang))
    return doc.to_bytes()
