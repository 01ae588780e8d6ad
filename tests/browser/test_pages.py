"""Every page in both languages: no axe-core WCAG 2.1 A/AA violations, no CSP violations, and no
horizontal scrolling at 320 CSS px (a 640 px wide window at 200 % zoom)."""

from __future__ import annotations

import pytest

from tests.browser.pages import case_params

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]

CASES = case_params()

# For the failure message: the outermost elements that stick out past the right edge.
OVERFLOWING_ELEMENTS = """() => {
    const edge = document.documentElement.clientWidth + 1;
    const out = (el) => el && el.getBoundingClientRect().right > edge;
    return [...document.querySelectorAll("body *")]
        .filter((el) => out(el) && !out(el.parentElement))
        .slice(0, 10)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`);
}"""


@pytest.mark.parametrize(("case", "language", "prefix"), CASES)
def test_page_has_no_accessibility_violations(open_tab, site_data, case, language, prefix):
    # given: CSP bypassed only so that axe-core can be injected as a script tag
    tab = open_tab(bypass_csp=True)
    # when
    response = case.open(tab, site_data, prefix=prefix)
    violations = tab.axe_violations()
    # then
    assert response.status == case.status
    assert tab.page.get_attribute("html", "lang") == language
    assert violations == []


@pytest.mark.parametrize(("case", "language", "prefix"), CASES)
def test_page_has_no_content_security_policy_violations(
    open_tab, site_data, case, language, prefix
):
    # given
    tab = open_tab()
    # when
    response = case.open(tab, site_data, prefix=prefix)
    # then
    assert response.status == case.status
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert tab.csp_violations() == []
    # Chromium logs the page's own error status (404, 403, 429) as a console error: that is expected
    expected = f"the server responded with a status of {case.status}"
    assert [error for error in tab.console_errors if expected not in error] == []


@pytest.mark.parametrize(("case", "language", "prefix"), CASES)
def test_page_reflows_without_horizontal_scrolling_at_320_css_px(
    open_tab, site_data, case, language, prefix
):
    # given: 320 x 640 CSS px at device scale 2 = a 640 px wide window zoomed to 200 %
    tab = open_tab(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    # when
    response = case.open(tab, site_data, prefix=prefix)
    # then
    assert response.status == case.status
    assert tab.page.evaluate("() => window.innerWidth") == 320
    assert not tab.has_horizontal_scroll(), tab.page.evaluate(OVERFLOWING_ELEMENTS)
