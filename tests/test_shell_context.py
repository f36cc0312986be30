"""`flask shell` offers the SQLAlchemy extension as `db` and every model by name."""

from __future__ import annotations

from portal import models
from portal.extensions import db as extension


def test_shell_db_is_the_extension_and_models_are_there(app):
    with app.app_context():
        context = app.make_shell_context()
    assert context["db"] is extension
    assert all(context[name] is getattr(models, name) for name in models.__all__)
