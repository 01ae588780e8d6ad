"""Keyboard use: the skip link, a visible focus ring, sign-in without a mouse, errors tied to fields."""

from __future__ import annotations

import pytest

from tests.browser.support import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]

ACTIVE = """() => {
    const el = document.activeElement;
    return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || "").trim(),
            href: el.getAttribute("href"), outline: getComputedStyle(el).outlineStyle,
            outlineWidth: parseFloat(getComputedStyle(el).outlineWidth), top: el.getBoundingClientRect().top};
}"""


def _tab_until(tab, predicate, *, limit: int = 40) -> dict:
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        active = tab.page.evaluate(ACTIVE)
        if predicate(active):
            return active
    raise AssertionError(f"not reached with {limit} presses of Tab")


@pytest.mark.parametrize(
    ("_case", "prefix", "label"),
    [("zh-Hant", "", "跳到主要內容"), ("en", "/en", "Skip to main content")],
)
def test_skip_link_comes_first_and_moves_focus_to_main(open_tab, site_data, _case, prefix, label):
    # given
    tab = open_tab()
    tab.goto(prefix + "/service-centres/")
    # when: the first Tab
    tab.page.keyboard.press("Tab")
    skip = tab.page.evaluate(ACTIVE)
    # then: the skip link is focused, on screen, with a thick outline
    assert skip["text"] == label
    assert skip["href"] == "#main"
    assert skip["top"] >= 0
    assert skip["outline"] == "solid"
    assert skip["outlineWidth"] >= 3
    # when
    tab.page.keyboard.press("Enter")
    # then: focus is on <main>, and the next Tab lands inside it, not back in the header
    assert tab.page.evaluate(ACTIVE)["id"] == "main"
    tab.page.keyboard.press("Tab")
    inside_main = tab.page.evaluate(
        "() => document.querySelector('main').contains(document.activeElement)"
    )
    assert inside_main is True


def test_focused_links_and_buttons_show_a_thick_outline(open_tab, site_data):
    # given
    tab = open_tab()
    tab.goto("/")
    # when: tab to the language button in the header and to a link in the footer
    button = _tab_until(tab, lambda a: a["tag"] == "button")
    footer_link = _tab_until(tab, lambda a: a["href"] == "tel:1911" and a["top"] > 400)
    # then
    assert button["outline"] == "solid"
    assert button["outlineWidth"] >= 3
    assert footer_link["outline"] == "solid"
    assert footer_link["outlineWidth"] >= 3


def test_keyboard_only_sign_in_reaches_staff_home(open_tab, site_data):
    # given: the home page, no mouse
    tab = open_tab()
    tab.goto("/")
    # when: Tab to "員工登入" and follow it
    _tab_until(tab, lambda a: a["text"] == "員工登入")
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")
    # then: the form is there and the user name field has focus (autofocus)
    assert tab.page.url.endswith("/staff/login/")
    assert tab.page.evaluate(ACTIVE)["id"] == "id_username"
    # when: type, Tab through password and the optional code, submit with the button
    tab.page.keyboard.type("business.clerk")
    tab.page.keyboard.press("Tab")
    tab.page.keyboard.type(PASSWORD)
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate(ACTIVE)["id"] == "id_otp_token"
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate(ACTIVE)["text"] == "登入"
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")
    # then
    assert tab.page.url == tab.base_url + "/staff/"
    assert tab.page.inner_text("h1") == "林美玲，您好"


def test_sign_in_errors_are_summarised_focused_and_tied_to_their_fields(open_tab, site_data):
    # given
    tab = open_tab(locale="en-GB")
    tab.goto("/en/staff/login/")
    # when: submit the empty form
    with tab.page.expect_navigation():
        tab.page.click("button[type=submit].button")
    # then: the summary has focus and links to each field
    summary = tab.page.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert (
        tab.page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')") is True
    )
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_username",
        "#id_password",
    ]
    assert tab.page.title().startswith("Error:")
    # and each field says what is wrong and is marked invalid
    for name in ("username", "password"):
        field = tab.page.locator(f"#id_{name}")
        assert field.get_attribute("aria-invalid") == "true"
        assert f"id_{name}_error" in field.get_attribute("aria-describedby").split()
        error = tab.page.locator(f"#id_{name}_error").text_content()
        assert " ".join(error.split()) == "Error: This field is required."
    # when: follow the first link in the summary
    links.first.click()
    # then
    assert tab.page.evaluate(ACTIVE)["id"] == "id_username"


def test_wrong_password_is_reported_without_naming_the_field(open_tab, site_data):
    # given
    tab = open_tab()
    tab.goto("/staff/login/")
    # when
    tab.page.fill("#id_username", "business.clerk")
    tab.page.fill("#id_password", "wrong password")
    with tab.page.expect_navigation():
        tab.page.press("#id_password", "Enter")
    # then: a form-level error in the summary, no field marked as the culprit
    text = tab.page.inner_text("[data-error-summary]")
    assert text.startswith("資料有誤")
    assert "使用者名稱" in text  # Django's own zh-Hant message names both fields
    assert tab.page.locator("[aria-invalid=true]").count() == 0
