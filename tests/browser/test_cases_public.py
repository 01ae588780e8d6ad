"""Public case pages in Chromium, in both languages: the lookup form (empty, with errors, no
match), the progress page with its timeline, the application (kind list, form, form with errors,
code page), the receipt page and the average working days. Every page has no axe-core WCAG 2.1
A/AA violation, causes no CSP violation and reflows at 320 CSS px; one walk goes from the web
application through the code to the receipt and the progress page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from tests.browser.pages import LANGUAGES
from tests.browser.support import SiteData, Tab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    """Lookup limits count in the cache, which outlives each test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cases(site_data: SiteData) -> dict[str, Any]:
    """A case waiting for documents (with a public timeline) and a completed one."""
    from powerdesk.cases import actions

    # transactional tests flush the tables the migrations filled: the catalogue, the templates
    actions.catalogue_sync(actor=None)
    actions.notification_templates_ensure()
    clerk, centre = site_data.clerk, site_data.centre
    waiting = actions.case_open(
        actor=clerk,
        kind="new_supply",
        channel="counter",
        applicant_name="王小明",
        applicant_phone="0912345678",
        account_number="12345678901",
        address="桃園市中壢區中正路三段100巷2號5樓",
        works_type="overhead",
        attributes={"capacity_kw": "10", "premises_use": "residential"},
        service_centre=centre,
    )
    actions.case_transition(actor=clerk, case=waiting, state="in_review")
    actions.case_pause(
        actor=clerk,
        case=waiting,
        reason="documents_missing",
        missing=["identity", "wiring_diagram"],
    )
    done = actions.case_open(
        actor=clerk,
        kind="name_change",
        channel="counter",
        applicant_name="陳大文",
        applicant_phone="0987654321",
        account_number="12345678901",
        service_centre=centre,
    )
    actions.case_transition(actor=clerk, case=done, state="completed")
    waiting.refresh_from_db()
    return {"waiting": waiting, "done": done}


def _submit(tab: Tab, selector: str = "form.form button[type=submit]") -> Any:
    with tab.page.expect_navigation() as navigation:
        tab.page.locator(selector).first.click()
    return navigation.value


def _lookup(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    return tab.goto(prefix + "/cases/track/")


def _lookup_errors(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    tab.goto(prefix + "/cases/track/")
    tab.page.fill("#lookup-case_number", "ZL-20260302-0042-0")
    tab.page.fill("#lookup-second_factor", "12")
    return _submit(tab)


def _lookup_no_match(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    tab.goto(prefix + "/cases/track/")
    tab.page.fill("#lookup-case_number", data["waiting"].number)
    tab.page.fill("#lookup-second_factor", "0000")
    return _submit(tab)


def _timeline(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    return tab.goto(f"{prefix}/cases/t/{data['waiting'].lookup_token}/")


def _timeline_by_number(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    tab.goto(prefix + "/cases/track/")
    tab.page.fill("#lookup-case_number", data["done"].number.lower().replace("-", ""))
    tab.page.fill("#lookup-second_factor", "4321")
    return _submit(tab)


def _choose(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    return tab.goto(prefix + "/cases/apply/")


def _application_form(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    return tab.goto(prefix + "/cases/apply/?kind=new_supply")


def _application_errors(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    tab.goto(prefix + "/cases/apply/?kind=new_supply")
    tab.page.fill("#apply-attr_capacity_kw", "lots")
    return _submit(tab)


def _fill_application(tab: Tab, prefix: str) -> None:
    tab.goto(prefix + "/cases/apply/?kind=new_supply")
    tab.page.fill("#apply-applicant_name", "林美玲")
    tab.page.check("#apply-contact_channel_0")  # SMS
    tab.page.fill("#apply-mobile", "0911222333")
    tab.page.fill("#apply-address", "桃園市中壢區中正路100號")
    tab.page.fill("#apply-attr_capacity_kw", "8")
    tab.page.select_option("#apply-attr_premises_use", "residential")


def _code_page(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    _fill_application(tab, prefix)
    return _submit(tab)


def _latest_code() -> str:
    from powerdesk.notifications.models import OutboxMessage

    message = OutboxMessage.objects.order_by("-id").first()
    assert message is not None
    return re.search(r"\b(\d{6})\b", message.body_text).group(1)  # type: ignore[union-attr]


def _receipt(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    _code_page(tab, prefix, data)
    tab.page.fill("#verify-code", _latest_code())
    return _submit(tab)


def _averages(tab: Tab, prefix: str, data: dict[str, Any]) -> Any:
    return tab.goto(prefix + "/cases/averages/")


STATES: dict[str, tuple[Callable[[Tab, str, dict[str, Any]], Any], int]] = {
    "lookup": (_lookup, 200),
    "lookup-errors": (_lookup_errors, 400),
    "lookup-no-match": (_lookup_no_match, 404),
    "timeline": (_timeline, 200),
    "timeline-by-number": (_timeline_by_number, 200),
    "choose-kind": (_choose, 200),
    "application-form": (_application_form, 200),
    "application-errors": (_application_errors, 400),
    "code": (_code_page, 200),
    "receipt": (_receipt, 200),
    "averages": (_averages, 200),
}

PARAMS = [
    pytest.param(state, language, prefix, id=f"{state}-{language}")
    for state in STATES
    for language, prefix in LANGUAGES.items()
]


@pytest.mark.parametrize(("state", "language", "prefix"), PARAMS)
def test_public_case_page_has_no_accessibility_violations(open_tab, cases, state, language, prefix):
    # given: CSP bypassed only so that axe-core can be injected as a script tag
    tab = open_tab(bypass_csp=True)
    action, status = STATES[state]
    # when
    response = action(tab, prefix, cases)
    violations = tab.axe_violations()
    # then
    assert response.status == status
    assert tab.page.get_attribute("html", "lang") == language
    assert violations == []


@pytest.mark.parametrize(("state", "language", "prefix"), PARAMS)
def test_public_case_page_has_no_content_security_policy_violations(
    open_tab, cases, state, language, prefix
):
    # given
    tab = open_tab()
    action, status = STATES[state]
    # when
    response = action(tab, prefix, cases)
    # then
    assert response.status == status
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert tab.csp_violations() == []
    # Chromium logs the page's own error status (400, 404) as a console error: that is expected
    expected = f"the server responded with a status of {status}"
    assert [error for error in tab.console_errors if expected not in error] == []


@pytest.mark.parametrize(("state", "language", "prefix"), PARAMS)
def test_public_case_page_reflows_at_320_css_px(open_tab, cases, state, language, prefix):
    # given: 320 x 640 CSS px at device scale 2 = a 640 px wide window zoomed to 200 %
    tab = open_tab(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    action, _status = STATES[state]
    # when
    action(tab, prefix, cases)
    # then
    assert tab.page.evaluate("() => window.innerWidth") == 320
    assert not tab.has_horizontal_scroll()


def test_web_application_walks_to_the_receipt_and_the_progress_page(open_tab, cases):
    from powerdesk.cases.models import Case

    # given: no JavaScript at all
    tab = open_tab(java_script_enabled=False, locale="en-GB")
    # when: apply, type the code, open the tracking link of the receipt
    _receipt(tab, "/en", cases)
    case = Case.objects.get(channel="web")
    # then: the receipt page
    assert tab.page.url.endswith(f"/cases/t/{case.lookup_token}/receipt/")
    assert case.number in tab.page.inner_text("main")
    assert tab.page.locator("main figure.qr svg").count() == 1
    # and the tracking link leads to the progress page with the receipt on its timeline
    with tab.page.expect_navigation():
        tab.page.click("a.receipt__link")
    assert tab.page.url.endswith(f"/cases/t/{case.lookup_token}/")
    assert "Application received: New supply (web)." in tab.page.inner_text(".timeline")
    assert case.number in tab.page.inner_text("main")
