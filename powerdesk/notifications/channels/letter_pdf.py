"""Render a day's letters into one printable PDF (reportlab), one letter per A4 page.

Layout for a C5/DL window envelope (A4 folded in three): the sender block (the service
centre) at the top left, the recipient block in the window (20 mm from the left edge, 45–90 mm
from the top) in Taiwanese order — postal code, address, name with 君 啟 / 台啟 — then the
date, the subject and the text of the message. The Chinese font (AR PL UMing TW by default) is
embedded (as subsets), so the file prints the same anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from powerdesk.notifications.domain.postal import address_block

FONT_NAME = "PowerdeskLetterCJK"
UMING_TW_INDEX = 2  # uming.ttc holds UMing CN, HK, TW, TW MBE: TW has the Taiwanese glyph forms


class FontMissingError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Letter:
    postal_code: str
    address: str
    name: str
    organisation: bool
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Sender:
    lines: tuple[str, ...]  # 台灣電力公司 桃園區營業處 / 中壢服務所 / address / phone


def font_usable(path: Path) -> bool:
    """Whether ``path`` is a file this process may read (the font PDFs embed)."""
    return path.is_file() and os.access(path, os.R_OK)


def register_font(path: Path) -> str:
    if not font_usable(path):
        raise FontMissingError(
            f"The letter font {path} is missing (Debian: apt-get install fonts-arphic-uming; "
            f"or set POWERDESK_LETTER_FONT). / 找不到信件字型 {path}。"
        )
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        index = UMING_TW_INDEX if path.suffix.lower() == ".ttc" and "uming" in path.name else 0
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=index))
    return FONT_NAME


def _wrap(text: str, *, font: str, size: float, width: float) -> list[str]:
    """Wrap by characters (CJK text has no spaces); keeps the text's own line breaks."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if pdfmetrics.stringWidth(line + char, font, size) > width and line:
                lines.append(line)
                line = char
            else:
                line += char
        lines.append(line)
    return lines


def render_letters(
    letters: Sequence[Letter], *, sender: Sender, day: date, font_path: Path, target: Path
) -> int:
    """Write the PDF to ``target`` (atomically); returns the number of pages."""
    font = register_font(font_path)
    width, height = A4
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    canvas = Canvas(str(temporary), pagesize=A4, invariant=True)
    canvas.setTitle(f"letters {day.isoformat()}")
    canvas.setAuthor(sender.lines[0] if sender.lines else "powerdesk")
    for letter in letters:
        # sender block, top left
        canvas.setFont(font, 9)
        y = height - 15 * mm
        for line in sender.lines:
            canvas.drawString(20 * mm, y, line)
            y -= 4.5 * mm
        # recipient block in the envelope window (20 mm from the left, 45–90 mm from the top)
        block = address_block(
            postal_code=letter.postal_code,
            address=letter.address,
            name=letter.name,
            organisation=letter.organisation,
        )
        y = height - 52 * mm
        canvas.setFont(font, 14)
        canvas.drawString(22 * mm, y, block.postal_code)
        y -= 8 * mm
        canvas.setFont(font, 12)
        for line in block.address_lines:
            canvas.drawString(22 * mm, y, line)
            y -= 6.5 * mm
        canvas.setFont(font, 14)
        canvas.drawString(32 * mm, y - 2 * mm, block.name_line)
        # the letter
        y = height - 105 * mm
        canvas.setFont(font, 10)
        canvas.drawRightString(width - 20 * mm, y, f"{day.year - 1911}年{day.month}月{day.day}日")
        y -= 10 * mm
        canvas.setFont(font, 13)
        for line in _wrap(letter.subject, font=font, size=13, width=width - 40 * mm):
            canvas.drawString(20 * mm, y, line)
            y -= 7 * mm
        y -= 3 * mm
        canvas.setFont(font, 11)
        for line in _wrap(letter.body, font=font, size=11, width=width - 40 * mm):
            if y < 20 * mm:
                canvas.showPage()
                canvas.setFont(font, 11)
                y = height - 20 * mm
            canvas.drawString(20 * mm, y, line)
            y -= 6 * mm
        canvas.showPage()
    pages = canvas.getPageNumber() - 1
    canvas.save()
    temporary.replace(target)
    return pages
