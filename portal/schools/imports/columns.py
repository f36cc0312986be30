"""The pupil import's columns, defined once: the reader finds them by their headers, the
export writes their Swedish headers, the preview names changed fields by their label and the
upload page's help table lists them with their help text.

Pure, like the reader: `label` and `help` are msgids (marked for extraction by `_l`) that
whoever shows them translates; `label` is also the Swedish header a file should carry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from portal.texts import mark as _l

NOT_A_LETTER_RE = re.compile(r"[\W_]+")


def header_key(text: str) -> str:
    """'Elev-ID', ' elevid ', 'ELEV ID' -> 'elevid': case, spaces and punctuation ignored."""
    return NOT_A_LETTER_RE.sub("", unicodedata.normalize("NFC", text).casefold())


def header_keys(*names: str) -> frozenset[str]:
    return frozenset(header_key(name) for name in names)


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the Swedish header: what the export writes and a missing column is called
    english: str  # the English header, also accepted
    aliases: frozenset[str]  # header keys the reader recognises
    required: bool = False
    max_length: int | None = None
    help: str = ""  # what the column holds, for the upload page

    def header(self, lang: str) -> str:
        """The header to write in a file, as a reader of this language would."""
        return self.english if lang == "en" else self.label


# Lengths are the model's column lengths: a longer value is a problem, never cut silently.
COLUMNS: tuple[Column, ...] = (
    Column("external_id", _l("Elev-ID"), "Student ID",
           header_keys("Elev-ID", "Elevid", "ID", "Extern id", "Externt id", "Student id",
                       "Pupil id", "External id", "Elevnummer", "Elevnr"), True, 64,
           help=_l("Elevens id i skolans system (inte personnummer).")),
    Column("first_name", _l("Förnamn"), "First name",
           header_keys("Förnamn", "Fornamn", "First name", "Given name"), True, 100,
           help=_l("Sparas precis som det är skrivet.")),
    Column("last_name", _l("Efternamn"), "Last name",
           header_keys("Efternamn", "Last name", "Surname", "Family name"), True, 100,
           help=_l("Sparas precis som det är skrivet.")),
    Column("class_name", _l("Klass"), "Class",
           header_keys("Klass", "Class", "Klassnamn", "Class name"), True, 20,
           help=_l("Till exempel 8B. Årskursen läses ur klassen om kolumnen Årskurs saknas.")),
    Column("grade", _l("Årskurs"), "Grade", header_keys("Årskurs", "Arskurs", "Åk", "Grade"),
           help=_l("Ett tal, till exempel 8.")),
    Column("gender", _l("Kön"), "Gender", header_keys("Kön", "Kon", "Gender", "Sex"),
           help=_l("Flicka, pojke, annat eller tomt. Används bara i jämställdhetsstatistik.")),
    Column("needs", _l("Behov"), "Needs", header_keys("Behov", "Needs"),
           help=_l("Vad arbetsplatsen behöver ha, med komma emellan, till exempel Hiss, "
                   "Hörslinga. Inga diagnoser.")),
    Column("email", _l("E-post"), "Email",
           header_keys("E-post", "Epost", "E-postadress", "Email", "E-mail", "Email address",
                       "Mejl", "Mail"), max_length=254,
           help=_l("Elevens e-postadress i skolan.")),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
FIELD_BY_KEY = {alias: column.field for column in COLUMNS for alias in column.aliases}
# The fields a saved pupil can change, in the order of PupilRow.values().
CHANGEABLE = tuple(column for column in COLUMNS if column.field != "external_id")
