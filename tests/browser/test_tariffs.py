"""The tariff calculator page (住商型簡易時間電價試算) in Chromium, in both languages.

Every state of the page (empty, each form's result, errors, the CSV row report) has no axe-core
WCAG 2.1 A/AA violation, causes no CSP violation, and reflows at 320 CSS px. The forms work
without JavaScript (plain POST, full page) and with htmx (only the section is replaced, the
status line announces the result), and both show the engine's totals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import LANGUAGES
from tests.browser.support import Tab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]

DATA = Path(__file__).resolve().parents[2] / "powerdesk" / "tariffs" / "tests" / "data"
PAGE = "/tariffs/"


def _year_csv(directory: Path) -> Path:
    """Hourly use for 2025: 0.3 kWh at night, 0.9 kWh from 16:00 to 22:00, 0.5 otherwise."""
    lines = ["timestamp,kwh"]
    moment = datetime(2025, 1, 1)  # noqa: DTZ001 - naive Asia/Taipei wall time, as in the CSV
    while moment.year == 2025:
        kwh = "0.9" if 16 <= moment.hour < 22 else "0.3" if moment.hour < 7 else "0.5"
        lines.append(f"{moment:%Y-%m-%d %H:%M},{kwh}")
        moment += timedelta(hours=1)
    path = directory / "year-2025.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _submit(tab: Tab, section: str) -> None:
    """Press the section's button; wait for the full page (no JS) or the htmx swap."""
    button = tab.page.locator(f"#{section} button[type=submit]")
    if not tab.page.evaluate("() => !!window.htmx"):
        with tab.page.expect_navigation():
            button.click()
    else:
        with tab.page.expect_response(lambda response: response.request.method == "POST"):
            button.click()
        tab.page.wait_for_load_state("load")
        tab.page.wait_for_timeout(150)  # htmx settles the swap


def _fill_typical(tab: Tab, *, summer: str = "900", non_summer: str = "350") -> None:
    tab.page.fill("#typical-summer_kwh", summer)
    tab.page.fill("#typical-non_summer_kwh", non_summer)
    tab.page.fill("#typical-summer_peak", "5")
    tab.page.fill("#typical-summer_semi_peak", "25")
    tab.page.fill("#typical-summer_off_peak", "70")
    tab.page.fill("#typical-non_summer_semi_peak", "20")
    tab.page.fill("#typical-non_summer_off_peak", "80")


def _blank(tab: Tab, prefix: str, tmp: Path) -> None:
    tab.goto(prefix + PAGE)


def _typical_result(tab: Tab, prefix: str, tmp: Path) -> None:
    tab.goto(prefix + PAGE)
    _fill_typical(tab)
    _submit(tab, "typical")
    tab.page.wait_for_selector("#typical-result svg[role=img]")


def _typical_errors(tab: Tab, prefix: str, tmp: Path) -> None:
    tab.goto(prefix + PAGE)
    _fill_typical(tab, summer="abc")
    tab.page.fill("#typical-summer_peak", "50")  # 50 + 25 + 70 = 145 %
    _submit(tab, "typical")
    tab.page.wait_for_selector("#typical-body .error-summary")


def _reading_bill(tab: Tab, prefix: str, tmp: Path) -> None:
    tab.goto(prefix + PAGE)
    tab.page.select_option("#reading-plan", "simple_tou_3")
    tab.page.fill("#reading-start", "2025-07-01")
    tab.page.fill("#reading-end", "2025-07-31")
    tab.page.fill("#reading-peak", "100")
    tab.page.fill("#reading-semi_peak", "200")
    tab.page.fill("#reading-off_peak", "300")
    _submit(tab, "reading")
    tab.page.wait_for_selector("#reading-result .bill-total")


def _intervals_row_errors(tab: Tab, prefix: str, tmp: Path) -> None:
    tab.goto(prefix + PAGE)
    tab.page.set_input_files("#intervals-csv", str(DATA / "row_errors.csv"))
    _submit(tab, "intervals")
    tab.page.wait_for_selector("#intervals-problems-caption")


def _intervals_result(tab: Tab, prefix: str, tmp: Path) -> None:
    tab.goto(prefix + PAGE)
    tab.page.set_input_files("#intervals-csv", str(_year_csv(tmp)))
    tab.page.fill("#intervals-as_of", "2025-10-01")
    _submit(tab, "intervals")
    tab.page.wait_for_selector("#intervals-result svg[role=img]")


STATES: dict[str, Callable[[Tab, str, Path], None]] = {
    "blank": _blank,
    "typical-result": _typical_result,
    "typical-errors": _typical_errors,
    "reading-bill": _reading_bill,
    "intervals-row-errors": _intervals_row_errors,
    "intervals-result": _intervals_result,
}

PARAMS = [
    pytest.param(state, language, prefix, id=f"{state}-{language}")
    for state in STATES
    for language, prefix in LANGUAGES.items()
]


@pytest.mark.parametrize(("state", "language", "prefix"), PARAMS)
def test_tariff_page_has_no_accessibility_violations(open_tab, tmp_path, state, language, prefix):
    # given: CSP bypassed only so that axe-core can be injected as a script tag
    tab = open_tab(bypass_csp=True)
    # when
    STATES[state](tab, prefix, tmp_path)
    violations = tab.axe_violations()
    # then
    assert tab.page.get_attribute("html", "lang") == language
    assert violations == []


@pytest.mark.parametrize(("state", "language", "prefix"), PARAMS)
def test_tariff_page_has_no_content_security_policy_violations(
    open_tab, tmp_path, state, language, prefix
):
    # given
    tab = open_tab()
    # when
    STATES[state](tab, prefix, tmp_path)
    # then
    assert tab.csp_violations() == []
    assert tab.console_errors == []


@pytest.mark.parametrize(("state", "language", "prefix"), PARAMS)
def test_tariff_page_reflows_without_horizontal_scrolling_at_320_css_px(
    open_tab, tmp_path, state, language, prefix
):
    # given: 320 x 640 CSS px at device scale 2 = a 640 px wide window zoomed to 200 %
    tab = open_tab(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    # when
    STATES[state](tab, prefix, tmp_path)
    # then
    assert tab.page.evaluate("() => window.innerWidth") == 320
    assert not tab.has_horizontal_scroll()


def _annual(tab: Tab, section: str) -> dict[str, int]:
    cells = tab.page.locator(f"#{section}-result td[data-annual]")
    return {
        cells.nth(i).get_attribute("data-plan"): int(cells.nth(i).get_attribute("data-annual"))
        for i in range(cells.count())
    }


def _expected_typical() -> dict[str, int]:
    from powerdesk.tariffs import engine

    comparison = engine.compare_typical(
        current_plan="residential",
        summer_kwh="900",
        non_summer_kwh="350",
        summer_shares={"peak": "5", "semi_peak": "25", "off_peak": "70"},
        non_summer_shares={"semi_peak": "20", "off_peak": "80"},
    )
    return {e.plan.value: e.annual_total for e in comparison.estimates}


def test_typical_form_works_without_javascript(open_tab):
    # given
    tab = open_tab(java_script_enabled=False, locale="en-GB")
    tab.goto("/en" + PAGE)
    _fill_typical(tab)
    # when: a plain POST of the form, answered with the whole page
    with tab.page.expect_navigation() as navigation:
        tab.page.click("#typical button[type=submit]")
    # then
    assert navigation.value.status == 200
    assert tab.page.url.endswith("/en/tariffs/#typical")
    assert _annual(tab, "typical") == _expected_typical()
    assert tab.page.locator("#typical-result svg[role=img] title").count() == 1
    assert tab.page.locator("#typical-monthly-caption").inner_text() == (
        "Monthly bill per plan (NT$)"
    )
    months = tab.page.locator("#typical-result .table--months tbody tr")
    assert months.count() == 12


def test_typical_form_updates_in_place_with_htmx_as_you_type(open_tab):
    # given: the page with htmx, and a marker that a full page load would wipe out
    tab = open_tab(locale="en-GB")
    tab.goto("/en" + PAGE)
    tab.page.evaluate("() => { window.__samePage = true; }")
    # when: fields change (no button): the live update posts the form in the background
    _fill_typical(tab)
    tab.page.evaluate("() => { document.getElementById('typical-summer_kwh').__mark = 1; }")
    tab.page.locator("#typical-summer_kwh").focus()
    with tab.page.expect_response(lambda response: response.request.method == "POST"):
        tab.page.locator("#typical-non_summer_kwh").dispatch_event("change")
    tab.page.wait_for_selector("#typical-result td[data-annual]")
    # then: same page, results in place, the status line says what happened
    assert tab.page.evaluate("() => window.__samePage === true")
    # and the form itself was not replaced: what is typed meanwhile is never lost
    assert tab.page.evaluate("() => document.getElementById('typical-summer_kwh').__mark === 1")
    assert _annual(tab, "typical") == _expected_typical()
    status = tab.page.inner_text("#tariffs-status")
    assert status.startswith("Updated:")
    assert tab.page.locator("#tariffs-status").get_attribute("role") == "status"


def test_live_update_stays_quiet_about_fields_not_filled_in_yet(open_tab):
    # given
    tab = open_tab(locale="en-GB")
    tab.goto("/en" + PAGE)
    tab.page.evaluate("() => { window.__samePage = true; }")
    # when: the first field is changed while the kWh are still empty
    with tab.page.expect_response(lambda response: response.request.method == "POST"):
        tab.page.select_option("#typical-current_plan", "commercial")
    tab.page.wait_for_timeout(150)
    # then: no error summary, the choice kept
    assert tab.page.evaluate("() => window.__samePage === true")
    assert tab.page.locator("#typical-body .error-summary").count() == 0
    assert tab.page.locator("#typical-current_plan").input_value() == "commercial"


def test_reading_form_shows_the_engine_total(open_tab, tmp_path):
    from powerdesk.tariffs import engine

    # given
    tab = open_tab()
    # when
    _reading_bill(tab, "", tmp_path)
    # then
    expected = engine.bill_total(
        plan="simple_tou_3",
        start=date(2025, 7, 1),
        end=date(2025, 7, 31),
        kwh={"peak": "100", "semi_peak": "200", "off_peak": "300"},
    )
    total = tab.page.locator("#reading-result .bill-total")
    assert int(total.get_attribute("data-total")) == expected
    assert re.sub(r"\D", "", total.inner_text()) == str(expected)


@pytest.mark.parametrize(("_case", "javascript"), [("no JS", False), ("htmx", True)])
def test_csv_upload_lists_every_bad_row_and_column(open_tab, tmp_path, _case, javascript):
    # given
    tab = open_tab(java_script_enabled=javascript, locale="en-GB")
    tab.goto("/en" + PAGE)
    tab.page.set_input_files("#intervals-csv", str(DATA / "row_errors.csv"))
    # when
    _submit(tab, "intervals")
    # then: one table row per problem, with the row number and the column
    rows = tab.page.locator("#intervals-body table tbody tr")
    report: list[Any] = [
        (rows.nth(i).locator("th").inner_text(), rows.nth(i).locator("td").nth(0).inner_text())
        for i in range(rows.count())
    ]
    assert report == [("3", "kwh"), ("4", "kwh"), ("5", "timestamp"), ("6", "kwh"), ("7", "—")]
    summary = tab.page.locator("#intervals-body .error-summary a").first
    assert summary.get_attribute("href") == "#intervals-csv"
