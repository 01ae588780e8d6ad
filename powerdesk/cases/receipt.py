"""The printable receipt of a case (受理收據): one A4 PDF drawn with reportlab.

What it holds: the case number, the kind and works type, when the case was received and when it
is expected to be completed, the 一次告知 checklist of the kind (every document, required or only
in the situation named), its fees, the service centre handling it, and a QR code that opens the
public progress page through the case's unguessable lookup token (the URL is printed under the
code as well, for anyone who cannot scan it).

The Chinese font (AR PL UMing TW by default, ``POWERDESK_LETTER_FONT``) is embedded as a subset,
so the file prints the same anywhere. The QR code is drawn as vector squares, one per dark module
of segno's matrix (error correction level M, no micro codes), so it stays sharp at any size.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from powerdesk.cases import selectors
from powerdesk.cases.domain.catalogue import ApplicationKind, Fee, RequiredDocument
from powerdesk.cases.models import Case
from powerdesk.core.domain.calendar import TAIPEI
from powerdesk.core.domain.errors import Message
from powerdesk.notifications.channels.letter_pdf import register_font
from powerdesk.notifications.conf import outbox_settings

QR_ERROR = "m"
QR_MODULE = 1.6 * mm  # side of one QR module on paper
MARGIN = 18 * mm


class ReceiptData(Protocol):
    """What a receipt prints: ``selectors.receipt_data(case)`` returns one."""

    @property
    def number(self) -> str: ...

    @property
    def tracking_url(self) -> str: ...

    @property
    def kind(self) -> ApplicationKind: ...

    @property
    def kind_name(self) -> Message: ...

    @property
    def received_at(self) -> datetime: ...

    @property
    def expected_date(self) -> date | None: ...

    @property
    def limit_label(self) -> Message: ...

    @property
    def works_label(self) -> Message: ...

    @property
    def documents(self) -> Sequence[RequiredDocument]: ...

    @property
    def fees(self) -> Sequence[Fee]: ...

    @property
    def centre_name(self) -> Message: ...

    @property
    def centre_phone(self) -> str: ...

    @property
    def centre_address(self) -> str: ...

    @property
    def applicant_masked(self) -> str: ...


Receipt = selectors.Receipt


def receipt_from_case(case: Case) -> Receipt:
    """What the receipt of ``case`` prints (``selectors.receipt_data``; no permission check:
    the caller got ``case`` through a lookup that checked it)."""
    return selectors.receipt_data(case)


def receipt_for_token(token: str) -> Receipt:
    """The receipt of the case with lookup ``token``; ``NotFoundError`` exactly as the public
    lookups answer a wrong token."""
    public = selectors.public_lookup_by_token(token)
    case = Case.objects.select_related("kind", "service_centre").get(lookup_token=public.token)
    return receipt_from_case(case)


def qr_for(url: str) -> segno.QRCode:
    """The QR code printed on the receipt and shown on the receipt page."""
    return segno.make(url, error=QR_ERROR, micro=False)


def _t(language: str, zh: str, en: str) -> str:
    return en if language.startswith("en") else zh


def format_day(day: date, *, language: str) -> str:
    """民國 date in Chinese (115年3月2日), ISO date in English (2026-03-02)."""
    if language.startswith("en"):
        return day.isoformat()
    return f"{day.year - 1911}年{day.month}月{day.day}日"


def format_moment(moment: datetime, *, language: str) -> str:
    local = moment.astimezone(TAIPEI)
    return f"{format_day(local.date(), language=language)} {local:%H:%M}"


def format_fee(amount: Decimal | None, *, language: str) -> str:
    if amount is None:
        return _t(language, "依個案計算", "quoted per case")
    return f"NT$ {amount:,.0f}"


class _Page:
    """A cursor down an A4 page that starts a new page when the bottom margin is reached."""

    def __init__(self, canvas: Canvas, *, font: str) -> None:
        self.canvas = canvas
        self.font = font
        self.width, self.height = A4
        self.y = self.height - MARGIN

    def need(self, space: float) -> None:
        if self.y - space < MARGIN:
            self.canvas.showPage()
            self.y = self.height - MARGIN

    def wrap(self, text: str, *, size: float, width: float) -> list[str]:
        """Break by characters (CJK has no spaces), preferring spaces in Latin text."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for char in paragraph:
                if pdfmetrics.stringWidth(line + char, self.font, size) <= width or not line:
                    line += char
                    continue
                cut = line.rfind(" ")
                if cut > 0 and char != " ":
                    lines.append(line[:cut])
                    line = line[cut + 1 :] + char
                else:
                    lines.append(line.rstrip())
                    line = char.lstrip()
            lines.append(line)
        return lines

    def text(
        self, text: str, *, size: float = 10.5, x: float = MARGIN, width: float | None = None
    ) -> None:
        usable = width if width is not None else self.width - MARGIN - x
        for line in self.wrap(text, size=size, width=usable):
            self.need(size * 1.5)
            self.canvas.setFont(self.font, size)
            self.canvas.drawString(x, self.y - size, line)
            self.y -= size * 1.5

    def gap(self, space: float) -> None:
        self.y -= space


def _draw_qr(canvas: Canvas, code: segno.QRCode, *, left: float, top: float) -> float:
    """Draw ``code`` with its top-left dark-module corner at (left, top); returns its side."""
    matrix = code.matrix
    side = len(matrix) * QR_MODULE
    quiet = 4 * QR_MODULE  # the quiet zone the standard asks for, kept white
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(left - quiet, top - side - quiet, side + 2 * quiet, side + 2 * quiet, 0, 1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                path.rect(
                    left + column * QR_MODULE,
                    top - (row + 1) * QR_MODULE,
                    QR_MODULE,
                    QR_MODULE,
                )
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return side


def render_receipt(receipt: ReceiptData, *, language: str) -> bytes:
    """The receipt as PDF bytes, in ``language`` (``zh-hant`` or ``en``)."""
    font = register_font(outbox_settings().letter_font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(_t(language, "受理收據 ", "Receipt ") + receipt.number)
    canvas.setAuthor(_t(language, "台灣電力公司", "Taiwan Power Company"))
    canvas.setSubject(receipt.kind_name.in_language(language))
    page = _Page(canvas, font=font)
    width = page.width

    # QR code at the top right, the URL under it
    code = qr_for(receipt.tracking_url)
    qr_left = width - MARGIN - len(code.matrix) * QR_MODULE
    qr_top = page.height - MARGIN
    side = _draw_qr(canvas, code, left=qr_left, top=qr_top)
    canvas.linkURL(
        receipt.tracking_url, (qr_left, qr_top - side, qr_left + side, qr_top), relative=0
    )
    caption_width = width - MARGIN - (qr_left - 8 * mm)
    caption = _Page(canvas, font=font)
    caption.y = qr_top - side - 3 * mm
    caption.text(
        _t(language, "掃描查詢辦理進度", "Scan to follow your application"),
        size=9,
        x=qr_left - 8 * mm,
        width=caption_width,
    )
    caption.text(receipt.tracking_url, size=6.5, x=qr_left - 8 * mm, width=caption_width)

    # heading and the facts, left of the QR code
    left_width = qr_left - 10 * mm - MARGIN
    page.text(
        _t(language, "台灣電力公司 用電申請受理收據", "Taiwan Power Company — application receipt"),
        size=15,
        width=left_width,
    )
    page.gap(2 * mm)
    page.text(_t(language, "案件編號", "Case number"), size=10, width=left_width)
    page.text(receipt.number, size=18, width=left_width)
    page.gap(2 * mm)
    facts = [
        (_t(language, "申請項目", "Application"), receipt.kind_name.in_language(language)),
        (_t(language, "工程類別", "Works type"), receipt.works_label.in_language(language)),
        (_t(language, "申請人", "Applicant"), receipt.applicant_masked),
        (
            _t(language, "受理時間", "Received"),
            format_moment(receipt.received_at, language=language),
        ),
        (
            _t(language, "標準處理時限", "Standard time limit"),
            receipt.limit_label.in_language(language),
        ),
        (
            _t(language, "預定完成日期", "Expected completion"),
            format_day(receipt.expected_date, language=language) if receipt.expected_date else "—",
        ),
        (
            _t(language, "承辦服務中心", "Service centre"),
            _t(language, "　", " · ").join(
                (receipt.centre_name.in_language(language), receipt.centre_phone)
            ),
        ),
        (_t(language, "地址", "Address"), receipt.centre_address),
    ]
    for label, value in facts:
        line = f"{label}: {value}" if language.startswith("en") else f"{label}：{value}"
        if page.y > caption.y:  # beside the QR code
            page.text(line, width=left_width)
        else:
            page.text(line)
    page.y = min(page.y, caption.y) - 4 * mm
    page.text(
        _t(
            language,
            "處理時限以工作天計，不含例假日；待您補件、繳費或申請路權期間暫停計算。",
            "Working days exclude weekends and holidays; the time waiting for your documents, "
            "payment or a road-dig permit is not counted.",
        ),
        size=9,
    )

    # 一次告知 checklist
    page.gap(3 * mm)
    page.text(
        _t(language, "應備文件（一次告知）", "Documents needed (tell-once checklist)"), size=13
    )
    for document in receipt.documents:
        line = "□ " + document.name.in_language(language)
        if not document.required:
            line += _t(language, "（視情況）", " (only if it applies)")
        if document.note is not None:
            line += _t(language, "：", ": ") + document.note.in_language(language)
        page.text(line, x=MARGIN + 3 * mm)
    if not receipt.documents:
        page.text(_t(language, "無須另備文件。", "No documents are needed."), x=MARGIN + 3 * mm)

    # fees
    page.gap(3 * mm)
    page.text(_t(language, "費用", "Fees"), size=13)
    for fee in receipt.fees:
        line = f"{fee.name.in_language(language)}：{format_fee(fee.amount, language=language)}"
        if language.startswith("en"):
            line = f"{fee.name.en}: {format_fee(fee.amount, language=language)}"
        if fee.note is not None:
            line += _t(language, "（", " (") + fee.note.in_language(language)
            line += _t(language, "）", ")")
        page.text(line, x=MARGIN + 3 * mm)
    if not receipt.fees:
        page.text(_t(language, "免費。", "No fee."), x=MARGIN + 3 * mm)

    page.gap(4 * mm)
    page.text(
        _t(
            language,
            "查詢進度：掃描 QR 碼，或於網站輸入案件編號及申請人電話（或電號）末 4 碼。客服專線 1911。",
            "Progress: scan the QR code, or enter the case number and the last four digits of "
            "the applicant's phone (or account) number on our website. Customer service: 1911.",
        ),
        size=9,
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
