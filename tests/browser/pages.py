"""The pages every browser check visits: public pages, staff pages, and states reached by a POST."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.browser.support import PASSWORD, SiteData, Tab

LANGUAGES = {"zh-Hant": "", "en": "/en"}


def _login_with_wrong_password(tab: Tab, data: SiteData, prefix: str) -> Any:
    tab.goto(f"{prefix}/staff/login/")
    tab.page.fill("#id_username", data.clerk.username)
    tab.page.fill("#id_password", "not the password")
    with tab.page.expect_navigation() as navigation:
        tab.page.press("#id_password", "Enter")
    return navigation.value


def _locked_out(tab: Tab, data: SiteData, prefix: str) -> Any:
    response = None
    for _attempt in range(6):
        response = _login_with_wrong_password(tab, data, prefix)
        if response.status == 429:
            break
    return response


def _customer_unmasked(tab: Tab, data: SiteData, prefix: str) -> Any:
    tab.goto(f"{prefix}/staff/customers/{data.customer.pk}/")
    with tab.page.expect_navigation() as navigation:
        tab.page.click("form[action$='/personal/'] button")
    return navigation.value


def _token_created(tab: Tab, data: SiteData, prefix: str) -> Any:
    tab.goto(f"{prefix}/staff/tokens/")
    tab.page.fill("#id_name", "月報表程式")
    with tab.page.expect_navigation() as navigation:
        tab.page.press("#id_name", "Enter")
    return navigation.value


def _totp_wrong_code(tab: Tab, data: SiteData, prefix: str) -> Any:
    tab.goto(f"{prefix}/staff/totp/")
    tab.page.fill("#id_token", "000000")
    with tab.page.expect_navigation() as navigation:
        tab.page.press("#id_token", "Enter")
    return navigation.value


@dataclass(frozen=True)
class Case:
    """A page to check: who is signed in, where to go (or what to do), the expected status."""

    id: str
    user: str | None = None
    path: str = ""
    action: Callable[[Tab, SiteData, str], Any] | None = None
    status: int = 200

    def open(self, tab: Tab, data: SiteData, *, prefix: str) -> Any:
        """Bring the tab to this page; return the response of the last navigation."""
        if self.user is not None:
            user = getattr(data, self.user)
            tab.sign_in(user.username, password=PASSWORD)
        if self.action is not None:
            return self.action(tab, data, prefix)
        path = self.path.format(customer=data.customer.pk, organisation=data.organisation.pk)
        return tab.goto(prefix + path)


PUBLIC_CASES = [
    Case("home", path="/"),
    Case("service-centres", path="/service-centres/"),
    Case("accessibility", path="/accessibility/"),
    Case("login", path="/staff/login/"),
    Case("login-with-errors", action=_login_with_wrong_password),
    Case("locked-out", action=_locked_out, status=429),
    Case("not-found", path="/no-such-page/", status=404),
]

STAFF_CASES = [
    Case("staff-home", user="clerk", path="/staff/"),
    Case("customer-search", user="clerk", path="/staff/customers/"),
    Case("customer-search-results", user="clerk", path="/staff/customers/?q=王"),
    Case("customer-search-no-results", user="clerk", path="/staff/customers/?q=nobody"),
    Case("customer-detail", user="clerk", path="/staff/customers/{customer}/"),
    Case("customer-unmasked", user="clerk", action=_customer_unmasked),
    Case("organisation-detail", user="auditor", path="/staff/customers/{organisation}/"),
    Case("tokens", user="clerk", path="/staff/tokens/"),
    Case("token-created", user="clerk", action=_token_created),
    Case("totp-setup", user="clerk", path="/staff/totp/"),
    Case("totp-wrong-code", user="clerk", action=_totp_wrong_code),
    Case("office-calendar", user="clerk", path="/staff/calendar/"),
    Case("audit-log", user="auditor", path="/staff/audit/"),
    Case("audit-log-filtered", user="auditor", path="/staff/audit/?verb=customer&since=2000-01-01"),
    Case("audit-log-bad-filter", user="auditor", path="/staff/audit/?since=not-a-date"),
    Case("forbidden", user="clerk", path="/staff/audit/", status=403),
]

ALL_CASES = PUBLIC_CASES + STAFF_CASES


def case_params() -> list[Any]:
    """(case, language, prefix) for every page in both languages, with readable test ids."""
    import pytest

    return [
        pytest.param(case, language, prefix, id=f"{case.id}-{language}")
        for case in ALL_CASES
        for language, prefix in LANGUAGES.items()
    ]
