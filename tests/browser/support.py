"""Helpers for the browser tests: paths, the axe-core run, CSP recording, a signed-in tab."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "vendor" / "axe.min.js"
# Where test_screenshots.py writes: var/screenshots, so that a test run leaves the checkout clean;
# POWERDESK_SCREENSHOTS=docs/screenshots refreshes the images the README shows.
SCREENSHOTS = Path(
    os.environ.get("POWERDESK_SCREENSHOTS") or HERE.parent.parent / "var" / "screenshots"
).resolve()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "browser tests only, not a secret"

CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile + ":" + event.lineNumber,
  });
});
"""


@dataclass
class Tab:
    """A page in its own browser context, with the CSP problems and console errors it logged."""

    page: Any
    base_url: str
    console_errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")
        return response

    def csp_violations(self) -> list[dict[str, str]]:
        recorded = self.page.evaluate("() => window.__cspViolations || []")
        logged = [
            {"directive": "console", "sample": text}
            for text in self.console_errors
            if "Content Security Policy" in text or "Content-Security-Policy" in text
        ]
        return [*recorded, *logged]

    def axe_violations(self) -> list[dict[str, Any]]:
        """Run axe-core with the WCAG 2.0/2.1 A and AA rules; return a short list of problems."""
        self.page.add_script_tag(path=str(AXE_JS))
        result = self.page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return results.violations.map((v) => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
                }));
            }""",
            AXE_TAGS,
        )
        return list(result)

    def has_horizontal_scroll(self) -> bool:
        return bool(
            self.page.evaluate(
                "() => document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth"
            )
        )

    def sign_in(self, username: str, *, password: str = PASSWORD) -> None:
        """Sign in through the real form (mouse-free: fill and press Enter)."""
        self.goto("/staff/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.press("#id_password", "Enter")
        if not self.page.url.endswith("/staff/"):
            problems = self.page.locator(".error-summary").all_inner_texts()
            raise AssertionError(f"sign-in as {username} failed at {self.page.url}: {problems}")


@dataclass(frozen=True)
class SiteData:
    clerk: Any
    auditor: Any
    centre: Any
    other_centre: Any
    customer: Any
    organisation: Any
