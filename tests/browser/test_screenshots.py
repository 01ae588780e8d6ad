"""Screenshots for the documentation, taken from the running site: into var/screenshots, or
docs/screenshots with ``POWERDESK_SCREENSHOTS=docs/screenshots`` (README.md)."""

from __future__ import annotations

import pytest

from tests.browser.support import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize(
    ("_case", "path", "user", "filename", "heading"),
    [
        ("home in zh-Hant", "/", None, "home-zh.png", "桃園地區用電服務"),
        ("home in English", "/en/", None, "home-en.png", "Electricity services in Taoyuan"),
        ("staff home", "/staff/", "business.clerk", "staff-home.png", "林美玲，您好"),
    ],
)
def test_screenshot(open_tab, site_data, _case, path, user, filename, heading):
    # given
    tab = open_tab(
        viewport={"width": 1280, "height": 800},
        locale="en-GB" if path.startswith("/en/") else "zh-TW",
    )
    if user:
        tab.sign_in(user)
    # when
    tab.goto(path)
    tab.page.wait_for_function("() => document.fonts.ready.then(() => true)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / filename
    tab.page.screenshot(path=str(target), full_page=True)
    # then
    assert tab.page.inner_text("h1") == heading
    assert target.stat().st_size > 10_000
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
