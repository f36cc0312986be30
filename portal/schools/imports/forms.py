"""Forms for the pupil import: the upload and the confirmation after the preview."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize

from portal.formtools import PortalForm
from portal.schools.imports.reading import MAX_UPLOAD_BYTES

ACCEPT = ",".join((".csv", ".txt", ".xlsx", "text/csv",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))


class PupilUploadForm(PortalForm):
    file = FileField(
        _l("Fil från skolans elevsystem"),
        description=_l("CSV (komma- eller semikolonavgränsad) eller Excel (.xlsx), högst "
                       "%(mb)d MB. Första raden ska vara kolumnrubrikerna.",
                       mb=MAX_UPLOAD_BYTES // (1024 * 1024)),
        validators=[FileRequired(message=_l("Välj filen med elevlistan.")),
                    FileSize(max_size=MAX_UPLOAD_BYTES,
                             message=_l("Filen är för stor. Portalen tar emot filer på högst "
                                        "%(mb)d MB.", mb=MAX_UPLOAD_BYTES // (1024 * 1024)))],
        render_kw={"accept": ACCEPT},
    )


class ConfirmImportForm(PortalForm):
    """Only the CSRF token: what is saved is the preview kept on the server."""
