"""The receipt PDF (受理收據): its text, the embedded Chinese font and the QR code's target.

The PDF is read back with the small reader of the letters tests (no PDF library is installed):
the text of each page through the font's ToUnicode map, and the page's content stream. The QR
code is drawn as one filled square (``re``) per dark module; the test rebuilds the module grid
from those squares and compares it with segno's matrix for the URL the code must open. segno
cannot decode a QR code, but the same data at the same error level always gives the same
matrix, so a code that opened any other URL would not match.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import segno

from powerdesk.cases.domain.catalogue import (
    WORKS_TYPE_LABELS,
    ApplicationKind,
    Fee,
    RequiredDocument,
    WorksType,
    default_catalogue,
)
from powerdesk.cases.receipt import QR_ERROR, QR_MODULE, render_receipt
from powerdesk.core.domain.errors import Message
from powerdesk.notifications.tests.test_letters import UMING, _objects, pdf_pages

URL = "https://powerdesk.example.tw/cases/t/Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF/"
OTHER_URL = "https://powerdesk.example.tw/cases/t/Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dG/"


@pytest.fixture(autouse=True)
def uming() -> Path:
    if not UMING.is_file():
        message = f"{UMING} is missing (apt-get install fonts-arphic-uming)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the receipt tests, not skip them.")
        pytest.skip(message)
    return UMING


@dataclass(frozen=True)
class ReceiptFixture:
    """A receipt as ``selectors.receipt_data`` returns one (the fields the PDF prints)."""

    number: str
    token: str
    tracking_url: str
    kind: ApplicationKind
    kind_name: Message
    received_at: datetime
    expected_date: date | None
    limit_label: Message
    works_label: Message
    documents: tuple[RequiredDocument, ...]
    fees: tuple[Fee, ...]
    centre_name: Message
    centre_phone: str
    centre_address: str
    applicant_masked: str
    channel: str = "web"


def receipt_for(kind_code: str = "new_supply", *, url: str = URL) -> ReceiptFixture:
    kind = default_catalogue().kind(kind_code)
    works = WorksType.OVERHEAD if WorksType.OVERHEAD in kind.works_types else WorksType.NONE
    return ReceiptFixture(
        number="ZL-20260302-0042-7",
        token=url.rstrip("/").rsplit("/", 1)[1],
        tracking_url=url,
        kind=kind,
        kind_name=kind.name,
        received_at=datetime(2026, 3, 2, 2, 15, tzinfo=UTC),  # 10:15 in Taipei
        expected_date=date(2026, 4, 8),
        limit_label=kind.limit_for(works).label,
        works_label=WORKS_TYPE_LABELS[works],
        documents=kind.documents,
        fees=kind.fees,
        centre_name=Message(zh_hant="中壢服務所", en="Zhongli Service Centre"),
        centre_phone="(03)422-0000",
        centre_address="桃園市中壢區中正路100號",
        applicant_masked="王○明",
    )


def _write(tmp_path: Path, data: bytes, name: str = "receipt.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- reading the QR code back -------------------------------------------------------------------

_RECT = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re")


def page_streams(path: Path) -> list[bytes]:
    objects = _objects(path.read_bytes())
    streams = []
    for number in sorted(objects):
        head, _ = objects[number]
        if re.search(rb"/Type /Page\b(?!s)", head):
            contents = int(re.search(rb"/Contents (\d+) 0 R", head).group(1))  # type: ignore[union-attr]
            streams.append(objects[contents][1])
    return streams


def drawn_qr(path: Path) -> list[list[bool]]:
    """The module grid of the QR code drawn on page 1 (squares of one module's size)."""
    modules = []
    for match in _RECT.finditer(page_streams(path)[0]):
        x, y, width, height = (float(value) for value in match.groups())
        if abs(width - QR_MODULE) < 0.01 and abs(height - QR_MODULE) < 0.01:
            modules.append((x, y))
    assert modules, "no QR modules found on the page"
    left = min(x for x, _ in modules)
    top = max(y for _, y in modules) + QR_MODULE
    cells = {(round((top - y) / QR_MODULE) - 1, round((x - left) / QR_MODULE)) for x, y in modules}
    size = max(max(row, column) for row, column in cells) + 1
    return [[(row, column) in cells for column in range(size)] for row in range(size)]


def segno_grid(url: str) -> list[list[bool]]:
    return [
        [bool(cell) for cell in row] for row in segno.make(url, error=QR_ERROR, micro=False).matrix
    ]


# --- tests --------------------------------------------------------------------------------------


def test_receipt_pdf_text_in_chinese(tmp_path) -> None:
    # given
    receipt = receipt_for()
    # when
    path = _write(tmp_path, render_receipt(receipt, language="zh-hant"))
    (page,), _info = pdf_pages(path)
    lines = page.splitlines()
    # then: the number, the facts, the whole checklist and the fees
    assert "ZL-20260302-0042-7" in lines
    assert "申請項目：新設用電" in lines
    assert "工程類別：架空外線工程" in lines
    assert "申請人：王○明" in lines
    assert "受理時間：115年3月2日 10:15" in lines
    assert "標準處理時限：25 個工作天" in lines
    assert "預定完成日期：115年4月8日" in lines
    assert "承辦服務中心：中壢服務所　(03)422-0000" in lines
    assert "地址：桃園市中壢區中正路100號" in lines
    assert "應備文件（一次告知）" in lines
    checklist = [line for line in lines if line.startswith("□ ")]
    assert checklist == [
        "□ 用電申請書（電器承裝業蓋章）",
        "□ 申請人身分證明文件（法人為登記證明）",
        "□ 建築物使用執照或合法房屋證明",
        "□ 屋內線路圖及竣工報告",
        "□ 委託書（由他人代辦時）（視情況）",
    ]
    assert "線路補助費：依個案計算" in lines
    assert "保證金：依個案計算（依契約容量計算。）" in lines
    # the URL is printed under the code (wrapped over lines)
    assert URL in "".join(lines)


def test_receipt_pdf_text_in_english_lists_fixed_fees(tmp_path) -> None:
    # given: a kind with a fixed fee
    kind = default_catalogue().kind("reconnection")
    fixed = [fee for fee in kind.fees if fee.amount is not None]
    receipt = receipt_for("reconnection")
    # when
    path = _write(tmp_path, render_receipt(receipt, language="en"))
    text = "\n".join(pdf_pages(path)[0])
    # then
    assert "Case number" in text
    assert "Application: " + kind.name.en in text
    assert "Received: 2026-03-02 10:15" in text
    assert "Expected completion: 2026-04-08" in text
    for document in kind.documents:
        assert "□ " + document.name.en in text
    for fee in fixed:
        assert f"{fee.name.en}: NT$ {fee.amount:,.0f}" in text


def test_receipt_pdf_embeds_the_chinese_font(tmp_path) -> None:
    # when
    path = _write(tmp_path, render_receipt(receipt_for(), language="zh-hant"))
    _pages, info = pdf_pages(path)
    # then: a subset of AR PL UMing is embedded (FontFile2), not merely named
    assert any("UMing" in name for name in info["base_fonts"])
    assert info["embedded"], "the TrueType font file is not embedded"
    assert path.read_bytes().startswith(b"%PDF-")


def test_receipt_qr_code_opens_the_tracking_url(tmp_path) -> None:
    # given
    path = _write(tmp_path, render_receipt(receipt_for(url=URL), language="zh-hant"))
    # when
    grid = drawn_qr(path)
    # then: exactly the matrix of the tracking URL, and not that of any other token
    assert grid == segno_grid(URL)
    assert grid != segno_grid(OTHER_URL)
    # and the code is a link to the same URL
    assert f"/URI ({URL})".encode() in path.read_bytes()


def test_qr_reader_tells_receipts_of_different_cases_apart(tmp_path) -> None:
    """The reader itself: the code of another case's receipt does not pass as this one's."""
    other = _write(tmp_path, render_receipt(receipt_for(url=OTHER_URL), language="en"), "b.pdf")
    assert drawn_qr(other) == segno_grid(OTHER_URL)
    assert drawn_qr(other) != segno_grid(URL)


# --- the public receipt PDF of a real case ------------------------------------------------------


@pytest.mark.django_db
def test_case_receipt_pdf_view_prints_the_case_and_its_tracking_url(
    client, make_staff, centre, tmp_path
) -> None:
    from django.core.cache import cache

    from powerdesk.cases import actions, selectors

    # given
    cache.clear()
    clerk = make_staff("business", centre=centre, username="business.clerk")
    case = actions.case_open(
        actor=clerk,
        kind="name_change",
        channel="counter",
        applicant_name="王小明",
        applicant_phone="0912345678",
        account_number="12345678901",
        service_centre=centre,
    )
    # when
    response = client.get(f"/cases/t/{case.lookup_token}/receipt.pdf")
    wrong = client.get("/cases/t/" + "B" * 32 + "/receipt.pdf")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = _write(tmp_path, response.content)
    text = "\n".join(pdf_pages(path)[0])
    assert case.number in text
    assert "申請項目：更名" in text or "申請項目：" + case.kind.name_zh in text
    assert "申請人：王○明" in text
    assert "承辦服務中心：中壢服務所　(03)422-0000" in text
    url = selectors.tracking_url(case)
    assert url.endswith(f"/cases/t/{case.lookup_token}/")
    assert drawn_qr(path) == segno_grid(url)
    assert wrong.status_code == 404
    assert wrong["Content-Type"].startswith("text/html")
    cache.clear()


@pytest.mark.django_db
def test_staff_receipt_reprint_within_the_centre_only(
    client, make_staff, centre, other_centre, tmp_path
) -> None:
    """The staff pages print the same receipt (cases_staff:receipt renders it with this module)."""
    from django.urls import reverse

    from powerdesk.cases import actions

    # given
    clerk = make_staff("business", centre=centre, username="business.clerk")
    outsider = make_staff("business", centre=other_centre, username="business.dayuan")
    case = actions.case_open(
        actor=clerk,
        kind="name_change",
        channel="counter",
        applicant_name="王小明",
        applicant_phone="0912345678",
        account_number="12345678901",
        service_centre=centre,
    )
    url = reverse("cases_staff:receipt", args=[case.number])
    # when: by the centre's clerk
    client.force_login(clerk)
    response = client.get(url)
    # then
    assert response.status_code == 200
    text = "\n".join(pdf_pages(_write(tmp_path, response.content))[0])
    assert case.number in text
    assert "申請人：王○明" in text
    # and another centre's clerk finds nothing
    client.force_login(outsider)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hant", "收據 PDF 暫時無法提供"), ("en", "")]
)
def test_receipt_pdf_without_the_font_is_a_503_page_and_a_check_warning(
    client, make_staff, centre, settings, language, expected
) -> None:
    """A missing font is a deployment fault: ``check`` warns, the PDF answers 503, not 500."""
    from django.core.cache import cache

    from powerdesk.cases import actions
    from powerdesk.notifications.checks import letter_font_check

    cache.clear()
    clerk = make_staff("business", centre=centre, username="business.clerk")
    case = actions.case_open(
        actor=clerk,
        kind="name_change",
        channel="counter",
        applicant_name="王小明",
        applicant_phone="0912345678",
        account_number="12345678901",
        service_centre=centre,
    )
    assert letter_font_check() == []
    settings.POWERDESK_NOTIFICATIONS = {"LETTER_FONT": "/nonexistent/uming.ttc"}
    warnings = letter_font_check()
    assert [warning.id for warning in warnings] == ["notifications.W001"]
    assert "/nonexistent/uming.ttc" in warnings[0].msg
    prefix = "/en" if language == "en" else ""
    response = client.get(f"{prefix}/cases/t/{case.lookup_token}/receipt.pdf")
    assert response.status_code == 503
    assert response["Retry-After"] == "3600"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert (expected or "The receipt PDF is not available") in page
    cache.clear()
