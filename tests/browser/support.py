"""What the browser tests share besides fixtures: where Chromium is, the viewports, the
demo users of each role and signing in through the form."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from portal.accounts.models import Role
from portal.demo import DEMO_PASSWORD, USERS

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                         "has_touch": True}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@dataclass(frozen=True)
class DemoRole:
    role: str
    email: str
    start_path: str
    heading: str


def _demo_email(role: Role) -> str:
    return next(email for email, _name, user_role, _scope in USERS if user_role == role)


# The first demo user of each role, its start page and that page's h1.
ROLES = {
    "coordinator": DemoRole("coordinator", _demo_email(Role.COORDINATOR), "/samordnare",
                            "Samordnarens startsida"),
    "counsellor": DemoRole("counsellor", _demo_email(Role.COUNSELLOR), "/syv",
                           "Studie- och yrkesvägledarens startsida"),
    "employer": DemoRole("employer", _demo_email(Role.EMPLOYER), "/arbetsgivare",
                         "Arbetsgivarens startsida"),
    "council": DemoRole("council", _demo_email(Role.COUNCIL), "/rad",
                        "Samverkansrådets startsida"),
}


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form, as a person would: by the labels and the button."""
    page.goto("/logga-in")
    page.get_by_label("E-postadress", exact=True).fill(email)
    page.get_by_label("Lösenord", exact=True).fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()


# --- axe-core ------------------------------------------------------------------------

_AXE = Axe()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now, against WCAG 2.0 and 2.1, levels A and AA."""
    # After a click that navigates, the new document's elements can be there before all its
    # stylesheets are: colours would then be measured without the portal's own CSS.
    page.wait_for_load_state("load")
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    return list(results.response["violations"])


def describe_violations(violations: list[dict[str, Any]], where: str) -> str:
    """A report to fix from: rule, impact, what is wrong and the offending HTML."""
    lines = [f"{len(violations)} axe-core violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                     f" <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"      html: {node['html']}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n        ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, where or page.url)
