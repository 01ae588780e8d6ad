"""One-time codes that prove a web applicant's e-mail address or mobile number is theirs.

A citizen who files an application on the web gets a six-digit code through the notification
outbox (a bare address; template ``case.verify_code``) and types it back; only then is the case
opened (``actions.case_open(channel="web", verified_contact=…)``).

* The code is never stored: the cache keeps an HMAC-SHA256 of it, keyed with the site's secret
  and the challenge id, so reading the cache reveals nothing usable.
* A code is valid for :data:`CODE_TTL_SECONDS`; at most :data:`MAX_ATTEMPTS` tries per code,
  counted with an atomic cache increment (several web processes sharing Redis count together);
  then the challenge is dropped. A right code is used once.
* The application the citizen filled in waits with the challenge (the submitted form data, no
  files), so nothing is written to the cases tables before the code matches and a half-finished
  application leaves nothing behind but the outbox message.
* At most :data:`SEND_LIMIT` codes per address per hour, so the form cannot be used to flood a
  stranger's phone or mailbox.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from powerdesk.core.domain import identifiers
from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import ConflictError, InvalidInputError
from powerdesk.core.ratelimit import window_count
from powerdesk.notifications import actions as notification_actions
from powerdesk.notifications import selectors as notification_selectors

__all__ = [
    "CODE_TTL_SECONDS",
    "MAX_ATTEMPTS",
    "SEND_LIMIT",
    "VERIFICATION_TEMPLATE",
    "VERIFICATION_TEXTS",
    "Challenge",
    "CodeRejectedError",
    "challenge_get",
    "challenge_start",
    "challenge_verify",
    "data_of",
    "normalise_contact",
    "verification_templates_ensure",
]

CODE_DIGITS: Final = 6
CODE_TTL_SECONDS: Final = 600
MAX_ATTEMPTS: Final = 5
SEND_LIMIT: Final = (5, 3600)  # codes per address per hour
VERIFICATION_TEMPLATE: Final = "case.verify_code"
VERIFICATION_PURPOSE: Final = "verification"  # urgent: sent during quiet hours too
# (channel, language) -> (subject, body); placeholders ${code} and ${minutes}.
VERIFICATION_TEXTS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("email", "zh-hant"): (
        "台電線上申請驗證碼",
        "您的驗證碼是 ${code}，${minutes} 分鐘內有效。\n\n"
        "若您沒有在台電網站填寫申請，請忽略本信。\n\n台灣電力公司 區營業處",
    ),
    ("email", "en"): (
        "Taipower online application: your code",
        "Your code is ${code}. It is valid for ${minutes} minutes.\n\n"
        "If you did not fill in an application on the Taipower website, ignore this message.\n\n"
        "Taipower district office",
    ),
    ("sms", "zh-hant"): ("", "台電線上申請驗證碼：${code}，${minutes}分鐘內有效。"),
    ("sms", "en"): ("", "Taipower application code: ${code} (valid ${minutes} min)."),
}
_KEY: Final = "cases:verify:{}"
_ATTEMPTS: Final = "cases:verify-attempts:{}"
_SENT: Final = "cases:verify-sent:{}:{}"


class CodeRejectedError(InvalidInputError):
    """The code is wrong, expired, used or tried too often; the problem names ``code``."""

    def __init__(self, code: str, *, zh: str, en: str) -> None:
        super().__init__(
            [FieldProblem(field="code", code=code, message=Message(zh_hant=zh, en=en))]
        )


@dataclass(frozen=True, slots=True)
class Challenge:
    id: str
    channel: str  # "email" or "sms"
    address: str  # normalised: the e-mail address, or the mobile number in national form
    data: dict[str, list[str]]  # the submitted application form, field name -> values


def _digest(challenge_id: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def normalise_contact(*, channel: str, address: str) -> str:
    """The address as the code is sent to it; ``InvalidInputError`` on ``email``/``mobile``."""
    if channel not in ("email", "sms"):
        raise InvalidInputError(
            [
                FieldProblem(
                    field="contact_channel",
                    code="contact_channel.unknown",
                    message=Message(
                        zh_hant="請選擇以電子郵件或簡訊接收驗證碼。",
                        en="Choose to receive the code by e-mail or by SMS.",
                    ),
                )
            ]
        )
    field = "email" if channel == "email" else "mobile"
    try:
        if channel == "email":
            return identifiers.validate_email(address)
        phone = identifiers.validate_phone(address)
        if phone.kind != identifiers.PhoneKind.MOBILE:
            raise DomainError(
                code="phone.not_mobile",
                zh_hant="簡訊驗證碼須送至 09 開頭的 10 碼行動電話。",
                en="The code goes by SMS to a 10-digit mobile number starting with 09.",
            )
        return phone.national
    except DomainError as error:
        raise InvalidInputError.from_domain(error, field=field) from error


def verification_templates_ensure() -> int:
    """Create the code's notification templates that do not exist yet; returns how many."""
    if notification_selectors.template_key_exists(VERIFICATION_TEMPLATE):
        return 0
    created = 0
    for (channel, language), (subject, body) in VERIFICATION_TEXTS.items():
        try:
            with transaction.atomic():
                notification_actions.template_create(
                    actor=None,
                    key=VERIFICATION_TEMPLATE,
                    purpose=VERIFICATION_PURPOSE,
                    channel=channel,
                    language=language,
                    subject=subject,
                    body_text=body,
                )
        except IntegrityError:  # another process created it at the same moment
            continue
        created += 1
    return created


def _window_count(key: str, *, window: int) -> int:
    return window_count(key, timeout=window)


def challenge_start(
    *, channel: str, address: str, language: str, data: dict[str, list[str]]
) -> Challenge:
    """Send a fresh code to ``address``; keep ``data`` until the code is typed back.

    Raises ``InvalidInputError`` for an unusable address and ``ConflictError``
    (``verification.too_many``) past :data:`SEND_LIMIT`.
    """
    contact = normalise_contact(channel=channel, address=address)
    limit, window = SEND_LIMIT
    now = time.time()
    slot = int(now // window)
    sent_key = _SENT.format(hashlib.sha256(contact.lower().encode()).hexdigest()[:32], slot)
    if _window_count(sent_key, window=window) > limit:
        raise ConflictError(
            code="verification.too_many",
            message=Message(
                zh_hant="此聯絡方式在一小時內已收到太多驗證碼，請稍後再試，或臨櫃辦理。",
                en="Too many codes were sent to this contact within an hour; try again later or "
                "apply at a service centre.",
            ),
            field="contact",
            details={"retry_after": max(1, math.ceil((slot + 1) * window - now))},
        )
    verification_templates_ensure()
    challenge_id = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        notification_actions.notification_queue(
            purpose=VERIFICATION_PURPOSE,
            template=VERIFICATION_TEMPLATE,
            context={"code": code, "minutes": str(CODE_TTL_SECONDS // 60)},
            channels=[channel],
            address=contact,
            language="en" if language.startswith("en") else "zh-hant",
            idempotency_key=f"case.verify:{challenge_id}",
        )
    cache.set(
        _KEY.format(challenge_id),
        {
            "digest": _digest(challenge_id, code),
            "channel": channel,
            "address": contact,
            "data": data,
        },
        timeout=CODE_TTL_SECONDS,
    )
    return Challenge(id=challenge_id, channel=channel, address=contact, data=data)


def challenge_get(challenge_id: str) -> Challenge | None:
    """The pending challenge, or ``None`` if it expired, was used or never existed."""
    entry = cache.get(_KEY.format(challenge_id)) if challenge_id else None
    if not isinstance(entry, dict):
        return None
    return Challenge(
        id=challenge_id,
        channel=str(entry["channel"]),
        address=str(entry["address"]),
        data=dict(entry["data"]),
    )


def challenge_verify(challenge_id: str, code: str) -> Challenge:
    """The challenge if ``code`` is right (it is then used up); else ``CodeRejectedError``."""
    key = _KEY.format(challenge_id)
    entry = cache.get(key) if challenge_id else None
    if not isinstance(entry, dict):
        raise challenge_expired_error()
    attempts = _window_count(_ATTEMPTS.format(challenge_id), window=CODE_TTL_SECONDS)
    typed = identifiers.to_half_width(code or "").strip()
    matches = hmac.compare_digest(_digest(challenge_id, typed), str(entry["digest"]))
    if matches and attempts <= MAX_ATTEMPTS and cache.delete(key):
        # delete() is True for exactly one caller: a code is used once even when two
        # requests bring it at the same moment.
        cache.delete(_ATTEMPTS.format(challenge_id))
        return Challenge(
            id=challenge_id,
            channel=str(entry["channel"]),
            address=str(entry["address"]),
            data=dict(entry["data"]),
        )
    if attempts >= MAX_ATTEMPTS:
        cache.delete(key)
        raise CodeRejectedError(
            "verification.attempts",
            zh="驗證碼錯誤次數過多，請重新填寫申請以取得新的驗證碼。",
            en="Too many wrong codes; fill in the application again to get a new code.",
        )
    left = MAX_ATTEMPTS - attempts
    raise CodeRejectedError(
        "verification.wrong",
        zh=f"驗證碼不正確，還可再試 {left} 次。",
        en=f"The code is not right; you can try {left} more times.",
    )


def challenge_expired_error() -> CodeRejectedError:
    return CodeRejectedError(
        "verification.expired",
        zh="驗證碼已過期或已使用，請重新填寫申請。",
        en="The code has expired or was already used; please fill in the application again.",
    )


def challenge_drop(challenge_id: str) -> None:
    cache.delete(_KEY.format(challenge_id))


def data_of(post: Any) -> dict[str, list[str]]:
    """A QueryDict as plain lists (what the cache keeps), without the CSRF token."""
    return {
        key: [str(value) for value in values]
        for key, values in post.lists()
        if key != "csrfmiddlewaretoken"
    }
