"""Migration 0029: the supervisor's questions of version 1 named qualities under a scale
that answers statements; a new version asks statements, a coordinator's own wording kept,
and version 1 (which old answers point at) untouched."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.db import utcnow
from portal.extensions import db


def _forms() -> list[tuple[int, int | None, list[dict]]]:
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT version, created_by_id, questions FROM feedback_form "
            "WHERE audience = 'employer' ORDER BY version"))
        return [(v, by, q if isinstance(q, list) else json.loads(q)) for v, by, q in rows]


def _labels(questions: list[dict], lang: str = "sv") -> dict[str, str]:
    return {q["key"]: q[f"label_{lang}"] for q in questions}


def _migrated(tmp_path, smtp_server, label, before=None):
    from tests.conftest import make_app
    from tests.databases import create_database

    url, drop = create_database(label, tmp_path)
    app = make_app(url, smtp_server.port)
    try:
        with app.app_context():
            upgrade(revision="0028")
            if before is not None:
                before()
            upgrade()
            forms = _forms()
            downgrade(revision="0028")
            after_downgrade = _forms()
            db.engine.dispose()
    finally:
        drop()
    return forms, after_downgrade


def test_the_supervisors_questions_become_statements_in_a_new_version(tmp_path, smtp_server):
    forms, after_downgrade = _migrated(tmp_path, smtp_server, "statements")
    assert [(v, by) for v, by, _ in forms] == [(1, None), (2, None)]
    first, second = forms[0][2], forms[1][2]
    assert _labels(first)["punctuality"] == "Elevens punktlighet"  # old answers' wording
    assert _labels(second) == {
        "punctuality": "Eleven kom i tid",
        "interest": "Eleven visade intresse för arbetet",
        "initiative": "Eleven tog egna initiativ",
        "cooperation": "Eleven samarbetade bra med oss",
        "school_preparation": "Skolan hade förberett eleven bra",
        "school_contact": "Kontakten med skolan fungerade bra",
        "statement": "Ett kort omdöme till elevens praointyg (frivilligt)",
        "again_next_term": "Vill ni ta emot praoelever igen nästa termin?"}
    assert _labels(second, "en")["punctuality"] == "The pupil was on time"
    assert [(q["key"], q["kind"]) for q in second] == [(q["key"], q["kind"]) for q in first]
    assert [v for v, _, _ in after_downgrade] == [1]


def test_a_coordinators_own_wording_is_kept(tmp_path, smtp_server):
    def coordinator_edits() -> None:
        [(_, _, questions)] = _forms()
        edited = [dict(q) for q in questions]
        edited[0]["label_sv"] = "Eleven passade tiderna"
        edited.insert(6, {"key": "lunch", "kind": "likert", "label_sv": "Elevens aptit",
                          "label_en": "The pupil's appetite"})
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO user_account (id, email, name, role, session_token, active, "
                "created_at) VALUES (1, 'a@skola.se', 'A', 'coordinator', 't', true, :now)"),
                {"now": utcnow()})
            connection.execute(text(
                "INSERT INTO feedback_form (audience, version, questions, created_at, "
                "created_by_id) VALUES ('employer', 2, :questions, :now, 1)"),
                {"questions": json.dumps(edited), "now": utcnow()})

    forms, after_downgrade = _migrated(tmp_path, smtp_server, "own_wording", coordinator_edits)
    assert [(v, by) for v, by, _ in forms] == [(1, None), (2, 1), (3, None)]
    newest = _labels(forms[2][2])
    assert newest["punctuality"] == "Eleven passade tiderna"  # the coordinator's
    assert _labels(forms[2][2], "en")["punctuality"] == "The pupil was on time"
    assert newest["lunch"] == "Elevens aptit"  # theirs, not the migration's to judge
    assert newest["interest"] == "Eleven visade intresse för arbetet"
    assert [v for v, _, _ in after_downgrade] == [1, 2]
