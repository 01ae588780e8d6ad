"""Counter cases in the browser: the issue's walk (counter intake with the keyboard only →
receipt → public progress lookup), intake without JavaScript, and the staff case pages
(intake, queue, case page, dashboard) without axe-core or CSP violations in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from powerdesk.cases import actions
from powerdesk.cases.models import Case
from tests.browser.support import Tab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]

ACCOUNT = "12345678901"  # 王小明's account in site_data


@pytest.fixture(autouse=True)
def catalogue(site_data: Any) -> None:
    """Transactional tests empty the tables between tests: seed the catalogue and the
    notification templates again (the data migrations did it once), and forget the lookup
    limits kept in the cache."""
    actions.catalogue_sync(actor=None)
    actions.notification_templates_ensure()
    cache.clear()


def tab_to(tab: Tab, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus (keyboard only)."""
    for _press in range(limit):
        if tab.page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        tab.page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


@pytest.fixture
def case(site_data: Any) -> Case:
    """A name change opened at the counter for 王小明."""
    return actions.case_open(
        actor=site_data.clerk,
        kind="name_change",
        channel="counter",
        applicant_name="王小明",
        applicant_phone="0912-345-678",
        address="桃園市中壢區中正路三段100巷2號5樓",
        customer=site_data.customer,
        attributes={"account_number": ACCOUNT},
        service_centre=site_data.centre,
    )


def test_counter_intake_with_the_keyboard_then_receipt_then_public_lookup(open_tab, site_data):
    # given: a clerk at the counter
    tab = open_tab(locale="en-GB")
    tab.sign_in("business.clerk")
    tab.goto("/en/staff/cases/intake/")
    page = tab.page
    # when: the kind typed by name; htmx shows its checklist at once
    tab_to(tab, "#find-kind")
    page.keyboard.type("Name change", delay=20)
    page.wait_for_selector("#kind-details .checklist")
    assert "Proof of the change (household record or amended registration)" in page.inner_text(
        "#kind-details"
    )
    # and the customer found by phone; pick them and their account with the arrow keys
    tab_to(tab, "#find-customer")
    page.keyboard.type("0912345678", delay=20)
    page.wait_for_selector("#customer-results input[name=customer][value]:not([value=''])")
    tab_to(tab, "#customer-none")
    page.keyboard.press("ArrowDown")
    assert page.is_checked(f"#customer-{site_data.customer.pk}")
    tab_to(tab, "#account-none")
    page.keyboard.press("ArrowDown")
    assert page.is_checked(f"#account-{ACCOUNT}")
    tab_to(tab, "#id_address")
    page.keyboard.type("桃園市中壢區中正路三段100巷2號5樓")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # then: the case page, with the receipt to print
    case = Case.objects.get()
    assert page.url.endswith(f"/en/staff/cases/{case.number}/?new=1")
    assert page.inner_text("h1").startswith(f"Case {case.number}")
    assert f"Case {case.number} was opened" in page.inner_text("[role=status]")
    assert (case.customer_id, case.account_number) == (site_data.customer.pk, ACCOUNT)
    receipt_link = page.get_by_role("link", name="Print the receipt (PDF)")
    receipt = page.request.get(tab.base_url + receipt_link.get_attribute("href"))
    assert receipt.status == 200
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    assert tab.csp_violations() == []
    # when: the customer looks the case up at home (no staff session)
    public = open_tab(locale="en-GB")
    public.goto("/en/cases/track/")
    public.page.fill("#lookup-case_number", case.number)
    public.page.fill("#lookup-second_factor", "5678")
    with public.page.expect_navigation():
        public.page.press("#lookup-second_factor", "Enter")
    # then: the masked progress page of that case
    main = public.page.inner_text("main")
    assert case.number in main
    assert "王小明" not in main
    assert public.csp_violations() == []


def test_intake_works_without_javascript(open_tab, site_data):
    # given
    tab = open_tab(locale="en-GB", java_script_enabled=False)
    tab.sign_in("business.clerk")
    tab.goto("/en/staff/cases/intake/")
    # when: kind and customer through the plain GET form
    tab.page.fill("#find-kind", "name_change")
    tab.page.fill("#find-customer", "0912345678")
    with tab.page.expect_navigation():
        tab.page.press("#find-customer", "Enter")
    assert "Name change form" in tab.page.inner_text("#kind-details")
    tab.page.check(f"#customer-{site_data.customer.pk}")
    tab.page.check(f"#account-{ACCOUNT}")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Open the case").press("Enter")
    # then
    case = Case.objects.get()
    assert tab.page.url.endswith(f"/en/staff/cases/{case.number}/?new=1")


def test_intake_errors_are_summarised_and_focused(open_tab, site_data):
    tab = open_tab(locale="en-GB")
    tab.sign_in("business.clerk")
    tab.goto("/en/staff/cases/intake/?kind=name_change")
    with tab.page.expect_navigation() as navigation:
        tab.page.get_by_role("button", name="Open the case").press("Enter")
    assert navigation.value.status == 400
    assert tab.page.evaluate("() => document.activeElement.matches('[data-error-summary]')")
    assert "Account number (電號, 11 digits)" in tab.page.inner_text(".error-summary")
    assert Case.objects.count() == 0


def _pages(case: Case) -> list[str]:
    return [
        "/staff/cases/intake/",
        "/staff/cases/intake/?kind=name_change&customer_query=0912345678",
        "/staff/cases/",
        "/staff/cases/?q=nobody&state=lost",  # an error summary
        "/staff/cases/mine/",
        f"/staff/cases/{case.number}/",
        "/staff/cases/dashboard/",
        "/staff/cases/overdue/",
        "/staff/cases/catalogue/",
        "/staff/cases/catalogue/name_change/",
    ]


@pytest.mark.parametrize(("prefix", "language"), [("", "zh-Hant"), ("/en", "en")])
def test_case_pages_have_no_accessibility_violations(open_tab, site_data, case, prefix, language):
    # given: CSP bypassed only so that axe-core can be injected as a script tag
    tab = open_tab(bypass_csp=True)
    tab.sign_in("business.clerk")
    problems = {}
    for path in _pages(case):
        # when
        response = tab.goto(prefix + path)
        # then
        assert response.status == (400 if "state=lost" in path else 200), path
        assert tab.page.get_attribute("html", "lang") == language
        if violations := tab.axe_violations():
            problems[path] = violations
    # and a case page with its action forms open, after a refused action
    tab.goto(prefix + f"/staff/cases/{case.number}/")
    tab.page.locator("#note-form summary").click()
    with tab.page.expect_navigation():
        tab.page.locator("#note-form button[type=submit]").click()
    assert tab.page.locator(".error-summary").count() == 1
    if violations := tab.axe_violations():
        problems["note-error"] = violations
    assert problems == {}


def test_case_pages_have_no_csp_violations(open_tab, site_data, case):
    tab = open_tab()
    tab.sign_in("business.clerk")
    for path in _pages(case):
        tab.goto(path)
    # and the as-you-type kind picker (htmx)
    tab.goto("/staff/cases/intake/")
    tab.page.locator("#find-kind").press_sequentially("更名", delay=30)
    tab.page.wait_for_selector("#kind-details .checklist")
    assert tab.csp_violations() == []
