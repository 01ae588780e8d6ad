"""Letters: the provider files messages into the day's batch; the command renders each service
centre's batch into one PDF (Taiwanese address block, Chinese font embedded, one letter per
page). The PDF is read back with a small reader written here (no PDF library is installed):
its objects, the font's ToUnicode map and the text-showing operators of each page."""

from __future__ import annotations

import base64
import os
import re
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from powerdesk.core.domain.errors import DomainError
from powerdesk.core.errors import InvalidInputError
from powerdesk.notifications import actions
from powerdesk.notifications.domain.postal import (
    address_block,
    addressee,
    postal_code_display,
    validate_postal_code,
)
from powerdesk.notifications.models import LetterBatch, LetterItem, OutboxMessage
from powerdesk.notifications.worker import DeliveryWorker

UMING = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
LETTER_TEXTS = {
    "zh-hant": {
        "subject": "電費催繳通知",
        "body_text": "電號 ${account} 尚欠電費 ${amount} 元，請於 ${due} 前繳納。",
    },
    "en": {
        "subject": "Unpaid electricity bill",
        "body_text": "Account ${account}: ${amount} NTD due by ${due}.",
    },
}
CONTEXT = {"account": "01-23-4567-89-0", "amount": "1,234", "due": "2026-05-20"}


@pytest.fixture
def uming() -> Path:
    if not UMING.is_file():
        message = f"{UMING} is missing (apt-get install fonts-arphic-uming)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the letter tests, not skip them.")
        pytest.skip(message)
    return UMING


# --- a minimal PDF text reader ------------------------------------------------------------------

_OBJECT = re.compile(rb"(\d+) 0 obj")


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """``{number: (dictionary text, decoded stream)}``; streams are read by their /Length."""
    objects = {}
    position = 0
    while (match := _OBJECT.search(data, position)) is not None:
        end = data.index(b"endobj", match.end())
        start_stream = data.find(b"stream", match.end(), end)
        if start_stream == -1:
            objects[int(match.group(1))] = (data[match.end() : end], b"")
            position = end
            continue
        head = data[match.end() : start_stream]
        length = int(re.search(rb"/Length (\d+)", head).group(1))  # type: ignore[union-attr]
        begin = start_stream + len(b"stream")
        begin += 2 if data[begin : begin + 2] == b"\r\n" else 1
        stream = data[begin : begin + length]
        if b"ASCII85Decode" in head:
            stream = base64.a85decode(stream.strip().removesuffix(b"~>"))
        if b"FlateDecode" in head:
            stream = zlib.decompress(stream)
        objects[int(match.group(1))] = (head, stream)
        position = data.index(b"endobj", begin + length)
    return objects


def _cmap(stream: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, uni in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int(uni, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _literal(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == 0x5C:  # backslash
            nxt = raw[i + 1 : i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4]).group(0)  # type: ignore[union-attr]
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(nxt, nxt)
            i += 2
            continue
        out.append(char)
        i += 1
    return bytes(out)


def pdf_pages(path: Path) -> tuple[list[str], dict[str, Any]]:
    """The text of each page (one line per text-showing operator) and facts about fonts."""
    objects = _objects(path.read_bytes())
    fonts: dict[bytes, dict[int, str] | None] = {}
    info: dict[str, Any] = {"embedded": [], "base_fonts": []}
    for head, _ in objects.values():
        for name, number in re.findall(rb"/(F[\w+]+) (\d+) 0 R", head):
            font_head = objects[int(number)][0]
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", font_head)
            fonts[name] = _cmap(objects[int(unicode_ref.group(1))][1]) if unicode_ref else None
        base = re.search(rb"/BaseFont /(\S+)", head)
        if base:
            info["base_fonts"].append(base.group(1).decode())
        if b"/FontFile2" in head:
            info["embedded"].append(head)
    pages = []
    for number in sorted(objects):
        head, _ = objects[number]
        if not re.search(rb"/Type /Page\b(?!s)", head):
            continue
        contents = int(re.search(rb"/Contents (\d+) 0 R", head).group(1))  # type: ignore[union-attr]
        stream = objects[contents][1]
        lines, font = [], None
        for match in re.finditer(rb"/(F[\w+]+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", stream, re.S):
            if match.group(1):
                font = fonts.get(match.group(1))
                continue
            raw = _literal(match.group(2))
            lines.append("".join(font.get(b, "?") for b in raw) if font else raw.decode("latin-1"))
        pages.append("\n".join(lines))
    return pages, info


# --- pure rules ---------------------------------------------------------------------------------


def test_postal_codes_and_address_block() -> None:
    assert validate_postal_code("320") == "320"
    assert validate_postal_code("320-04") == "32004"
    assert postal_code_display("320004") == "320-004"
    assert postal_code_display("32004") == "320-04"
    for bad in ("32", "3200", "abc", "３２０", "3200045"):
        with pytest.raises(DomainError) as raised:
            validate_postal_code(bad)
        assert raised.value.code == "postal_code"
    assert addressee("王小明", organisation=False) == "王小明 君 啟"
    assert addressee("王小明", organisation=False, title="先生") == "王小明 先生 啟"
    assert (
        addressee("大園精密工業股份有限公司", organisation=True) == "大園精密工業股份有限公司 台啟"
    )
    block = address_block(
        postal_code="320",
        address="桃園市中壢區中正路三段100巷2號5樓之3（後棟）" * 2,
        name="王小明",
        organisation=False,
    )
    assert block.postal_code == "320"
    assert len(block.address_lines) == 3
    assert "".join(block.address_lines) == "桃園市中壢區中正路三段100巷2號5樓之3（後棟）" * 2


# --- enqueue, file, render ---------------------------------------------------------------------


@pytest.fixture
def letter_templates(clerk) -> None:
    for language, texts in LETTER_TEXTS.items():
        actions.template_create(
            actor=clerk,
            key="bill.overdue",
            purpose="payment_reminder",
            channel="letter",
            language=language,
            **texts,
        )


@pytest.fixture
def with_account(clerk, centre):
    from powerdesk.customers import actions as customer_actions

    def add(
        customer, *, number: str = "12345678901", address: str = "桃園市中壢區中正路三段100巷2號5樓"
    ):
        return customer_actions.account_open(
            actor=clerk,
            customer=customer,
            number=number,
            address=address,
            service_centre=centre,
            tariff_class="residential",
            phase="single",
            meter_amperes=30,
            billing_cycle="bimonthly_odd",
        )

    return add


@pytest.fixture
def letter_dir(tmp_path, outbox_config) -> Path:
    outbox_config["LETTER_DIR"] = str(tmp_path / "letters")
    return tmp_path / "letters"


def _queue(**extra: Any) -> OutboxMessage:
    return actions.notification_queue(
        purpose="payment_reminder", template="bill.overdue", context=CONTEXT, **extra
    )


@pytest.mark.django_db
def test_customer_without_mailing_address_gets_the_next_channel_or_an_error(
    letter_templates, make_customer, bill_templates
) -> None:
    customer = make_customer(consents={"letter": True, "sms": True})
    with pytest.raises(InvalidInputError) as raised:
        _queue(customer=customer, channels=["letter"], idempotency_key="letter:none")
    problem = raised.value.problems[0]
    assert problem.details["channels"] == [{"channel": "letter", "reason": "no_address"}]
    assert "信件" in problem.message.zh_hant
    assert "letter" in problem.message.en
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_letters_are_filed_once_and_rendered_into_one_pdf_per_centre(
    uming, letter_templates, make_customer, with_account, letter_dir, centre
) -> None:
    # given: two customers with accounts (premises with postal codes), letters queued
    first = make_customer(consents={"letter": True})
    with_account(first)
    second = make_customer(consents={"letter": True}, language="en")
    with_account(second, number="12345678902", address="桃園市平鎮區環南路200號")
    one = _queue(customer=first, channels=["letter", "sms"], idempotency_key="letter:1")
    two = _queue(customer=second, channels=["letter"], idempotency_key="letter:2")
    assert one.channel == "letter"
    assert one.recipient == "320 桃園市中壢區中正路三段100巷2號5樓"
    # when: the worker files them (twice: the second run finds nothing new)
    assert DeliveryWorker().run(until_idle=True) == 2
    assert DeliveryWorker().run(until_idle=True) == 0
    items = list(LetterItem.objects.order_by("id"))
    assert [i.message_id for i in items] == [one.pk, two.pk]
    assert {i.service_centre_id for i in items} == {centre.pk}
    one.refresh_from_db()
    assert one.status == OutboxMessage.Status.SENT
    assert one.provider == "letter"
    # and the batch is rendered
    day = items[0].date
    call_command("notifications_letters", "--date", day.isoformat(), stdout=open(os.devnull, "w"))  # noqa: SIM115
    batch = LetterBatch.objects.get()
    assert (batch.count, batch.status, batch.service_centre_id) == (2, "generated", centre.pk)
    assert set(LetterItem.objects.values_list("batch_id", flat=True)) == {batch.pk}
    pdf = Path(batch.pdf_path)
    assert pdf == letter_dir / day.isoformat() / "ZL.pdf"
    pages, fonts = pdf_pages(pdf)
    # then: one page per letter, the Chinese font embedded (a TrueType subset of UMing TW)
    assert len(pages) == 2
    assert fonts["embedded"], "no embedded font program (FontFile2)"
    assert any("UMingTW" in name for name in fonts["base_fonts"])
    first_page = pages[0].splitlines()
    # sender block, then the window block: postal code, address, name + 君 啟
    assert first_page[:4] == [
        "台灣電力公司 桃園區營業處",
        "中壢服務所",
        "桃園市中壢區中正路100號",
        "電話 (03)422-0000",
    ]
    assert first_page[4:7] == ["320", "桃園市中壢區中正路三段100巷2號5樓", "王小明 君 啟"]
    assert "電費催繳通知" in first_page
    assert "電號 01-23-4567-89-0 尚欠電費 1,234 元，請於 2026-05-20 前繳納。" in first_page
    second_page = pages[1].splitlines()
    assert second_page[4:7] == ["324", "桃園市平鎮區環南路200號", "王小明 君 啟"]
    assert "Account 01-23-4567-89-0: 1,234 NTD due by 2026-05-20." in second_page


@pytest.mark.django_db
def test_letters_command_refuses_bad_input(letter_dir, outbox_config, tmp_path) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("notifications_letters", "--date", "2026-02-30")
    assert raised.value.returncode == 2
    assert "YYYY-MM-DD" in str(raised.value)
    assert "不是日期" in str(raised.value)
    outbox_config["LETTER_FONT"] = str(tmp_path / "missing.ttf")
    with pytest.raises(CommandError) as raised:
        call_command("notifications_letters", "--date", "2026-02-27")
    assert raised.value.returncode == 2
    assert "missing.ttf" in str(raised.value)


def test_pdf_reader_sees_what_was_drawn(uming, tmp_path) -> None:
    """The reader itself: a page drawn here comes back as drawn (so the tests above can fail)."""
    from powerdesk.notifications.channels.letter_pdf import Letter, Sender, render_letters

    target = tmp_path / "one.pdf"
    render_letters(
        [Letter("100", "臺北市中正區", "某某", True, "主旨", "內文")],
        sender=Sender(("寄件人",)),
        day=date(2026, 1, 2),
        font_path=uming,
        target=target,
    )
    (page,), _ = pdf_pages(target)
    assert page.splitlines() == [
        "寄件人",
        "100",
        "臺北市中正區",
        "某某 台啟",
        "115年1月2日",
        "主旨",
        "內文",
    ]


@pytest.mark.django_db
def test_printed_batch_is_marked_once_and_audited(clerk, centre, make_staff, other_centre) -> None:
    from powerdesk.core.errors import ConflictError, PermissionDeniedError
    from powerdesk.core.models import AuditEvent

    batch = LetterBatch.objects.create(date=date(2026, 5, 20), service_centre=centre, count=3)
    elsewhere = make_staff("business", centre=other_centre, username="dy.clerk")
    with pytest.raises(PermissionDeniedError):
        actions.letter_batch_mark_printed(actor=elsewhere, batch=batch)
    printed = actions.letter_batch_mark_printed(actor=clerk, batch=batch)
    assert printed.status == "printed"
    assert printed.printed_at is not None
    with pytest.raises(ConflictError):
        actions.letter_batch_mark_printed(actor=clerk, batch=batch)
    assert AuditEvent.objects.filter(verb="notification.letters_printed").count() == 1
