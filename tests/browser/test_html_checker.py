"""The Nu Html Checker that reads every page the browser tests open (see html_pages in
conftest.py) must really find errors, or its silence means nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.support import vnu_errors

pytestmark = pytest.mark.browser

PLANTED = ('<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>x</title></head>'
           '<body><main><input name="a" autocomplete="street-address"></main></body></html>')
VALID = PLANTED.replace("street-address", "address-line1")


def test_the_checker_finds_a_planted_error_and_names_its_page(tmp_path: Path) -> None:
    errors = vnu_errors({PLANTED: "http://portal.test/planterad", VALID: "http://portal.test/ok"},
                        tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith("http://portal.test/planterad:") and "street-address" in errors[0]
