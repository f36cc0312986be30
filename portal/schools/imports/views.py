"""Pupil import pages: upload, preview, save; and the pupil list export.

The routes live on the schools blueprint; create_app imports this module."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.accounts.permissions import get_authorized
from portal.audit import audit_read
from portal.clock import today
from portal.employers.reference import feature_codes, features
from portal.extensions import csrf, db
from portal.i18n import current_language
from portal.schools.blueprint import bp
from portal.schools.imports import columns, export, reading, saving
from portal.schools.imports.forms import ConfirmImportForm, PupilUploadForm
from portal.schools.models import Gender, PupilImport, School
from portal.templating import iso_datetime
from portal.texts import mark as _l

# Room for the multipart envelope and the CSRF token around a file of the largest size.
UPLOAD_OVERHEAD = 64 * 1024


def _school_or_404(school_id: int, action: str) -> School:
    return get_authorized(action, School, school_id)


def _import_or_404(import_id: int) -> PupilImport:
    return get_authorized("pupils.import", PupilImport, import_id)


def _upload_page(school: School, form: PupilUploadForm,
                 result: reading.ReadResult | None = None, status: int = 200
                 ) -> ResponseReturnValue:
    missing = saving.missing_pupils(school.id)
    if missing or result is not None:  # names on the page: the missing pupils, the file's rows
        audit_read("read_import_page", school, pupils=len(missing))
    return render_template("schools/import_upload.html", school=school, form=form,
                           result=result, columns=columns.COLUMNS,
                           pupil_count=saving.pupil_count(school.id), missing=missing), status


def _too_large(school: School) -> ResponseReturnValue:
    form = PupilUploadForm(formdata=None)
    form.file.errors = [reading.too_large_message()]
    return _upload_page(school, form, status=413)


def _read_and_store(school: School, form: PupilUploadForm) -> ResponseReturnValue:
    upload = form.file.data
    result = reading.read_upload(upload.read())
    if result.file_problems:
        form.file.errors = list(result.file_problems)
        return _upload_page(school, form)
    if not result.ok:
        return _upload_page(school, form, result)
    stored = saving.store_preview(school, current_user, upload.filename or "", result)
    return redirect(url_for("schools.import_preview", import_id=stored.id))


@bp.route("/skolor/<int:school_id>/elever/importera", methods=["GET", "POST"])
@csrf.exempt  # checked below, once this route's larger upload limit is in force
def import_upload(school_id: int) -> ResponseReturnValue:
    school = _school_or_404(school_id, "pupils.import")
    if request.method == "POST":
        # The portal's global limit is for small forms; only this route takes a file.
        request.max_content_length = reading.MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD
        try:
            csrf.protect()  # reads the body, so a too-large upload stops here
        except RequestEntityTooLarge:
            return _too_large(school)
    form = PupilUploadForm()
    if form.validate_on_submit():
        return _read_and_store(school, form)
    return _upload_page(school, form)


# A change of these is shown with the old and the new value: a need removed by an empty
# cell must be seen before the file is saved.
SHOWN_OLD_AND_NEW = frozenset({"needs", "gender", "email"})
GENDER_WORDS = {Gender.GIRL: _l("flicka"), Gender.BOY: _l("pojke"), Gender.OTHER: _l("annat"),
                Gender.UNKNOWN: _l("okänt")}


def _shown_value(field: str, value: object) -> str:
    if field == "needs" and isinstance(value, int):
        lang = current_language()
        labels = {entry.code: entry.label(lang) for entry in features()}
        return ", ".join(labels[code] for code in feature_codes(value)) or _("inga")
    if field == "gender" and isinstance(value, Gender):
        return _(GENDER_WORDS[value])
    return str(value) if value else _("ingen")


def change_text(change: saving.FieldChange) -> str:
    """'Klass', or for what the preview shows in full: 'Behov: Hiss → inga'."""
    # The column's header in the reader's language, as the upload page names it ("Behov"
    # alone is also the calendar's, in English "Shortfall").
    column = columns.COLUMN_BY_FIELD[change.field].header(current_language())
    if change.field not in SHOWN_OLD_AND_NEW:
        return column
    return _("%(column)s: %(old)s → %(new)s", column=column,
             old=_shown_value(change.field, change.old),
             new=_shown_value(change.field, change.new))


def _absent_labels(stored: reading.StoredFile) -> list[str]:
    """The optional columns the file lacks, whose stored values are kept (Årskurs is not
    named: without it the grade is read from the class, as the upload page says)."""
    lang = current_language()
    return [column.header(lang) for column in columns.COLUMNS
            if not column.required and column.field != "grade"
            and column.field not in stored.columns]


@bp.route("/skolor/elevimporter/<int:import_id>")
def import_preview(import_id: int) -> ResponseReturnValue:
    stored = _import_or_404(import_id)
    school = db.session.get(School, stored.school_id)
    if stored.saved_at is not None:
        return render_template("schools/import_preview.html", school=school,
                               pupil_import=stored, preview=None, form=None)
    preview = saving.preview(stored, today())
    audit_read("read_import_preview", stored)
    return render_template("schools/import_preview.html", school=school, pupil_import=stored,
                           preview=preview, form=ConfirmImportForm(), change_text=change_text,
                           absent=_absent_labels(preview.stored))


@bp.route("/skolor/elevimporter/<int:import_id>/spara", methods=["POST"])
def import_save(import_id: int) -> ResponseReturnValue:
    stored = _import_or_404(import_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return redirect(url_for("schools.import_preview", import_id=import_id))
    school_id = stored.school_id
    try:
        counts = saving.save(stored, current_user, today())
    except saving.AlreadySaved:
        flash(_("Filen är redan sparad."), "info")
    except saving.NewerSaved as newer:
        flash(_("En nyare elevlista sparades %(when)s, efter att den här filen laddades upp. "
                "Den här sparades inte: den skulle ha ändrat tillbaka det. Ladda upp filen "
                "igen om den ska gälla.", when=iso_datetime(newer.saved_at)), "warning")
    except saving.SaveConflict:
        flash(_("Elevlistan ändrades av någon annan samtidigt. Ingenting sparades. "
                "Ladda upp filen igen."), "warning")
    else:
        flash(" ".join((
            _("Elevlistan är sparad:"),
            ngettext("%(num)d ny,", "%(num)d nya,", counts.new),
            ngettext("%(num)d uppdaterad,", "%(num)d uppdaterade,", counts.updated),
            ngettext("%(num)d oförändrad", "%(num)d oförändrade", counts.unchanged),
            ngettext("och %(num)d som saknades i filen.", "och %(num)d som saknades i filen.",
                     counts.missing))), "success")
        for joined in counts.joined:
            if joined.pupils:
                flash(_joined_message(joined), "success")
    return redirect(url_for("schools.import_upload", school_id=school_id))


def _joined_message(joined: saving.PeriodJoin) -> str:
    return ngettext("%(num)d ny elev lades till i praoperioden ”%(name)s” (vecka %(weeks)s).",
                    "%(num)d nya elever lades till i praoperioden ”%(name)s” (vecka "
                    "%(weeks)s).",
                    joined.pupils, name=joined.period.name, weeks=joined.weeks)


@bp.route("/skolor/<int:school_id>/elever/elevlista.<any(csv, xlsx):fmt>")
def export_pupils(school_id: int, fmt: str) -> ResponseReturnValue:
    school = _school_or_404(school_id, "pupils.export")
    exported = export.export(school, fmt)
    return Response(exported.content, content_type=exported.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{exported.filename}"',
        "Cache-Control": "no-store",  # personal data: no copy in a shared cache
    })
