"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

- The browser is never downloaded: Playwright launches /usr/bin/chromium (``apt-get install
  chromium fonts-noto-cjk``, see scripts/install-system-packages). Without it the tests are
  skipped locally, but fail when the ``CI`` environment variable is set: CI must never skip them.
- pytest runs with ``--disable-socket``; every browser test module carries
  ``pytest.mark.enable_socket`` because the live server and Chromium talk over TCP (Playwright's
  own pipe to the browser is a socketpair, allowed by ``--allow-unix-socket``).
- Pages are loaded with the site's real Content-Security-Policy. Each page records the CSP
  violations it causes (``securitypolicyviolation`` events, through an init script, which
  DevTools injects outside the page's CSP) and console errors mentioning the policy.
- axe-core is injected with ``page.add_script_tag(path=...)``, which adds an inline ``<script>``:
  the CSP rightly blocks that, so accessibility checks run in a context with ``bypass_csp=True``
  and CSP checks run in separate, normal contexts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, CSP_RECORDER, PASSWORD, SiteData, Tab


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: install Debian's Chromium and CJK fonts "
            "(apt-get install chromium fonts-noto-cjk, or scripts/install-system-packages)."
        )
        if os.environ.get("CI"):
            pytest.fail(message + " CI must run the browser tests, not skip them.")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_path: Path, django_db_setup: None) -> Iterator[Any]:
    """One Chromium per test module.

    Playwright's sync API keeps an asyncio event loop on the test thread while it runs, and
    Django's ORM then refuses to work ("SynchronousOnlyOperation") although nothing here is
    concurrent. So the test database is created first (``django_db_setup``), Django's check is
    relaxed only while Playwright runs, and Playwright stops at the end of each browser module:
    the rest of the suite keeps the check.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture
def open_tab(browser: Any, live_server: Any) -> Iterator[Callable[..., Tab]]:
    """Factory for tabs; each call opens a fresh context (own cookies, options)."""
    contexts: list[Any] = []

    def open_(**context_options: Any) -> Tab:
        options = {"locale": "zh-TW", "viewport": {"width": 1280, "height": 900}, **context_options}
        context = browser.new_context(**options)
        context.add_init_script(script=CSP_RECORDER)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page=page, base_url=live_server.url)
        page.on(
            "console",
            lambda message: (
                tab.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: tab.console_errors.append(f"pageerror: {error}"))
        return tab

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def site_data(transactional_db: None) -> SiteData:
    """Departments, two service centres, a 業務組 clerk, a 督導室 auditor, customers with accounts."""
    from powerdesk.customers import actions as customer_actions
    from powerdesk.customers.models import ServiceCentre
    from powerdesk.staff import actions as staff_actions
    from powerdesk.staff.models import User

    staff_actions.departments_ensure()
    weekdays = {day: [["08:30", "17:30"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    centre = ServiceCentre.objects.create(
        code="ZL",
        name_zh="中壢服務所",
        name_en="Zhongli Service Centre",
        address="桃園市中壢區中正路100號",
        phone="(03)422-0000",
        districts=["中壢區", "平鎮區"],
        # Keys deliberately out of order: the page must still list Monday first.
        opening_hours={"sat": [["08:30", "12:00"]], **weekdays},
        lunch_payment=True,
    )
    other_centre = ServiceCentre.objects.create(
        code="DY",
        name_zh="大園服務所",
        name_en="Dayuan Service Centre",
        address="桃園市大園區中正東路1號",
        phone="(03)386-0000",
        districts=["大園區"],
        opening_hours=weekdays,
        lunch_payment=False,
    )
    clerk = User.objects.create_user(
        username="business.clerk",
        password=PASSWORD,
        display_name="林美玲",
        department_id="business",
    )
    auditor = User.objects.create_user(
        username="inspection.auditor",
        password=PASSWORD,
        display_name="陳志明",
        department_id="inspection",
        service_centre=None,
    )
    customer = customer_actions.customer_create(
        actor=clerk,
        kind="person",
        name="王小明",
        id_kind="national_id",
        id_number="A123456789",
        mobile="0912345678",
        email="wang.xiaoming@example.com",
        service_centre=centre,
        consents={"sms": True},
    )
    customer_actions.account_open(
        actor=clerk,
        customer=customer,
        number="12345678901",
        address="桃園市中壢區中正路三段100巷2號5樓",
        service_centre=centre,
        tariff_class="residential",
        phase="single",
        meter_amperes=30,
        billing_cycle="bimonthly_odd",
        load_shedding_group="C",
        feeder_code="ZL-1234",
        life_support=True,
    )
    organisation = customer_actions.customer_create(
        actor=clerk,
        kind="organisation",
        name="大園精密工業股份有限公司",
        id_kind="ubn",
        id_number="04595257",
        landline="03-3860000",
        service_centre=other_centre,
    )
    return SiteData(
        clerk=clerk,
        auditor=auditor,
        centre=centre,
        other_centre=other_centre,
        customer=customer,
        organisation=organisation,
    )
