"""Web push: subscriptions from the page, enqueue-time checks, and delivery through the real
protocol (VAPID-signed, aes128gcm-encrypted) to a local push service that verifies and
decrypts it."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from powerdesk.core.domain.errors import DomainError
from powerdesk.core.errors import InvalidInputError
from powerdesk.notifications import actions
from powerdesk.notifications.channels.webpush import WebPushProvider
from powerdesk.notifications.domain.push import push_topic, validate_endpoint, validate_keys
from powerdesk.notifications.models import OutboxMessage, PushSubscription
from powerdesk.notifications.testing.ledger import Ledger
from powerdesk.notifications.testing.push_server import PushService, verify_vapid
from powerdesk.notifications.worker import DeliveryWorker

Status = OutboxMessage.Status
CSRF = "c" * 32
PUSH_TEXTS = {
    "zh-hant": {"subject": "台電停電通知", "body_text": "電號 ${account} 所在地區 ${day} 停電。"},
    "en": {"subject": "Taipower outage", "body_text": "Account ${account}: outage on ${day}."},
}
CONTEXT = {"account": "01-23-4567-89-0", "day": "2026-05-20"}


# --- pure rules -------------------------------------------------------------------------------


def _reset_limits() -> None:
    """Forget the rate-limit counters, not the sessions: with REDIS_URL the sessions live in the
    same cache, and clearing it would sign every test browser out of its subscriptions."""
    backend = caches["default"]  # the backend itself: `cache` is a proxy
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(None, write=True)
        keys = list(client.scan_iter(match=backend.make_key("notifications:*")))
        if keys:
            client.delete(*keys)
    else:  # the local-memory cache holds no sessions
        cache.clear()


def test_endpoint_must_be_https_unless_local_and_allowed() -> None:
    assert validate_endpoint("https://push.example/abc", allow_local_http=False)
    assert validate_endpoint("http://127.0.0.1:9/push/x", allow_local_http=True)
    for value, allow in [
        ("http://127.0.0.1:9/push/x", False),
        ("http://push.example/x", True),
        ("javascript:alert(1)", True),
        ("", True),
        ("https://push.example/" + "a" * 1000, True),
    ]:
        with pytest.raises(DomainError) as raised:
            validate_endpoint(value, allow_local_http=allow)
        assert raised.value.code.startswith("push.endpoint")
        assert raised.value.message.zh_hant
        assert raised.value.message.en


def test_subscription_keys_are_checked() -> None:
    with PushService() as push:
        keys = push.subscribe()["keys"]
    assert validate_keys(keys["p256dh"], keys["auth"]) == (keys["p256dh"], keys["auth"])
    with pytest.raises(DomainError, match="p256dh"):
        validate_keys(keys["auth"], keys["auth"])
    with pytest.raises(DomainError, match="auth"):
        validate_keys(keys["p256dh"], keys["p256dh"])


def test_topic_is_short_base64url_and_stable() -> None:
    topic = push_topic("outage:2026-05-20:12345678901")
    assert len(topic) == 32
    assert set(topic) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert topic == push_topic("outage:2026-05-20:12345678901")
    assert topic != push_topic("outage:2026-05-21:12345678901")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def vapid_key(tmp_path, outbox_config) -> Path:
    key_file = tmp_path / "vapid" / "private_key.pem"
    outbox_config["PROVIDERS"]["push"]["OPTIONS"]["private_key_file"] = str(key_file)
    call_command("notifications_vapid", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return key_file


@pytest.fixture
def allow_local(settings) -> None:
    settings.POWERDESK_PUSH_ALLOW_LOCAL_HTTP = True
    _reset_limits()


@pytest.fixture
def push_templates(clerk) -> None:
    for language, texts in PUSH_TEXTS.items():
        actions.template_create(
            actor=clerk,
            key="outage.notice",
            purpose="outage_planned",
            channel="push",
            language=language,
            **texts,
        )


@pytest.fixture
def push(tmp_path) -> Any:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    with PushService(ledger) as service:
        service.ledger = ledger
        yield service


def _client() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF
    return client


def _post(client: Client, data: Any, *, raw: bytes | None = None) -> Any:
    return client.post(
        "/notifications/push/subscriptions/",
        data=raw if raw is not None else json.dumps(data),
        content_type="application/json",
        headers={"X-CSRFToken": CSRF},
    )


def _provider(key_file: Path) -> WebPushProvider:
    return WebPushProvider(private_key_file=str(key_file), subject="mailto:ops@example.tw", ttl=600)


def _queue(**extra: Any) -> OutboxMessage:
    return actions.notification_queue(
        purpose="outage_planned",
        template="outage.notice",
        context=CONTEXT,
        **extra,
    )


# --- the subscription endpoint ----------------------------------------------------------------


@pytest.mark.django_db
def test_page_posts_subscription_with_csrf_token(push, allow_local) -> None:
    subscription = push.subscribe()
    client = _client()
    # without the CSRF header: refused
    refused = client.post(
        "/notifications/push/subscriptions/",
        data=json.dumps(subscription),
        content_type="application/json",
    )
    assert refused.status_code == 403
    # with it: stored, and the same endpoint again updates the same row
    first = _post(client, {**subscription, "language": "en"})
    assert first.status_code == 201
    again = _post(client, subscription)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    stored = PushSubscription.objects.get()
    assert stored.endpoint == subscription["endpoint"]
    assert stored.p256dh == subscription["keys"]["p256dh"]
    assert stored.auth == subscription["keys"]["auth"]
    assert first.json()["address"] == f"push:s{stored.pk}"


@pytest.mark.django_db
def test_bad_subscriptions_are_refused_with_bilingual_messages(push, settings) -> None:
    settings.POWERDESK_PUSH_ALLOW_LOCAL_HTTP = False
    _reset_limits()
    client = _client()
    good = push.subscribe()
    # a local http endpoint outside DEBUG/tests
    local = _post(client, good)
    assert local.status_code == 400
    assert local.json()["details"]["fields"][0]["code"] == "push.endpoint_scheme"
    # broken keys, named by field
    broken = _post(
        client,
        {"endpoint": "https://push.example/x", "keys": {"p256dh": "AAAA", "auth": "BBBB"}},
    )
    assert broken.status_code == 400
    codes = [field["code"] for field in broken.json()["details"]["fields"]]
    assert codes == ["push.p256dh"] or codes == ["push.p256dh", "push.auth"]
    # not JSON, too large
    assert _post(client, None, raw=b"endpoint=x").status_code == 400
    assert _post(client, None, raw=b"{" + b" " * 5000 + b"}").status_code == 413
    english = client.post(
        "/en/notifications/push/subscriptions/",
        data="[]",
        content_type="application/json",
        headers={"X-CSRFToken": CSRF},
    )
    assert english.status_code == 400
    assert "JSON object" in english.json()["message"]
    assert PushSubscription.objects.count() == 0


@pytest.mark.django_db
def test_subscription_endpoint_is_rate_limited(allow_local) -> None:
    client = _client()
    statuses = [_post(client, {"endpoint": ""}).status_code for _ in range(22)]
    assert statuses[:20] == [400] * 20
    assert statuses[20:] == [429, 429]


@pytest.mark.django_db
def test_service_worker_may_control_the_whole_site(client) -> None:
    response = client.get("/notifications/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert b'addEventListener("push"' in response.content


@pytest.mark.django_db
def test_public_key_is_served_when_configured(client, outbox_config, tmp_path) -> None:
    outbox_config["PROVIDERS"]["push"]["OPTIONS"]["private_key_file"] = str(tmp_path / "none.pem")
    assert client.get("/notifications/push/key/").status_code == 503
    call_command("notifications_vapid", stdout=open(os.devnull, "w"))  # noqa: SIM115
    key = client.get("/notifications/push/key/").json()["publicKey"]
    assert len(key) == 87  # 65 bytes, base64url without padding


@pytest.mark.django_db
def test_vapid_command_keeps_an_existing_key_private(vapid_key) -> None:
    assert stat.S_IMODE(vapid_key.stat().st_mode) == 0o600
    before = vapid_key.read_bytes()
    call_command("notifications_vapid", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert vapid_key.read_bytes() == before


# --- enqueue-time checks ----------------------------------------------------------------------


@pytest.mark.django_db
def test_customer_without_subscription_is_refused_or_gets_next_channel(
    vapid_key, push_templates, make_customer
) -> None:
    customer = make_customer(consents={"push": True, "sms": True})
    with pytest.raises(InvalidInputError) as raised:
        _queue(customer=customer, channels=["push"], idempotency_key="push:none")
    problem = raised.value.problems[0]
    assert problem.field == "channels"
    assert problem.details["channels"] == [{"channel": "push", "reason": "no_address"}]
    assert "推播" in problem.message.zh_hant
    assert "push" in problem.message.en
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_push_is_unavailable_without_a_vapid_key(
    push_templates, make_customer, outbox_config, tmp_path
) -> None:
    outbox_config["PROVIDERS"]["push"]["OPTIONS"]["private_key_file"] = str(tmp_path / "no.pem")
    customer = make_customer(consents={"push": True})
    PushSubscription.objects.create(
        endpoint="https://push.example/1",
        p256dh="x",
        auth="y",
        customer=customer,
        created_at=timezone.now(),
    )
    with pytest.raises(InvalidInputError) as raised:
        _queue(customer=customer, channels=["push"], idempotency_key="push:nokey")
    assert raised.value.problems[0].details["channels"] == [
        {"channel": "push", "reason": "unavailable"}
    ]


@pytest.mark.django_db
def test_unknown_or_gone_bare_subscription_is_refused(vapid_key, push_templates) -> None:
    gone = PushSubscription.objects.create(
        endpoint="https://push.example/gone",
        p256dh="x",
        auth="y",
        created_at=timezone.now(),
        gone_at=timezone.now(),
    )
    for address in (f"push:s{gone.pk}", "push:s999999", "push:whatever"):
        with pytest.raises(InvalidInputError) as raised:
            _queue(address=address, channels=["push"], idempotency_key=f"push:bad:{address}")
        assert raised.value.problems[0].field == "address"
        assert raised.value.problems[0].code == "push.subscription_unknown"


# --- delivery through the protocol ------------------------------------------------------------


@pytest.mark.django_db
def test_push_is_signed_encrypted_and_delivered_once(
    push, allow_local, vapid_key, push_templates, make_customer
) -> None:
    # given: a customer whose browser subscribed, and a visitor's bare subscription
    customer = make_customer(consents={"push": True}, language="en")
    mine = push.subscribe()
    assert _post(_client(), mine).status_code == 201
    PushSubscription.objects.filter(endpoint=mine["endpoint"]).update(customer=customer)
    visitor = _post(_client(), push.subscribe()).json()
    to_customer = _queue(customer=customer, channels=["push", "sms"], idempotency_key="push:c:1")
    to_visitor = _queue(address=visitor["address"], channels=["push"], idempotency_key="push:v:1")
    assert to_customer.channel == "push"
    assert to_customer.recipient == f"push:c{customer.pk}"
    # when
    handled = DeliveryWorker(providers={"push": _provider(vapid_key)}).run(until_idle=True)
    # then: the push service verified the VAPID signature and decrypted both payloads
    assert handled == 2
    received = {r.payload["key"]: r for r in push.received}
    assert set(received) == {"push:c:1", "push:v:1"}
    english = received["push:c:1"]
    assert english.payload["title"] == "Taipower outage"
    assert english.payload["body"] == "Account 01-23-4567-89-0: outage on 2026-05-20."
    assert english.headers["ttl"] == "600"
    assert english.headers["topic"] == push_topic("push:c:1")
    assert english.headers["urgency"] == "normal"
    assert english.headers["content-encoding"] == "aes128gcm"
    assert received["push:v:1"].payload["title"] == "台電停電通知"
    counts = push.ledger.counts("push")
    assert counts["push:c:1"].delivered == counts["push:v:1"].delivered == 1
    for message in (to_customer, to_visitor):
        message.refresh_from_db()
        assert message.status == Status.SENT
        assert message.provider == "webpush"
    assert PushSubscription.objects.filter(last_success_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_gone_subscription_is_marked_and_message_dead(
    push, allow_local, vapid_key, push_templates
) -> None:
    subscription = push.subscribe()
    address = _post(_client(), subscription).json()["address"]
    message = _queue(address=address, channels=["push"], idempotency_key="push:gone")
    push.unsubscribe(subscription["endpoint"])
    DeliveryWorker(providers={"push": _provider(vapid_key)}).run(until_idle=True)
    message.refresh_from_db()
    assert message.status == Status.DEAD
    assert "gone" in message.last_error
    assert PushSubscription.objects.get().gone_at is not None
    # and nothing more can be queued for it
    with pytest.raises(InvalidInputError):
        _queue(address=address, channels=["push"], idempotency_key="push:gone:2")


@pytest.mark.django_db
def test_push_service_outage_is_retried(push, allow_local, vapid_key, push_templates) -> None:
    address = _post(_client(), push.subscribe()).json()["address"]
    message = _queue(address=address, channels=["push"], idempotency_key="push:retry")
    push.ledger.set_config("push.status", 503)
    DeliveryWorker(providers={"push": _provider(vapid_key)}).run(until_idle=True)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "503" in message.last_error
    # the service is back: the retry delivers, once
    push.ledger.set_config("push.status", 0)
    OutboxMessage.objects.filter(pk=message.pk).update(
        not_before=timezone.now() - timedelta(seconds=1)
    )
    DeliveryWorker(providers={"push": _provider(vapid_key)}).run(until_idle=True)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert push.ledger.counts("push")["push:retry"].delivered == 1


def test_push_service_refuses_a_forged_vapid_token(tmp_path) -> None:
    from py_vapid import Vapid02

    signer = Vapid02()
    signer.generate_keys()
    other = Vapid02()
    other.generate_keys()
    claims = {"sub": "mailto:a@example.tw", "aud": "http://127.0.0.1:1"}
    header = signer.sign(dict(claims))["Authorization"]
    assert verify_vapid(header, audience="http://127.0.0.1:1")["sub"] == "mailto:a@example.tw"
    forged_key = other.sign(dict(claims))["Authorization"].split("k=")[1]
    forged = header.split("k=")[0] + "k=" + forged_key
    from powerdesk.notifications.testing.push_server import VapidError

    with pytest.raises(VapidError) as raised:
        verify_vapid(forged, audience="http://127.0.0.1:1")
    assert raised.value.status == 403
    with pytest.raises(VapidError):
        verify_vapid(header, audience="http://127.0.0.1:2")


# --- "send a test notification to this browser" -----------------------------------------------


def _post_test(client: Client, data: Any = None, *, prefix: str = "", csrf: bool = True) -> Any:
    return client.post(
        f"{prefix}/notifications/push/test/",
        data=json.dumps({} if data is None else data),
        content_type="application/json",
        headers={"X-CSRFToken": CSRF} if csrf else {},
    )


def _subscribed(push: Any) -> tuple[Client, int]:
    """A browser session that subscribed through the page's endpoint."""
    client = _client()
    reply = _post(client, push.subscribe())
    assert reply.status_code == 201
    return client, reply.json()["id"]


@pytest.mark.django_db
def test_test_button_queues_one_notification_for_the_sessions_own_subscription(
    push, allow_local, vapid_key
) -> None:
    client, mine = _subscribed(push)
    first = _post_test(client, {"id": mine})
    assert first.status_code == 202
    assert first.json()["message"] == "已送出：通知應在一分鐘內出現。"
    # a double click within the minute finds the same row
    again = _post_test(client, {"id": mine})
    assert again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    (message,) = OutboxMessage.objects.all()
    assert message.pk == first.json()["id"]
    assert (message.channel, message.recipient) == ("push", f"push:s{mine}")
    assert message.purpose == "service_notice"
    assert message.template.key == "push.test"
    assert message.language == "zh-hant"
    assert message.subject == "台電推播通知測試"
    assert message.idempotency_key.startswith(f"push.test:s{mine}:")


@pytest.mark.django_db
def test_test_button_in_english_and_without_an_id_uses_the_latest_subscription(
    push, allow_local, vapid_key
) -> None:
    client, mine = _subscribed(push)
    reply = _post_test(client, prefix="/en")
    assert reply.status_code == 202
    assert reply.json()["message"] == (
        "On its way: the notification should appear within a minute."
    )
    message = OutboxMessage.objects.get()
    assert message.recipient == f"push:s{mine}"
    assert (message.language, message.subject) == ("en", "Taipower test notification")


@pytest.mark.django_db
def test_test_button_refuses_another_browsers_subscription(push, allow_local, vapid_key) -> None:
    _, theirs = _subscribed(push)
    mine_client, mine = _subscribed(push)
    stranger = _client()
    for client, target in [(mine_client, theirs), (stranger, theirs), (stranger, None)]:
        refused = _post_test(client, {} if target is None else {"id": target})
        assert refused.status_code == 404
        assert "此瀏覽器尚未訂閱" in refused.json()["message"]
    _reset_limits()  # every request from the address counts towards its limit of 3
    english = _post_test(mine_client, {"id": theirs}, prefix="/en")
    assert english.status_code == 404
    assert "has not subscribed" in english.json()["message"]
    for bad in ("1; drop", -1, True, [mine]):
        _reset_limits()
        assert _post_test(mine_client, {"id": bad}).status_code == 404
    _reset_limits()
    # a subscription that ended cannot be tested either
    PushSubscription.objects.filter(pk=mine).update(gone_at=timezone.now())
    gone = _post_test(mine_client, {"id": mine})
    assert gone.status_code == 404
    assert gone.json()["code"] == "push.subscription_gone"
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_test_button_needs_the_csrf_token(push, allow_local, vapid_key) -> None:
    client, mine = _subscribed(push)
    assert _post_test(client, {"id": mine}, csrf=False).status_code == 403
    assert client.get("/notifications/push/test/").status_code == 405
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_test_button_is_rate_limited_per_subscription_and_address(
    push, allow_local, vapid_key
) -> None:
    from datetime import UTC, datetime

    import time_machine

    client, mine = _subscribed(push)

    def from_address(address: str) -> Client:
        """The same browser session seen from another client address."""
        other = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
        other.cookies = client.cookies
        return other

    # the start of a 10-minute window, so that the four tries below fall in one window
    with time_machine.travel(datetime(2026, 5, 20, 1, 0, 5, tzinfo=UTC), tick=False) as clock:
        statuses = []
        for n in range(4):
            reply = _post_test(from_address(f"10.0.0.{n + 1}"), {"id": mine})
            statuses.append(reply.status_code)
            clock.shift(timedelta(seconds=61))  # a new minute: a new test notification
        limited = _post_test(from_address("10.0.0.9"), {"id": mine}, prefix="/en")
        assert statuses == [202, 202, 202, 429]  # per subscription, from four addresses
        assert limited.status_code == 429
        assert int(limited["Retry-After"]) == 600 - 5 - 4 * 61 + 1
        assert "try again later" in limited.json()["message"]
        assert OutboxMessage.objects.count() == 3
        # per address: three refused tries from one address use up its allowance
        _reset_limits()
        other_client, other = _subscribed(push)
        for _ in range(3):
            assert _post_test(other_client, {"id": 999_999}).status_code == 404
        refused = _post_test(other_client, {"id": other})
        assert refused.status_code == 429
        assert "稍後再試" in refused.json()["message"]
        assert OutboxMessage.objects.filter(recipient=f"push:s{other}").count() == 0
        # the next window: allowed again
        clock.shift(timedelta(minutes=10))
        assert _post_test(other_client, {"id": other}).status_code == 202


@pytest.mark.django_db
def test_template_is_made_once_and_a_staff_version_wins(clerk) -> None:
    from powerdesk.notifications.models import NotificationTemplate

    actions.push_test_template_ensure()
    actions.push_test_template_ensure()
    assert NotificationTemplate.objects.filter(key="push.test").count() == 2
    actions.template_create(
        actor=clerk,
        key="push.test",
        purpose="service_notice",
        channel="push",
        language="en",
        subject="Hello",
        body_text="Testing.",
    )
    actions.push_test_template_ensure()
    assert NotificationTemplate.objects.filter(key="push.test").count() == 3


@pytest.mark.django_db
def test_test_notification_reaches_the_push_service_once_through_the_worker(
    push, allow_local, vapid_key
) -> None:
    client, mine = _subscribed(push)
    assert _post_test(client, {"id": mine}, prefix="/en").status_code == 202
    assert _post_test(client, {"id": mine}, prefix="/en").status_code == 202  # double click
    handled = DeliveryWorker(providers={"push": _provider(vapid_key)}).run(until_idle=True)
    assert handled == 1
    (received,) = push.received
    assert received.payload["title"] == "Taipower test notification"
    assert received.payload["body"].startswith("This is a test")
    assert received.payload["key"].startswith(f"push.test:s{mine}:")
    assert push.ledger.counts("push")[received.payload["key"]].delivered == 1
    message = OutboxMessage.objects.get()
    assert message.status == Status.SENT


def test_vapid_command_is_quiet_when_the_key_exists(vapid_key) -> None:
    import io

    out = io.StringIO()
    call_command("notifications_vapid", stdout=out)
    assert out.getvalue() == ""
    call_command("notifications_vapid", stdout=out, verbosity=2)
    assert "public key: " in out.getvalue()


@pytest.mark.django_db
def test_page_has_the_test_button_hidden_until_subscribed_and_explains_javascript(client) -> None:
    page = client.get("/en/notifications/push/").content.decode()
    form_start = page.index('<form class="push-test"')
    form_tag = page[form_start : page.index(">", form_start)]
    assert 'action="/en/notifications/push/test/"' in form_tag
    assert " hidden" in form_tag
    assert "Send a test notification to this browser" in page
    assert "<noscript><p>Push notifications need JavaScript" in page


@pytest.mark.django_db
def test_test_button_only_sends_to_browsers_push_services(push, allow_local, vapid_key) -> None:
    client, mine = _subscribed(push)
    keys = push.subscribe()["keys"]
    for endpoint, allowed in [
        ("https://fcm.googleapis.com/fcm/send/abc", True),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", True),
        ("https://web.push.apple.com/abc", True),
        ("https://intranet.example.tw/push/abc", False),
        ("https://fcm.googleapis.com.evil.example/abc", False),
    ]:
        _reset_limits()
        PushSubscription.objects.filter(pk=mine).update(endpoint=endpoint, **keys)
        reply = _post_test(client, {"id": mine})
        assert reply.status_code == (202 if allowed else 400), endpoint
        if not allowed:
            assert reply.json()["code"] == "push.service_unknown"
            assert "推播服務" in reply.json()["message"]
        OutboxMessage.objects.all().delete()
