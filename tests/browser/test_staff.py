"""Staff pages in the browser: htmx customer search (and without JS), the audited unmasked view,
tokens shown once, the authenticator QR code, the audit log's filters, pagination and CSV link."""

from __future__ import annotations

import re

import pytest

from powerdesk.core.audit import audit_record
from powerdesk.core.models import AuditEvent
from tests.browser.support import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]


def test_staff_home_shows_who_is_signed_in_and_what_they_can_do(open_tab, site_data):
    # given
    tab = open_tab()
    # when
    tab.sign_in("business.clerk")
    facts = tab.page.locator("dl.facts")
    # then
    assert tab.page.inner_text("h1") == "林美玲，您好"
    assert [t.strip() for t in facts.locator("dd").all_inner_texts()][:3] == [
        "business.clerk",
        "業務組",
        "全區處",
    ]
    assert "未啟用" in facts.locator("dd").nth(3).inner_text()
    links = [t.strip() for t in tab.page.locator(".cards h3 a").all_inner_texts()]
    assert links == [
        "櫃台案件",
        "用戶查詢",
        "通知寄件匣",
        "待撥電話",
        "辦公日曆",
        "API 權杖",
        "設定驗證器 App",
    ]
    assert "登入身分： 林美玲" in tab.page.inner_text("header")


def test_auditor_home_links_to_the_audit_log(open_tab, site_data):
    # given
    tab = open_tab(locale="en-GB")
    # when
    tab.sign_in("inspection.auditor")
    tab.goto("/en/staff/")
    # then
    links = [t.strip() for t in tab.page.locator(".cards h3 a").all_inner_texts()]
    assert links == [
        "Counter cases",
        "Customer search",
        "Notification outbox",
        "Call list",
        "Audit log",
        "API tokens",
        "Set up an authenticator app",
    ]
    department = tab.page.locator("dl.facts dd").nth(1).inner_text()
    assert department.strip() == "Inspection office"


def test_sign_out_is_a_post_form_and_returns_home(open_tab, site_data):
    # given
    tab = open_tab()
    tab.sign_in("business.clerk")
    # when
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="登出").click()
    # then
    assert tab.page.url == tab.base_url + "/"
    assert tab.page.get_by_role("link", name="員工登入").count() == 1
    assert tab.goto("/staff/").url.startswith(tab.base_url + "/staff/login/")


def test_customer_search_updates_results_as_you_type(open_tab, site_data):
    # given
    tab = open_tab()
    tab.sign_in("business.clerk")
    tab.goto("/staff/customers/")
    assert tab.page.locator("#results tbody tr").count() == 2
    assert tab.page.inner_text("#result-status") == "您的服務範圍內共有 2 位用戶。"
    tab.page.evaluate("() => { window.__samePage = true; }")
    # when: type; htmx swaps the results without a page load
    with tab.page.expect_response(
        lambda r: "/staff/customers/?q=" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        tab.page.locator("#q").press_sequentially("大園", delay=50)
    tab.page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 1")
    # then
    assert tab.page.evaluate("() => window.__samePage") is True
    row = tab.page.locator("#results tbody tr")
    # organisations' names are not personal data, so they are not masked
    assert row.locator("th").inner_text().startswith("大園精密工業股份有限公司")
    assert tab.page.inner_text("#result-status") == "有 1 位用戶符合「大園」。"
    assert tab.page.locator("#result-status").get_attribute("role") == "status"
    assert tab.page.locator("#result-status").count() == 1
    assert re.search(r"/staff/customers/\?q=%E5%A4%A7%E5%9C%92$", tab.page.url)
    assert tab.page.locator("head style").count() == 0  # htmx injected no indicator <style>
    assert tab.csp_violations() == []


def test_customer_search_works_without_javascript(open_tab, site_data):
    # given
    tab = open_tab(java_script_enabled=False)
    tab.sign_in("business.clerk")
    tab.goto("/staff/customers/")
    # when
    tab.page.fill("#q", "王")
    with tab.page.expect_navigation():
        tab.page.press("#q", "Enter")
    # then: one masked row for 王小明
    assert tab.page.url.endswith("/staff/customers/?q=%E7%8E%8B")
    rows = tab.page.locator("#results tbody tr")
    assert rows.count() == 1
    text = rows.inner_text()
    for personal in (
        "王小明",
        "A123456789",
        "0912345678",
        "0912-345-678",
        "wang.xiaoming@example.com",
    ):
        assert personal not in text
    cells = [t.strip() for t in rows.locator("td").all_inner_texts()]
    assert cells[-1] == "ZL"
    assert tab.page.inner_text("#result-status") == "有 1 位用戶符合「王」。"


def test_showing_personal_data_is_a_post_and_is_recorded(open_tab, site_data):
    # given
    tab = open_tab()
    tab.sign_in("business.clerk")
    tab.goto(f"/staff/customers/{site_data.customer.pk}/")
    assert "王小明" not in tab.page.inner_text("main")
    # when
    with tab.page.expect_navigation() as navigation:
        tab.page.get_by_role("button", name="顯示個人資料（將記錄於稽核紀錄）").click()
    # then
    assert navigation.value.request.method == "POST"
    main = tab.page.inner_text("main")
    assert "目前顯示未遮蔽的個人資料。本次檢視已記錄於稽核紀錄。" in main
    assert "王小明" in main
    assert "A123456789" in main
    assert tab.page.locator("form[action$='/personal/']").count() == 0
    event = AuditEvent.objects.get(verb="customer.view_personal")
    assert (event.actor_label, event.target_id) == ("business.clerk", str(site_data.customer.pk))
    # and the language switch goes to the masked page, not to the POST-only URL
    next_url = tab.page.locator("form.lang-switch input[name=next]").get_attribute("value")
    assert next_url == f"/en/staff/customers/{site_data.customer.pk}/"


def test_customer_detail_lists_accounts_with_text_labels(open_tab, site_data):
    # given
    tab = open_tab(locale="en-GB")
    tab.sign_in("business.clerk")
    # when
    tab.goto(f"/en/staff/customers/{site_data.customer.pk}/")
    row = tab.page.locator("table tbody tr")
    # then
    assert row.count() == 1
    assert row.locator("th").inner_text() == "12-34-5678-90-1"
    cells = [t.strip() for t in row.locator("td").all_inner_texts()]
    assert cells[0] == "In supply"
    assert cells[2] == "Lighting, residential (tiered)"
    assert cells[3] == "Single phase, 30 A"
    assert cells[4] == "Every two months (odd months)"
    assert cells[7] == "Yes"


def test_new_token_is_shown_once_and_can_be_revoked(open_tab, site_data):
    # given
    tab = open_tab()
    tab.sign_in("business.clerk")
    tab.goto("/staff/tokens/")
    # when
    tab.page.fill("#id_name", "月報表程式")
    with tab.page.expect_navigation():
        tab.page.press("#id_name", "Enter")
    # then: shown once, with the warning
    token = tab.page.input_value("#new-token")
    assert token.startswith("pd_")
    assert "請立即複製新權杖：離開本頁後將不再顯示。" in tab.page.inner_text("[role=alert]")
    assert tab.page.locator("button[data-copy-target=new-token]").is_visible()
    # when: come back later
    tab.goto("/staff/tokens/")
    # then
    assert tab.page.locator("#new-token").count() == 0
    assert token not in tab.page.content()
    row = tab.page.locator("table tbody tr")
    assert row.locator("th").inner_text() == "月報表程式"
    assert "有效" in row.inner_text()
    # when
    with tab.page.expect_navigation():
        row.get_by_role("button", name=re.compile("^撤銷")).click()
    # then
    assert "已撤銷" in tab.page.locator("table tbody tr").inner_text()
    assert tab.page.locator("table tbody tr button").count() == 0


def test_totp_setup_shows_the_qr_code_and_the_key_as_text(open_tab, site_data):
    # given
    tab = open_tab()
    tab.sign_in("business.clerk")
    # when
    response = tab.goto("/staff/totp/")
    # then: segno's inline SVG carries no style attribute or element (CSP style-src 'self')
    svg = tab.page.locator("figure.qr svg")
    assert svg.count() == 1
    assert tab.page.locator("figure.qr [style], figure.qr style").count() == 0
    assert svg.locator("title").text_content() == "驗證器 App 設定用 QR Code"
    assert svg.bounding_box()["width"] >= 150
    secret = tab.page.inner_text("#totp-secret")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert tab.csp_violations() == []


def test_audit_log_filters_paginate_and_keep_the_query(open_tab, site_data):
    # given: 60 matching rows (50 per page)
    for number in range(60):
        audit_record(actor=site_data.clerk, verb="test.bulk", details={"n": number})
    tab = open_tab()
    tab.sign_in("inspection.auditor")
    # when
    tab.goto("/staff/audit/?verb=test.&actor=business.clerk")
    # then
    assert tab.page.locator("table tbody tr").count() == 50
    assert tab.page.inner_text("caption") == "稽核事件第 1 至 50 筆，共 60 筆"
    csv = tab.page.get_by_role("link", name="下載篩選結果（CSV）").get_attribute("href")
    assert csv == "?format=csv&verb=test.&actor=business.clerk"
    # when
    with tab.page.expect_navigation():
        tab.page.get_by_role("link", name="下一頁").click()
    # then
    assert tab.page.url.endswith("/staff/audit/?verb=test.&actor=business.clerk&page=2")
    assert tab.page.locator("table tbody tr").count() == 10
    first_row = [
        t.strip()
        for t in tab.page.locator("table tbody tr").first.locator("th, td").all_inner_texts()
    ]
    assert first_row[1:4] == ["business.clerk", "異動", "test.bulk"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first_row[0])


def test_back_after_an_htmx_search_shows_a_whole_page(open_tab, site_data):
    # given: a search done with htmx, then a customer opened from the results
    tab = open_tab()
    tab.sign_in("business.clerk")
    tab.goto("/staff/customers/")
    with tab.page.expect_response(lambda r: "q=" in r.url):
        tab.page.locator("#q").press_sequentially("王", delay=50)
    tab.page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 1")
    with tab.page.expect_navigation():
        tab.page.locator("#results tbody th a").click()
    # when
    tab.page.go_back()
    tab.page.wait_for_load_state("load")
    # then: the full search page (header, form, results), not the bare htmx fragment
    assert tab.page.locator("header.site-header").count() == 1
    assert tab.page.input_value("#q") == "王"
    assert tab.page.locator("#results tbody tr").count() == 1


def test_totp_setup_then_sign_in_with_a_code(open_tab, site_data):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def code(device, *, steps_ahead: int = 0) -> str:
        value = totp(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
        )
        return f"{value:06d}"

    # given: the set-up page has created an unconfirmed device
    tab = open_tab()
    tab.sign_in("business.clerk")
    tab.goto("/staff/totp/")
    device = TOTPDevice.objects.get(user=site_data.clerk, confirmed=False)
    # when: confirm with the current code
    tab.page.fill("#id_token", code(device))
    with tab.page.expect_navigation():
        tab.page.press("#id_token", "Enter")
    # then
    assert tab.page.url == tab.base_url + "/staff/"
    verification = tab.page.locator("dl.facts dd").nth(3).inner_text()
    assert "已啟用" in verification
    assert "本次登入已使用驗證碼驗證" in verification
    # when: sign out, then sign in again with password and the next code
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="登出").click()
    tab.goto("/staff/login/")
    tab.page.fill("#id_username", "business.clerk")
    tab.page.fill("#id_password", PASSWORD)
    tab.page.fill("#id_otp_token", code(device, steps_ahead=1))
    with tab.page.expect_navigation():
        tab.page.press("#id_otp_token", "Enter")
    # then
    assert tab.page.url == tab.base_url + "/staff/"
    assert "本次登入已使用驗證碼驗證" in tab.page.locator("dl.facts dd").nth(3).inner_text()


@pytest.mark.parametrize(("motion", "animation"), [("reduce", "none"), ("no-preference", "spin")])
def test_search_spinner_respects_reduced_motion(open_tab, site_data, motion, animation):
    # given
    tab = open_tab(reduced_motion=motion)
    tab.sign_in("business.clerk")
    # when
    tab.goto("/staff/customers/")
    # then
    name = tab.page.evaluate(
        "() => getComputedStyle(document.querySelector('.spinner')).animationName"
    )
    assert name == animation
    assert tab.page.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior") == (
        "auto" if motion == "reduce" else "smooth"
    )
