"""Stylesheets, scripts and icons are loaded once: every address the portal writes to a static
file carries the file's digest, an answer to it may be kept a year, and a changed file gets
a new address. An address without the digest, or with an old one, is asked again."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from flask import Flask, url_for

from portal import assets

STATIC_RE = re.compile(r'(?:href|src)="(/(?:bootstrap/)?static/[^"?]+)\?v=([0-9a-f]+)"')
KEPT_A_YEAR = "public, max-age=31536000, immutable"


def _file_of(app: Flask, path: str) -> Path:
    if path.startswith("/bootstrap/static/"):
        folder = app.blueprints["bootstrap"].static_folder
        return Path(str(folder)) / path.removeprefix("/bootstrap/static/")
    return Path(str(app.static_folder)) / path.removeprefix("/static/")


def test_every_static_address_carries_its_files_digest_and_is_kept_a_year(app, client):
    page = client.get("/kontakt").get_data(as_text=True)
    found = STATIC_RE.findall(page)
    paths = {path for path, _ in found}
    assert {"/static/css/portal.css", "/bootstrap/static/css/bootstrap.min.css"} <= paths
    assert any(path.endswith(".js") for path in paths)
    unversioned = re.findall(r'(?:href|src)="(/(?:bootstrap/)?static/[^"?]+)"', page)
    assert unversioned == []
    for path, digest in found:
        content = _file_of(app, path).read_bytes()
        assert digest == hashlib.sha256(content).hexdigest()[:16], path
        response = client.get(f"{path}?v={digest}")
        body = response.get_data()
        response.close()  # a file is sent from an open file
        assert response.status_code == 200
        assert body == content
        assert response.headers["Cache-Control"] == KEPT_A_YEAR


def test_an_address_without_the_digest_or_with_an_old_one_is_asked_again(client):
    for query in ("", "?v=0123456789abcdef", "?v=%00"):
        response = client.get(f"/static/css/portal.css{query}")
        response.close()
        assert response.status_code in (200, 400), query
        assert "max-age=31536000" not in response.headers.get("Cache-Control", ""), query


def test_a_changed_file_gets_a_new_address(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    sheet = tmp_path / "sheet.css"
    sheet.write_text("p { color: black }")
    with app.test_request_context():
        before = url_for("static", filename="sheet.css")
        assert url_for("static", filename="sheet.css") == before
        sheet.write_text("p { color: navy }")
        os.utime(sheet, ns=(sheet.stat().st_atime_ns, sheet.stat().st_mtime_ns + 1_000_000))
        after = url_for("static", filename="sheet.css")
    assert before != after
    assert after == f"/static/sheet.css?v={hashlib.sha256(b'p { color: navy }').hexdigest()[:16]}"


def test_a_missing_file_has_no_digest_and_answers_not_found(app, client):
    with app.test_request_context():
        assert url_for("static", filename="finns-inte.css") == "/static/finns-inte.css"
        assert url_for("static", filename="../portal/app.py") == "/static/../portal/app.py"
        assert url_for("static", filename="css") == "/static/css"  # a folder
        assert "v=" not in url_for("static", filename="a\x00b.css")
        assert assets.version(app, "main.index", "x.css") is None
    assert client.get("/static/finns-inte.css?v=0").status_code == 404


def test_only_a_static_file_is_kept_a_year(separate_app):
    """A page whose address names a file (a download, say) is never marked for keeping,
    with or without a `v`."""
    separate_app.add_url_rule("/prov/<filename>", "prov_fil",
                              lambda filename: f"fil {filename}")
    client = separate_app.test_client()
    for url in ("/prov/brev.pdf", "/prov/brev.pdf?v=0123456789abcdef"):
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=31536000" not in response.headers.get("Cache-Control", "")
