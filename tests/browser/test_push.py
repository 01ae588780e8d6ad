"""Web push in Chromium: the page registers the service worker for the whole site and posts a
subscription with its CSRF token; the worker sends the message through the real protocol to
a local push service, which verifies the VAPID signature and decrypts it; the decrypted
payload is then handed to the browser's service worker, which shows the notification.

What cannot be tested here, and why: Chromium chooses its own push service (Google's FCM) and
refuses ``pushManager.subscribe`` in Playwright's contexts, which are incognito ("Chrome
currently does not support the Push API in incognito mode", crbug 41124656) and have no
network. So the subscription the page posts comes from the local push service (as a real
browser's would come from FCM), and the last hop — push service to browser — is replayed with
the DevTools protocol's ``ServiceWorker.deliverPushMessage``, carrying the very payload the
local push service decrypted.

What the service worker shows is observed at the browser API it calls: the test wraps
``ServiceWorkerRegistration.showNotification`` and ``ExtendableEvent.waitUntil`` inside the
worker (the real calls still run) and reads back the notifications shown and the push events
finished. ``registration.getNotifications()`` is not used: headless Chromium's message centre
now and then leaves out a notification whose ``showNotification`` had resolved (seen in about 1
run in 20 on a loaded machine), which made the test fail for the browser's reasons, not ours.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command

from powerdesk.notifications import actions
from powerdesk.notifications.channels.webpush import WebPushProvider
from powerdesk.notifications.models import OutboxMessage, PushSubscription
from powerdesk.notifications.testing.push_server import PushService
from powerdesk.notifications.worker import DeliveryWorker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def push_ready(settings, tmp_path, site_data) -> Any:
    from powerdesk.notifications.conf import settings_from_environment

    config = settings_from_environment()
    config["QUIET_HOURS"] = {**config["QUIET_HOURS"], "CHANNELS": []}
    key_file = tmp_path / "vapid.pem"
    config["PROVIDERS"]["push"]["OPTIONS"]["private_key_file"] = str(key_file)
    settings.POWERDESK_NOTIFICATIONS = config
    settings.POWERDESK_PUSH_ALLOW_LOCAL_HTTP = True
    cache.clear()  # the rate limits of the push endpoints count per address (127.0.0.1 here)
    call_command("notifications_vapid", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for language, title, body in [
        ("zh-hant", "台電停電通知", "${day} 09:00–12:00 ${area} 計畫性停電。"),
        ("en", "Taipower outage", "Planned outage in ${area} on ${day}, 09:00–12:00."),
    ]:
        actions.template_create(
            actor=site_data.clerk,
            key="outage.notice",
            purpose="outage_planned",
            channel="push",
            language=language,
            subject=title,
            body_text=body,
        )
    return key_file


def _registration_id(cdp: Any, origin: str) -> str:
    found: dict[str, str] = {}

    def seen(event: dict[str, Any]) -> None:
        for registration in event.get("registrations", []):
            if registration["scopeURL"].startswith(origin) and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while "id" not in found and time.monotonic() < deadline:
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets events arrive
        time.sleep(0.05)
    assert "id" in found, "the service worker registration was not reported"
    return found["id"]


OBSERVE = """() => {
  if (self.__powerdesk) {
    return true;
  }
  const seen = (self.__powerdesk = { shown: [], pushes: 0, finished: 0 });
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    return show.call(this, title, options).then((result) => {
      seen.shown.push({ title, body: options.body, tag: options.tag, lang: options.lang });
      return result;
    });
  };
  const waitUntil = ExtendableEvent.prototype.waitUntil;
  ExtendableEvent.prototype.waitUntil = function (promise) {
    if (this.type === "push") {
      seen.pushes += 1;
      Promise.resolve(promise).finally(() => { seen.finished += 1; });
    }
    return waitUntil.call(this, promise);
  };
  return true;
}"""


def _observe(tab: Any) -> Any:
    """The page's service worker, with its notifications and push events observed (above).

    A worker DevTools is attached to (Playwright attaches) is not stopped when idle, so what is
    recorded stays for the whole test."""
    tab.page.evaluate("async () => navigator.serviceWorker.ready")
    deadline = time.monotonic() + 10
    while not tab.page.context.service_workers and time.monotonic() < deadline:
        time.sleep(0.05)
    (worker,) = tab.page.context.service_workers
    assert worker.evaluate(OBSERVE)
    return worker


def _deliver(cdp: Any, origin: str, registration_id: str, payload: dict[str, Any]) -> None:
    """The push service's last hop: the decrypted payload handed to the service worker."""
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": origin + "/",
            "registrationId": registration_id,
            "data": json.dumps(payload, ensure_ascii=False),
        },
    )


def _shown_after(worker: Any, pushes: int) -> list[dict[str, Any]]:
    """Wait until ``pushes`` push events in all have finished; the notifications shown so far."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        seen: dict[str, Any] = worker.evaluate("() => self.__powerdesk")
        if seen["finished"] >= pushes:
            assert seen["pushes"] == pushes, f"more push events than delivered: {seen}"
            return list(seen["shown"])
        time.sleep(0.1)
    raise AssertionError(f"{pushes} push events did not finish within 15 seconds: {seen}")


def test_subscribe_send_and_show_a_push_notification(open_tab, live_server, push_ready):
    tab = open_tab()
    tab.page.context.grant_permissions(["notifications"], origin=live_server.url)
    with PushService() as push:
        # given: the page with the subscribe button registered the service worker for "/"
        tab.goto("/notifications/push/")
        scope = tab.page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
        assert scope == live_server.url + "/"
        form = tab.page.locator("form[data-push-subscribe]")
        assert form.locator("button[type=submit]").is_enabled()
        # when: the page's script posts a subscription (made by the local push service)
        subscription = push.subscribe()
        reply = tab.page.evaluate("(s) => window.powerdeskPush.send(s)", subscription)
        assert tab.page.inner_text("[data-push-status]") == form.get_attribute("data-msg-done")
        stored = PushSubscription.objects.get(pk=reply["id"])
        assert stored.endpoint == subscription["endpoint"]
        # and an outage notice is queued and delivered through the protocol
        message = actions.notification_queue(
            purpose="outage_planned",
            template="outage.notice",
            context={"day": "5月20日", "area": "中壢區中正路"},
            address=reply["address"],
            channels=["push"],
            idempotency_key="outage:2026-05-20:zl-17",
        )
        provider = WebPushProvider(
            private_key_file=str(push_ready), subject="mailto:ops@example.tw", ttl=600
        )
        assert DeliveryWorker(providers={"push": provider}).run(until_idle=True) == 1
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.SENT
        (received,) = push.received
    payload = received.payload
    assert payload["key"] == "outage:2026-05-20:zl-17"
    # then: handed to the service worker, it is shown with the right title, body and tag
    worker = _observe(tab)
    cdp = tab.page.context.new_cdp_session(tab.page)
    registration_id = _registration_id(cdp, live_server.url)
    _deliver(cdp, live_server.url, registration_id, payload)
    first = {
        "title": "台電停電通知",
        "body": "5月20日 09:00–12:00 中壢區中正路 計畫性停電。",
        "tag": "outage:2026-05-20:zl-17",
        "lang": "zh-Hant",
    }
    assert _shown_after(worker, pushes=1) == [first]
    # a repeat of the same key (a retry after an unknown outcome) is not shown again; a new key is
    _deliver(cdp, live_server.url, registration_id, payload)
    assert _shown_after(worker, pushes=2) == [first]
    other = {**payload, "key": "outage:2026-05-21:zl-17", "body": "second"}
    _deliver(cdp, live_server.url, registration_id, other)
    shown = _shown_after(worker, pushes=3)
    assert [n["tag"] for n in shown] == ["outage:2026-05-20:zl-17", "outage:2026-05-21:zl-17"]
    assert shown[1]["body"] == "second"
    assert tab.csp_violations() == []


def _subscribe_with_local_push(tab: Any, push: PushService) -> dict[str, Any]:
    """The page's script posts a subscription made by the local push service (see above)."""
    tab.page.evaluate("async () => navigator.serviceWorker.ready")
    test_button = tab.page.locator("form[data-push-test] button[type=submit]")
    assert not test_button.is_visible()  # nothing to test before subscribing
    reply: dict[str, Any] = tab.page.evaluate(
        "(s) => window.powerdeskPush.send(s)", push.subscribe()
    )
    test_button.wait_for(state="visible", timeout=5_000)
    return reply


def test_test_button_sends_this_browser_a_notification(open_tab, live_server, push_ready):
    tab = open_tab()
    tab.page.context.grant_permissions(["notifications"], origin=live_server.url)
    with PushService() as push:
        # given: this browser subscribed on the page
        tab.goto("/notifications/push/")
        reply = _subscribe_with_local_push(tab, push)
        # when: the person presses "send a test notification"; a double click sends one
        tab.page.dblclick("form[data-push-test] button[type=submit]")
        tab.page.wait_for_function(
            "() => document.querySelector('[data-push-status]').textContent.startsWith('已送出')",
            polling=100,
            timeout=10_000,
        )
        assert tab.page.inner_text("[data-push-status]") == "已送出：通知應在一分鐘內出現。"
        (message,) = OutboxMessage.objects.all()
        assert message.recipient == reply["address"]
        # and the worker delivers it through the protocol to the (local) push service
        provider = WebPushProvider(
            private_key_file=str(push_ready), subject="mailto:ops@example.tw", ttl=600
        )
        assert DeliveryWorker(providers={"push": provider}).run(until_idle=True) == 1
        (received,) = push.received
    # then: the decrypted payload, handed to the service worker, is shown
    worker = _observe(tab)
    cdp = tab.page.context.new_cdp_session(tab.page)
    registration_id = _registration_id(cdp, live_server.url)
    _deliver(cdp, live_server.url, registration_id, received.payload)
    (shown,) = _shown_after(worker, pushes=1)
    assert shown["title"] == "台電推播通知測試"
    assert shown["body"].startswith("這是一則測試通知")
    assert shown["tag"] == message.idempotency_key
    assert tab.csp_violations() == []


@pytest.mark.parametrize(
    ("prefix", "locale", "heading"),
    [
        ("", "zh-TW", "在此瀏覽器接收通知"),
        ("/en", "en-GB", "Notifications in this browser"),
    ],
)
def test_push_page_is_accessible_with_the_test_button(
    open_tab, live_server, push_ready, prefix, locale, heading
):
    with PushService() as push:
        # accessibility (axe needs bypass_csp), with the test button shown
        tab = open_tab(locale=locale, bypass_csp=True)
        tab.goto(f"{prefix}/notifications/push/")
        assert tab.page.inner_text("h1") == heading
        _subscribe_with_local_push(tab, push)
        assert tab.axe_violations() == []
        # the real CSP: nothing blocked, with the test button shown and pressed
        plain = open_tab(locale=locale)
        plain.goto(f"{prefix}/notifications/push/")
        _subscribe_with_local_push(plain, push)
        plain.page.click("form[data-push-test] button[type=submit]")
        plain.page.wait_for_function(
            "() => ['已送出', 'On its way'].some((start) =>"
            " document.querySelector('[data-push-status]').textContent.startsWith(start))",
            polling=100,
            timeout=10_000,
        )
        assert plain.csp_violations() == []


def test_call_list_and_outcome_form_are_accessible(open_tab, site_data):
    from django.utils import timezone

    from powerdesk.notifications.models import CallTask

    actions.template_create(
        actor=site_data.clerk,
        key="bill.call",
        purpose="payment_reminder",
        channel="voice",
        language="zh-hant",
        body_text="電號 ${account} 尚欠電費，請儘速繳納。",
    )
    message = actions.notification_queue(
        purpose="payment_reminder",
        template="bill.call",
        context={"account": "12-34-5678-90-1"},
        address="0912345678",
        channels=["voice"],
        idempotency_key="browser:call:1",
    )
    task = CallTask.objects.create(
        message=message,
        service_centre=site_data.centre,
        phone="+886912345678",
        call_after=timezone.now(),
        created_at=timezone.now(),
    )
    tab = open_tab(bypass_csp=True)
    tab.sign_in("business.clerk")
    tab.goto(f"/staff/calls/?centre={site_data.centre.pk}")
    assert "+886912345678" in tab.page.inner_text("table")
    assert tab.axe_violations() == []
    tab.goto(f"/staff/calls/{task.pk}/")
    assert tab.axe_violations() == []
    tab.page.check("input[value=no_answer]")
    tab.page.check("input[name=retry]")
    with tab.page.expect_navigation():
        tab.page.click("form:has(fieldset) button[type=submit]")
    task.refresh_from_db()
    assert (task.status, task.outcome) == ("done", "no_answer")
    assert CallTask.objects.filter(status="open", attempt=2).count() == 1
    # back on the list: the open retry (call 2) is shown
    cells = tab.page.locator("tbody tr td").all_inner_texts()
    assert cells[1:4] == ["+886912345678", "電號 12-34-5678-90-1 尚欠電費，請儘速繳納。", "2"]
