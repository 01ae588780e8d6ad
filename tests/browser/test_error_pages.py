"""Error pages: 400/403/404 extend the base layout; 500 is standalone (no context processors, no
database); the CSRF failure page replaces Django's built-in one, whose inline <style> the CSP
would block. Each is served to Chromium with the site's real CSP header and checked with axe."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.middleware.csp import build_policy
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from tests.browser.pages import LANGUAGES, Case, _login_with_wrong_password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]

CSP = build_policy(settings.SECURE_CSP)


def _serve(tab, html: str, *, status: int) -> None:
    """Serve `html` at a URL of the live server, with the site's CSP header, and open it."""
    url = tab.base_url + "/__error-page__"
    tab.page.route(
        url,
        lambda route: route.fulfill(
            status=status,
            body=html,
            headers={"content-type": "text/html; charset=utf-8", "content-security-policy": CSP},
        ),
    )
    tab.page.goto(url)
    tab.page.wait_for_load_state("load")


@pytest.mark.parametrize(("language", "code"), list(LANGUAGES.items()))
def test_server_error_page_renders_without_request_or_database(
    open_tab, site_data, django_assert_num_queries, language, code
):
    # given / when: no request, so no context processors, and no queries
    with translation.override("en" if code else "zh-hant"), django_assert_num_queries(0):
        html = render_to_string("web/500.html")
    tab = open_tab(bypass_csp=False)
    _serve(tab, html, status=500)
    # then
    assert tab.page.get_attribute("html", "lang") == language
    assert tab.page.inner_text("h1") == ("Something went wrong" if code else "系統發生錯誤")
    assert tab.page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith(
        ("system-ui", '"Noto Sans TC"')
    )
    assert tab.csp_violations() == []
    assert "1911" in tab.page.inner_text("main")


@pytest.mark.parametrize(("language", "code"), list(LANGUAGES.items()))
@pytest.mark.parametrize(
    ("template", "status", "heading_en"),
    [
        ("web/400.html", 400, "Sorry, we could not handle that request"),
        ("web/403.html", 403, "You are not allowed to see this page"),
        ("web/404.html", 404, "Page not found"),
        ("web/500.html", 500, "Something went wrong"),
    ],
)
def test_error_pages_have_no_accessibility_or_csp_violations(
    open_tab, site_data, language, code, template, status, heading_en
):
    # given
    request = RequestFactory().get(code + "/anything/")
    with translation.override("en" if code else "zh-hant"):
        html = render_to_string(template, request=request if template != "web/500.html" else None)
    strict = open_tab()
    _serve(strict, html, status=status)
    checked = open_tab(bypass_csp=True)
    _serve(checked, html, status=status)
    # when
    violations = checked.axe_violations()
    # then
    assert strict.csp_violations() == []
    assert violations == []
    assert strict.page.get_attribute("html", "lang") == language
    if code:
        assert strict.page.inner_text("h1") == heading_en


def _csrf_failure(tab, data, prefix):
    tab.goto(f"{prefix}/staff/login/")
    tab.page.evaluate(
        "() => { document.querySelector('form.form input[name=csrfmiddlewaretoken]').value = 'x'.repeat(64); }"
    )
    tab.page.fill("#id_username", data.clerk.username)
    tab.page.fill("#id_password", "anything")
    with tab.page.expect_navigation() as navigation:
        tab.page.press("#id_password", "Enter")
    return navigation.value


CSRF_FAILURE = Case("csrf-failure", action=_csrf_failure, status=403)


@pytest.mark.parametrize(("language", "prefix"), list(LANGUAGES.items()))
def test_csrf_failure_page_is_ours_and_respects_the_csp(open_tab, site_data, language, prefix):
    # given
    strict = open_tab()
    checked = open_tab(bypass_csp=True)
    # when
    response = CSRF_FAILURE.open(strict, site_data, prefix=prefix)
    CSRF_FAILURE.open(checked, site_data, prefix=prefix)
    # then
    assert response.status == 403
    assert strict.page.inner_text("h1") == ("This form has expired" if prefix else "這份表單已失效")
    assert strict.page.get_attribute("html", "lang") == language
    assert strict.csp_violations() == []
    assert checked.axe_violations() == []


def test_too_many_failed_sign_ins_show_the_lockout_page(open_tab, site_data):
    # given
    tab = open_tab()
    # when: the failure limit is reached
    statuses = [
        _login_with_wrong_password(tab, site_data, "").status
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # then
    assert statuses[-1] == 429
    assert tab.page.inner_text("h1") == "暫時無法登入"
    assert "登入失敗次數過多，請於 15 分鐘後再試。" in tab.page.inner_text("main")
