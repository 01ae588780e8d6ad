"""The notification outbox for staff in the browser: find a dead letter, resend it (keyboard
only), see it queued; every outbox page without axe-core or CSP violations in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from powerdesk.core.models import AuditEvent
from powerdesk.notifications import actions
from powerdesk.notifications.conf import settings_from_environment
from powerdesk.notifications.models import OutboxMessage
from powerdesk.notifications.tests.staff_support import make_dead

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]

CONTEXT = {"account": "12-34-5678-90-1", "amount": "1,234", "due": "2026-05-20"}


@pytest.fixture
def outbox(site_data: Any, settings: Any) -> dict[str, OutboxMessage]:
    """A dead SMS and a queued one for 王小明 (who agreed to SMS), queued by the real action."""
    config = settings_from_environment()
    config["QUIET_HOURS"] = {**config["QUIET_HOURS"], "CHANNELS": []}  # tests run at any hour
    settings.POWERDESK_NOTIFICATIONS = config
    for language, text in (
        ("zh-hant", "台電：電號${account}本期應繳${amount}元，期限${due}。"),
        ("en", "Taipower: account ${account}, ${amount} NTD due ${due}."),
    ):
        actions.template_create(
            actor=site_data.clerk,
            key="bill.ready",
            purpose="payment_reminder",
            channel="sms",
            language=language,
            body_text=text,
        )

    def queue(key: str) -> OutboxMessage:
        return actions.notification_queue(
            purpose="payment_reminder",
            template="bill.ready",
            context=CONTEXT,
            customer=site_data.customer,
            channels=["sms"],
            idempotency_key=key,
        )

    dead = make_dead(queue("browser:dead"), error="Mitake statuscode k: invalid number")
    return {"dead": dead, "queued": queue("browser:queued")}


def test_find_a_dead_letter_and_resend_it_with_the_keyboard(open_tab, site_data, outbox):
    # given
    dead = outbox["dead"]
    tab = open_tab(locale="en-GB")
    tab.sign_in("business.clerk")
    tab.goto("/en/staff/notifications/")
    assert "1 message could not be delivered" in tab.page.inner_text("main")
    # when: from the overview to the dead letters, to the message, to the confirmation
    with tab.page.expect_navigation():
        tab.page.get_by_role("link", name="Check the dead letters and resend them").press("Enter")
    rows = tab.page.locator("#results tbody tr")
    assert rows.count() == 1
    assert "0912-***-678" in rows.inner_text()
    assert "0912345678" not in tab.page.inner_text("main")
    with tab.page.expect_navigation():
        tab.page.get_by_role("link", name=f"Message {dead.pk}").press("Enter")
    assert "Mitake statuscode k: invalid number" in tab.page.inner_text("main")
    with tab.page.expect_navigation():
        tab.page.get_by_role("link", name="Resend this message…").press("Enter")
    assert tab.page.inner_text("h1") == f"Resend message {dead.pk}?"
    with tab.page.expect_navigation() as navigation:
        tab.page.get_by_role("button", name="Yes, resend it").press("Enter")
    # then: back on the message, queued, with a status message; audited
    assert navigation.value.request.redirected_from.method == "POST"
    assert tab.page.url.endswith(f"/en/staff/notifications/messages/{dead.pk}/")
    assert f"Message {dead.pk} is queued again" in tab.page.inner_text("[role=status]")
    assert "Queued" in tab.page.inner_text("h1")
    dead.refresh_from_db()
    assert (dead.status, dead.resend_count) == (OutboxMessage.Status.QUEUED, 1)
    assert (
        AuditEvent.objects.filter(verb="notification.resend", target_id=str(dead.pk)).count() == 1
    )
    assert tab.csp_violations() == []


def test_filters_work_without_javascript(open_tab, site_data, outbox):
    # given
    tab = open_tab(locale="en-GB", java_script_enabled=False)
    tab.sign_in("business.clerk")
    tab.goto("/en/staff/notifications/messages/")
    assert tab.page.locator("#results tbody tr").count() == 2
    # when
    tab.page.select_option("#id_status", "queued")
    with tab.page.expect_navigation():
        tab.page.press("#id_q", "Enter")
    # then
    rows = tab.page.locator("#results tbody tr")
    assert rows.count() == 1
    assert f"Message {outbox['queued'].pk}" in rows.inner_text()
    assert tab.page.inner_text("#result-status") == "1 message matches."


def test_search_updates_results_as_you_type(open_tab, site_data, outbox):
    # given
    tab = open_tab(locale="en-GB")
    tab.sign_in("business.clerk")
    tab.goto("/en/staff/notifications/messages/?status=dead")
    tab.page.evaluate("() => { window.__samePage = true; }")
    assert tab.page.locator("#results tbody tr").count() == 1
    # when: a search that matches nothing; htmx swaps the results without a page load
    with tab.page.expect_response(
        lambda r: "q=nobody" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        tab.page.locator("#id_q").press_sequentially("nobody", delay=30)
    tab.page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 0")
    # then: the status filter was kept, the count is announced in the live region
    assert tab.page.evaluate("() => window.__samePage") is True
    assert tab.page.inner_text("#result-status") == "0 messages match."
    assert "status=dead" in tab.page.url
    assert tab.csp_violations() == []


def _pages(site_data: Any, outbox: dict[str, OutboxMessage]) -> list[str]:
    dead = outbox["dead"].pk
    return [
        "/staff/notifications/",
        "/staff/notifications/messages/",
        "/staff/notifications/messages/?status=lost",  # an error summary
        "/staff/notifications/dead/",
        f"/staff/notifications/messages/{dead}/",
        f"/staff/notifications/messages/{dead}/resend/",
        f"/staff/notifications/customers/{site_data.customer.pk}/",
    ]


@pytest.mark.parametrize(("prefix", "language"), [("", "zh-Hant"), ("/en", "en")])
def test_outbox_pages_have_no_accessibility_violations(
    open_tab, site_data, outbox, prefix, language
):
    # given: CSP bypassed only so that axe-core can be injected as a script tag
    tab = open_tab(bypass_csp=True)
    tab.sign_in("business.clerk")
    problems = {}
    for path in _pages(site_data, outbox):
        # when
        tab.goto(prefix + path)
        # then
        assert tab.page.get_attribute("html", "lang") == language
        violations = tab.axe_violations()
        if violations:
            problems[path] = violations
    # and the unmasked view of the text (a POST)
    tab.goto(prefix + f"/staff/notifications/messages/{outbox['dead'].pk}/")
    with tab.page.expect_navigation():
        tab.page.locator("form[action$='/content/'] button").click()
    assert "12-34-5678-90-1" in tab.page.inner_text("main")
    if violations := tab.axe_violations():
        problems["content"] = violations
    assert problems == {}


def test_outbox_pages_have_no_csp_violations(open_tab, site_data, outbox):
    tab = open_tab()
    tab.sign_in("business.clerk")
    for path in _pages(site_data, outbox):
        tab.goto(path)
    assert tab.csp_violations() == []
