"""The site speaks zh-Hant by default and English under /en/; the switch works with and without JS."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]


def _html_lang(tab) -> str:
    return tab.page.get_attribute("html", "lang")


def test_home_page_is_in_traditional_chinese_by_default(open_tab, site_data):
    # given
    tab = open_tab()
    # when
    response = tab.goto("/")
    # then
    assert response.status == 200
    assert response.headers["content-language"] == "zh-hant"
    assert _html_lang(tab) == "zh-Hant"
    assert tab.page.inner_text("h1") == "桃園地區用電服務"
    assert tab.page.title() == "首頁 | powerdesk · 台灣電力公司 桃園區營業處"
    assert "1911" in tab.page.inner_text("footer")


def test_home_page_in_english_under_en_prefix(open_tab, site_data):
    # given
    tab = open_tab(locale="en-GB")
    # when
    response = tab.goto("/en/")
    # then
    assert response.status == 200
    assert _html_lang(tab) == "en"
    assert tab.page.inner_text("h1") == "Electricity services in Taoyuan"
    assert tab.page.title() == "Home | powerdesk · Taipower Taoyuan District Office"


def test_home_page_lists_every_service_with_its_status_as_text(open_tab, site_data):
    # given
    tab = open_tab()
    # when
    tab.goto("/en/")
    cards = tab.page.locator(".cards > li")
    # then
    assert cards.count() == 6
    statuses = [text.strip() for text in tab.page.locator(".card__status").all_inner_texts()]
    assert statuses == [
        "Available now",  # applications and progress lookup
        "Coming soon",  # queue numbers
        "Available now",  # tariff calculator
        "Coming soon",  # planned outages
        "Coming soon",  # bills and reminders
        "Available now",  # service centres
    ]
    link = tab.page.get_by_role("link", name="Service centres", exact=True).last
    assert link.get_attribute("href") == "/en/service-centres/"


@pytest.mark.parametrize(
    ("_case", "javascript"), [("without JavaScript", False), ("with JavaScript", True)]
)
def test_language_switch_posts_and_returns_to_the_same_page(open_tab, site_data, _case, javascript):
    # given: the service centres page in zh-Hant
    tab = open_tab(java_script_enabled=javascript)
    tab.goto("/service-centres/")
    assert _html_lang(tab) == "zh-Hant"
    assert tab.page.inner_text("h1") == "服務中心"
    # when: switch to English
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="切換語言為 English").click()
    # then
    assert tab.page.url == tab.base_url + "/en/service-centres/"
    assert _html_lang(tab) == "en"
    assert tab.page.inner_text("h1") == "Service centres"
    # when: and back to Chinese
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Change language to 中文").click()
    # then
    assert tab.page.url == tab.base_url + "/service-centres/"
    assert _html_lang(tab) == "zh-Hant"
    cookies = {cookie["name"]: cookie["value"] for cookie in tab.page.context.cookies()}
    assert cookies["powerdesk_language"] == "zh-hant"


def test_language_switch_is_a_post_form_to_set_language(open_tab, site_data):
    # given
    tab = open_tab()
    # when
    tab.goto("/accessibility/?from=test")
    form = tab.page.locator("form.lang-switch")
    # then
    assert form.get_attribute("method") == "post"
    assert form.get_attribute("action") == "/i18n/setlang/"
    assert form.locator("input[name=language]").get_attribute("value") == "en"
    assert form.locator("input[name=next]").get_attribute("value") == "/en/accessibility/?from=test"
    assert form.locator("input[name=csrfmiddlewaretoken]").count() == 1


def test_service_centres_show_names_in_the_active_language_and_hours_from_monday(
    open_tab, site_data
):
    # given
    tab = open_tab()
    # when
    tab.goto("/en/service-centres/")
    rows = tab.page.locator("table tbody tr")
    # then
    assert rows.count() == 2
    first = rows.nth(0)
    assert first.locator("th").inner_text() == "Dayuan Service Centre"
    zhongli = rows.nth(1)
    assert zhongli.locator("th").inner_text() == "Zhongli Service Centre"
    hours = [text.strip() for text in zhongli.locator(".hours li").all_inner_texts()]
    assert hours == [
        "Monday 08:30 to 17:30",
        "Tuesday 08:30 to 17:30",
        "Wednesday 08:30 to 17:30",
        "Thursday 08:30 to 17:30",
        "Friday 08:30 to 17:30",
        "Saturday 08:30 to 12:00",
    ]
    assert zhongli.locator(".yes-no").inner_text().strip() == "Yes"
    assert first.locator(".yes-no").inner_text().strip() == "No"
    assert zhongli.locator("td").nth(0).get_attribute("lang") == "zh-Hant"
    assert tab.page.locator("table caption").count() == 1
    assert tab.page.locator("thead th[scope=col]").count() == 6


def test_sign_in_page_shows_the_site_name_not_the_host_name(open_tab, site_data):
    # given: Django's LoginView puts the host name into the context as `site_name`
    tab = open_tab()
    # when
    tab.goto("/staff/login/")
    # then
    assert tab.page.title() == "員工登入 | powerdesk · 台灣電力公司 桃園區營業處"
    assert tab.page.inner_text(".brand__site") == "powerdesk"
